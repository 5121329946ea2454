// What the transfer dialog lists and sends.
import assert from "node:assert/strict";
import { test } from "node:test";

import { agentChoices, queueChoices, transferBody } from "../transfer_choices.js";

test("queues are offered with whether they are open and how many wait", () => {
  const choices = queueChoices([
    { key: "billing", name: "Billing", is_open: true, waiting: 3 },
    { key: "night", name: "Night desk", is_open: false, waiting: 0 },
  ]);
  assert.deepEqual(choices, [
    { value: "queue:billing", label: "Billing", detail: "Open · 3 waiting", muted: false },
    { value: "queue:night", label: "Night desk", detail: "Closed now · 0 waiting", muted: true },
  ]);
});

test("agents leave me out and come available first, each with presence and load", () => {
  const choices = agentChoices(
    {
      results: [
        { id: 1, name: "Me", presence: "available", load: 0, capacity: 3 },
        { id: 2, name: "Zoe", presence: "away", away_reason: "Lunch", load: 1, capacity: 3 },
        { id: 3, name: "Yan", presence: "available", load: 3, capacity: 3 },
        { id: 4, name: "Abe", presence: "offline", load: 0, capacity: null },
        { id: 5, name: "Bea", presence: "available", load: 1, capacity: 2 },
      ],
    },
    1,
  );
  assert.deepEqual(
    choices.map((choice) => [choice.label, choice.detail, choice.muted]),
    [
      ["Bea", "Available · 1 / 2 conversations", false],
      ["Yan", "Available · 3 / 3 conversations, full", true],
      ["Zoe", "Away (Lunch) · 1 / 3 conversations", true],
      ["Abe", "Offline · 0 conversations", true],
    ],
  );
});

test("the body names exactly one receiver and trims the note", () => {
  assert.deepEqual(transferBody("queue:billing", "  call back  "), { to_queue: "billing", note: "call back" });
  assert.deepEqual(transferBody("agent:7", ""), { to_agent: 7, note: "" });
  assert.equal(transferBody("", "x"), null);
  assert.equal(transferBody("agent:abc", "x"), null);
});
