import assert from "node:assert/strict";
import { test } from "node:test";

import { createRefresher } from "../refresh.js";

function fakeTimers() {
  const pending = new Map();
  let next = 1;
  return {
    setTimer: (callback) => {
      pending.set(next, callback);
      return next++;
    },
    clearTimer: (id) => pending.delete(id),
    fire: async () => {
      const callbacks = [...pending.values()];
      pending.clear();
      for (const callback of callbacks) await callback();
    },
    get count() {
      return pending.size;
    },
  };
}

test("a burst of events costs one fetch", async () => {
  const timers = fakeTimers();
  let fetches = 0;
  const refresher = createRefresher(async () => fetches++, { delayMs: 300, ...timers });

  for (let event = 0; event < 50; event++) refresher.request();
  assert.equal(timers.count, 1);
  await timers.fire();

  assert.equal(fetches, 1);
});

test("an event during a fetch asks for exactly one more fetch after it", async () => {
  const timers = fakeTimers();
  let fetches = 0;
  let finish;
  const refresher = createRefresher(
    () => {
      fetches++;
      return new Promise((resolve) => (finish = resolve));
    },
    { delayMs: 300, ...timers },
  );

  const first = refresher.now();
  refresher.request();
  refresher.request();
  await timers.fire(); // due while the first is still running: it waits for it
  finish();
  await first;
  assert.equal(timers.count, 1);
  const second = timers.fire();
  finish();
  await second;

  assert.equal(fetches, 2);
  assert.equal(timers.count, 0);
});
