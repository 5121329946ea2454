// Which conversation's number cannot send: the composer's notice matches the server's list by channel and account.
import assert from "node:assert/strict";
import { test } from "node:test";

import { sendingBlockedFor } from "../poll.js";

const health = {
  sending_blocked: [{ channel: "whatsapp", account_id: "100200300400500", account_label: "WhatsApp +1 555", reason: "Revoked." }],
};

test("a conversation on the blocked number is told why", () => {
  assert.equal(sendingBlockedFor(health, { channel: "whatsapp", accountId: "100200300400500" }).reason, "Revoked.");
});

test("another number, another channel, or no answer yet block nothing", () => {
  assert.equal(sendingBlockedFor(health, { channel: "whatsapp", accountId: "999" }), null);
  assert.equal(sendingBlockedFor(health, { channel: "sms", accountId: "100200300400500" }), null);
  assert.equal(sendingBlockedFor(null, { channel: "whatsapp", accountId: "100200300400500" }), null);
  assert.equal(sendingBlockedFor({}, { channel: "whatsapp", accountId: "100200300400500" }), null);
});
