// The agent's offers and presence as the workspace keeps them.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  arrivedOffers,
  offersFromList,
  openOffers,
  presenceSummary,
  queueName,
  receiveOfferChange,
  receivePresenceChange,
} from "../routing_state.js";

const NOW = new Date("2026-12-06T10:00:00Z");
const at = (seconds) => new Date(NOW.getTime() + seconds * 1000).toISOString();
const offer = (id, expiresIn) => ({ id, expires_at: at(expiresIn), queue: { key: "sales", name: "Sales" } });

test("the offers list is read as a list or as a page", () => {
  assert.deepEqual([...offersFromList([offer(1, 30)]).keys()], [1]);
  assert.deepEqual([...offersFromList({ results: [offer(2, 30)] }).keys()], [2]);
  assert.equal(offersFromList(null).size, 0);
});

test("a pushed offer arrives once, is updated in place, and leaves in any state but offered", () => {
  let offers = new Map();
  let change = receiveOfferChange(offers, { offer: offer(1, 30), state: "offered" });
  assert.equal(change.arrived, true);
  offers = change.offers;
  change = receiveOfferChange(offers, { offer: { ...offer(1, 30), transfer_note: "VIP" }, state: "offered" });
  assert.equal(change.arrived, false);
  assert.equal(change.offers.get(1).transfer_note, "VIP");
  for (const state of ["accepted", "rejected", "timed_out", "offer_withdrawn", "cancelled"]) {
    assert.equal(receiveOfferChange(change.offers, { offer: offer(1, 30), state }).offers.size, 0, state);
  }
  assert.equal(offers.size, 1, "the reducer does not change the map it was given");
});

test("open offers run out first on top, each with its countdown, and leave once their time is up", () => {
  const offers = offersFromList([offer(1, 90), offer(2, 15), offer(3, -1)]);
  const open = openOffers(offers, NOW);
  assert.deepEqual(
    open.map(({ offer: each }) => each.id),
    [2, 1],
  );
  assert.equal(open[0].left.label, "0:15");
  assert.equal(open[1].left.label, "1:30");
  assert.deepEqual(openOffers(offers, new Date(NOW.getTime() + 20 * 1000)).map(({ offer: each }) => each.id), [1]);
});

test("the offers that arrived since the last look are the ones to ring for", () => {
  const before = offersFromList([offer(1, 30)]);
  const after = offersFromList([offer(1, 30), offer(2, 30)]);
  assert.deepEqual(arrivedOffers(before, after), [2]);
  assert.deepEqual(arrivedOffers(after, before), []);
});

test("a presence push about me updates my presence and load; one about a colleague changes nothing", () => {
  const me = { presence: "available", away_reason: "", presence_changed_at: at(-60), load: 1, capacity: 3 };
  const colleague = { agent: { id: 8, presence: "away", away_reason: "Lunch", since: at(0), load: 0, capacity: 3 } };
  assert.equal(receivePresenceChange(me, colleague, 7), me);
  const mine = receivePresenceChange(me, { agent: { ...colleague.agent, id: 7 } }, 7);
  assert.equal(mine.presence, "away");
  assert.equal(mine.away_reason, "Lunch");
  assert.equal(mine.presence_changed_at, at(0));
});

test("the header reads the presence, the away reason and the load against capacity", () => {
  assert.deepEqual(presenceSummary({ presence: "away", away_reason: "Lunch", load: 2, capacity: 5 }), {
    label: "Away · Lunch",
    tone: "away",
    load: "2 / 5",
    full: false,
  });
  assert.equal(presenceSummary({ presence: "available", away_reason: "", load: 3, capacity: 3 }).full, true);
  assert.equal(presenceSummary({ presence: "offline", load: 0, capacity: null }).load, "0");
});

test("a conversation's queue is shown by its name, by its key until the names are known", () => {
  const queues = [{ key: "general", name: "General" }, { key: "billing", name: "Billing & refunds" }];
  assert.equal(queueName("billing", queues), "Billing & refunds");
  assert.equal(queueName("general", null), "general");
  assert.equal(queueName("gone", queues), "gone"); // a queue deleted since
  assert.equal(queueName("", queues), "Not queued");
});
