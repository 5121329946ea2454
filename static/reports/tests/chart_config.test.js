import assert from "node:assert/strict";
import { test } from "node:test";

import { CHARTS, conversationsChart, failuresChart } from "../chart_config.js";

const data = {
  days: ["2026-11-30", "2026-12-01"],
  states: [
    { key: "new", label: "New" },
    { key: "closed_complete", label: "Closed complete" },
  ],
  conversations_by_day: { new: [1, 0], closed_complete: [2, 3] },
  opt_ins_by_day: [0, 1],
  opt_outs_by_day: [1, 0],
  queues: ["Sales"],
  first_reply_minutes: [1.5],
  time_in_queue_minutes: [null],
  handle_minutes: [10],
  failure_codes: ["131047"],
  failures: [4],
};

test("conversations per day are stacked, one dataset per state with its counts", () => {
  const config = conversationsChart(data);
  assert.deepEqual(config.data.labels, data.days);
  assert.deepEqual(
    config.data.datasets.map((set) => [set.label, set.data]),
    [
      ["New", [1, 0]],
      ["Closed complete", [2, 3]],
    ],
  );
  assert.equal(config.options.scales.y.stacked, true);
});

test("failures are a horizontal bar per error code", () => {
  const config = failuresChart(data);
  assert.deepEqual(config.data.labels, ["131047"]);
  assert.deepEqual(config.data.datasets[0].data, [4]);
  assert.equal(config.options.indexAxis, "y");
});

test("every chart builds from the same data", () => {
  for (const build of Object.values(CHARTS)) {
    assert.ok(build(data).data.datasets.length > 0);
  }
});
