// The customer's other conversations, as the panel lists them.
import assert from "node:assert/strict";
import { test } from "node:test";

import { lastMessageLine, otherConversations } from "../customer_history.js";

test("the other conversations leave out the one on screen, newest first", () => {
  const rows = otherConversations(
    {
      results: [
        { id: 1, opened_at: "2026-01-01T10:00:00Z" },
        { id: 3, opened_at: "2026-03-01T10:00:00Z" },
        { id: 2, opened_at: "2026-02-01T10:00:00Z" },
      ],
    },
    3,
  );
  assert.deepEqual(
    rows.map((row) => row.id),
    [2, 1],
  );
});

test("the last message reads as a line, the business's prefixed", () => {
  assert.equal(lastMessageLine({ last_message: { direction: "inbound", text: "my\n  chair", kind: "text" } }), "my chair");
  assert.equal(lastMessageLine({ last_message: { direction: "outbound", text: "Sorted", kind: "text" } }), "You: Sorted");
  assert.equal(lastMessageLine({ last_message: { direction: "inbound", text: "", kind: "image" } }), "image message");
  assert.equal(lastMessageLine({ last_message: null }), "No messages");
});
