// Sending a message again after a failure reuses its Idempotency-Key; anything else gets a new one.
import assert from "node:assert/strict";
import { test } from "node:test";

import { sendKeys } from "../send_keys.js";

function counting() {
  let count = 0;
  return () => `key-${++count}`;
}

test("the same message sent again to the same conversation keeps its key", () => {
  const keys = sendKeys(counting());
  assert.equal(keys.keyFor(1, '{"text":"Hi"}'), "key-1");
  assert.equal(keys.keyFor(1, '{"text":"Hi"}'), "key-1");
});

test("another message, or another conversation, gets a new key", () => {
  const keys = sendKeys(counting());
  assert.equal(keys.keyFor(1, '{"text":"Hi"}'), "key-1");
  assert.equal(keys.keyFor(1, '{"text":"Hello"}'), "key-2");
  assert.equal(keys.keyFor(2, '{"text":"Hello"}'), "key-3");
});

test("once a message went out, the same words again are a new message", () => {
  const keys = sendKeys(counting());
  keys.keyFor(1, '{"text":"Thanks!"}');
  keys.sent(1);
  assert.equal(keys.keyFor(1, '{"text":"Thanks!"}'), "key-2");
});

test("keys are random by default", () => {
  const keys = sendKeys();
  assert.notEqual(keys.keyFor(1, "a"), keys.keyFor(2, "a"));
});
