import assert from "node:assert/strict";
import { test } from "node:test";

import { clockOffset, elapsedMs, formatDuration } from "../durations.js";

test("a duration is precise while short and coarse once long", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(59_999), "59s");
  assert.equal(formatDuration(60_000), "1m 00s");
  assert.equal(formatDuration(3_599_000), "59m 59s");
  assert.equal(formatDuration(3_600_000), "1h 00m");
  assert.equal(formatDuration(86_399_000), "23h 59m");
  assert.equal(formatDuration(86_400_000 + 4 * 3_600_000), "1d 4h");
});

test("nothing to count shows a dash, and a negative duration (clock jitter) shows zero", () => {
  assert.equal(formatDuration(null), "—");
  assert.equal(formatDuration(Number.NaN), "—");
  assert.equal(formatDuration(-5_000), "0s");
});

test("waits are counted on the server's clock, whatever the browser's says", () => {
  const receivedAt = Date.parse("2026-01-01T10:00:00Z"); // the browser's clock
  const offset = clockOffset("2026-01-01T10:05:00Z", receivedAt); // the server is five minutes ahead
  const since = "2026-01-01T10:04:00Z";

  assert.equal(elapsedMs(since, { nowMs: receivedAt, offsetMs: offset }), 60_000);
  assert.equal(elapsedMs(since, { nowMs: receivedAt + 30_000, offsetMs: offset }), 90_000);
  assert.equal(elapsedMs(null, { nowMs: receivedAt, offsetMs: offset }), null);
  assert.equal(clockOffset("not a time", receivedAt), 0);
});
