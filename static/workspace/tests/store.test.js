// The store's cursor and gap logic: revisions, after_revision catch-up, before= paging, pushed messages.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  AUDIENCE_SETTLE_MS,
  applyCatchUpPage,
  applyMessages,
  createStore,
  listedInteractions,
  newTimeline,
  receivePushedRevision,
  shownMessages,
  supersedes,
} from "../store.js";

const message = (id, revision, fields = {}) => ({
  id,
  revision,
  sequence: id,
  interaction_id: 7,
  direction: "inbound",
  ...fields,
});
const interaction = (id, revision, fields = {}) => ({
  id,
  revision,
  state: "work_in_progress",
  unread_count: 0,
  opened_at: "2026-12-06T09:00:00Z",
  last_message_at: null,
  number: `IMS${id}`,
  channel_user: { id, display_name: `Customer ${id}`, external_id: `49151${id}` },
  ...fields,
});

// A fake API: each call waits until the test answers it, so the test decides what overtakes what.
function fakeApi() {
  const calls = [];
  const api = (path, options = {}) =>
    new Promise((resolve, reject) => calls.push({ path, method: options.method || "GET", resolve, reject }));
  const next = async () => {
    for (let i = 0; i < 20 && calls.length === 0; i += 1) await Promise.resolve();
    return calls.shift();
  };
  return { api, calls, next };
}
const settle = async () => {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
};
const quietTimers = { setTimeout: () => 0, clearTimeout: () => {} };

function storeWith(fake) {
  const changes = [];
  const store = createStore({ api: fake.api, isNotFound: (error) => error.status === 404, timers: quietTimers });
  store.subscribe((change) => changes.push(change));
  return { store, changes };
}

test("an older picture of an interaction never replaces a newer one; an equal revision does (marking seen)", () => {
  assert.equal(supersedes(interaction(1, 4), interaction(1, 5)), false);
  assert.equal(supersedes(interaction(1, 5, { unread_count: 0 }), interaction(1, 5, { unread_count: 2 })), true);
  assert.equal(supersedes(interaction(1, 1), undefined), true);
});

test("messages are upserted by id and only a newer revision of one replaces it", () => {
  const timeline = newTimeline(7);
  assert.deepEqual(applyMessages(timeline, [message(1, 1), message(2, 2)]).map((m) => m.id), [1, 2]);
  const edited = message(1, 3, { text: "edited" });
  assert.deepEqual(applyMessages(timeline, [edited, message(2, 2)]), []);
  assert.equal(timeline.messages.get(1).text, "edited");
  applyMessages(timeline, [message(1, 1, { text: "stale" })]);
  assert.equal(timeline.messages.get(1).text, "edited");
});

test("the next revision advances the cursor; one further ahead is a gap to catch up; an old one changes nothing", () => {
  const timeline = newTimeline(7);
  applyCatchUpPage(timeline, { messages: [message(1, 1)], revision: 4, earlier: null, more: false });
  assert.equal(receivePushedRevision(timeline, 5), false);
  assert.equal(timeline.cursor, 5);
  assert.equal(receivePushedRevision(timeline, 8), true);
  assert.equal(timeline.cursor, 5);
  assert.equal(timeline.wanted, 8);
  assert.equal(receivePushedRevision(timeline, 3), false);
  // While a fetch is out its answer decides the cursor: a push meanwhile asks for another round.
  timeline.fetching = Promise.resolve();
  assert.equal(receivePushedRevision(timeline, 6), true);
});

test("the first page shows from its first message; `more` asks for another round", () => {
  const timeline = newTimeline(7);
  const first = applyCatchUpPage(timeline, {
    messages: [message(51, 51), message(52, 52)],
    revision: 60,
    earlier: 51,
    more: true,
  });
  assert.equal(first.firstLoad, true);
  assert.equal(timeline.from, 51);
  assert.equal(timeline.earlier, 51);
  assert.equal(timeline.cursor, 60);
  assert.equal(timeline.wanted, 61);
  // A change to an earlier message, held but not shown until its page is loaded.
  applyMessages(timeline, [message(3, 61)]);
  assert.deepEqual(shownMessages(timeline).map((m) => m.id), [51, 52]);
});

test("opening a timeline loads its newest page, a gap in the pushes fetches after the cursor", async () => {
  const fake = fakeApi();
  const { store, changes } = storeWith(fake);
  store.select(7);
  const newest = await fake.next();
  assert.equal(newest.path, "interactions/7/messages/");
  newest.resolve({ messages: [message(1, 1), message(2, 2)], revision: 2, earlier: null, more: false });
  await settle();
  assert.equal(store.state.timeline.cursor, 2);
  assert.equal(changes.at(-1).scroll, "bottom");

  store.receiveMessageChanged({ interaction_id: 7, revision: 3, message: message(3, 3, { direction: "outbound" }) });
  assert.equal(store.state.timeline.cursor, 3);
  assert.equal(fake.calls.length, 0, "the next revision needs no fetch");

  // Revision 4 was lost: 5 is shown at once and the fetch after the cursor makes it exact.
  store.receiveMessageChanged({ interaction_id: 7, revision: 5, message: message(5, 5, { direction: "outbound" }) });
  assert.ok(store.state.timeline.messages.has(5));
  const catchUp = await fake.next();
  assert.equal(catchUp.path, "interactions/7/messages/?after_revision=3");
  catchUp.resolve({ messages: [message(4, 4, { direction: "outbound" }), message(5, 5, { direction: "outbound" })], revision: 5, more: false });
  await settle();
  assert.equal(store.state.timeline.cursor, 5);
  assert.deepEqual(shownMessages(store.state.timeline).map((m) => m.id), [1, 2, 3, 4, 5]);
  assert.equal(fake.calls.length, 0);
});

test("a push that arrives while a catch-up is out gets a second round, not a lost revision", async () => {
  const fake = fakeApi();
  const { store } = storeWith(fake);
  store.select(7);
  (await fake.next()).resolve({ messages: [message(1, 1)], revision: 1, earlier: null, more: false });
  await settle();
  store.receiveInteraction(interaction(7, 3)); // the interaction moved on: revision 3 exists
  const first = await fake.next();
  assert.equal(first.path, "interactions/7/messages/?after_revision=1");
  store.receiveMessageChanged({ interaction_id: 7, revision: 4, message: message(4, 4, { direction: "outbound" }) });
  first.resolve({ messages: [message(2, 2), message(3, 3)], revision: 3, more: false });
  const second = await fake.next();
  assert.equal(second.path, "interactions/7/messages/?after_revision=3");
  second.resolve({ messages: [message(4, 4, { direction: "outbound" })], revision: 4, more: false });
  await settle();
  assert.equal(store.state.timeline.cursor, 4);
});

test("earlier pages load with before= and keep what the timeline holds", async () => {
  const fake = fakeApi();
  const { store, changes } = storeWith(fake);
  store.select(7);
  (await fake.next()).resolve({ messages: [message(51, 51), message(52, 52)], revision: 52, earlier: 51, more: false });
  await settle();
  store.loadEarlier();
  store.loadEarlier(); // a second scroll while the page is out asks nothing more
  const page = await fake.next();
  assert.equal(page.path, "interactions/7/messages/?before=51");
  assert.equal(fake.calls.length, 0);
  page.resolve({ messages: [message(49, 49), message(50, 50)], earlier: null });
  await settle();
  assert.deepEqual(shownMessages(store.state.timeline).map((m) => m.id), [49, 50, 51, 52]);
  assert.equal(store.state.timeline.earlier, null);
  assert.equal(changes.at(-1).scroll, "keep");
});

test("our own sent message advances the cursor when it is the next revision", async () => {
  const fake = fakeApi();
  const { store } = storeWith(fake);
  store.select(7);
  (await fake.next()).resolve({ messages: [message(1, 1)], revision: 1, earlier: null, more: false });
  await settle();
  store.receiveSentMessage(message(2, 2, { direction: "outbound" }));
  assert.equal(store.state.timeline.cursor, 2);
  store.receiveSentMessage(message(9, 4, { interaction_id: 8 })); // another interaction's: not ours to show
  assert.equal(store.state.timeline.messages.has(9), false);
});

test("a push seen while the list is being read is replayed over the list's older answer", async () => {
  const fake = fakeApi();
  const { store } = storeWith(fake);
  store.refreshInteractions();
  const read = await fake.next();
  assert.equal(read.path, "interactions/?state=open&limit=50");
  store.receiveInteraction(interaction(1, 6, { last_message_at: "2026-12-06T09:30:00Z" }));
  read.resolve({ count: 2, next: null, results: [interaction(1, 5), interaction(2, 1)] });
  await settle();
  assert.equal(store.state.interactions.get(1).revision, 6);
  assert.equal(store.state.listLoaded, true);
  assert.equal(store.state.listTruncated, false);
});

test("the next page of the list starts a few rows early and merges the overlap", async () => {
  const fake = fakeApi();
  const { store } = storeWith(fake);
  store.refreshInteractions();
  const page = Array.from({ length: 50 }, (_, i) => interaction(i + 1, 1));
  (await fake.next()).resolve({ count: 70, next: "more", results: page });
  await settle();
  assert.equal(store.state.listTruncated, true);
  const more = store.loadMoreInteractions();
  const second = await fake.next();
  assert.equal(second.path, "interactions/?state=open&limit=50&offset=40");
  second.resolve({ count: 70, next: null, results: Array.from({ length: 30 }, (_, i) => interaction(i + 41, 1)) });
  assert.equal(await more, true);
  assert.equal(store.state.interactions.size, 70);
  assert.equal(store.state.listNextOffset, null);
});

test("the list shows open interactions matching the search, latest activity first", () => {
  const interactions = new Map(
    [
      interaction(1, 1, { last_message_at: "2026-12-06T09:10:00Z" }),
      interaction(2, 1, { last_message_at: "2026-12-06T09:20:00Z" }),
      interaction(3, 1, { state: "closed_complete", last_message_at: "2026-12-06T09:30:00Z" }),
    ].map((each) => [each.id, each]),
  );
  assert.deepEqual(listedInteractions(interactions, "").map((each) => each.id), [2, 1]);
  assert.deepEqual(listedInteractions(interactions, "customer 1").map((each) => each.id), [1]);
});

test("a selected interaction that is gone (404) is reported, not retried", async () => {
  const fake = fakeApi();
  const { store, changes } = storeWith(fake);
  store.refreshInteractions();
  (await fake.next()).resolve({ count: 0, next: null, results: [] });
  await settle();
  store.select(99);
  const calls = [await fake.next(), await fake.next()];
  const detail = calls.find((call) => call.path === "interactions/99/");
  detail.reject(Object.assign(new Error("gone"), { status: 404 }));
  await settle();
  assert.deepEqual(
    changes.find((change) => change.type === "missing"),
    { type: "missing", id: 99, lost: null }, // never ours: the workspace says so as an error
  );
});

// Timers the test fires itself: what is pending, and running it.
function manualTimers() {
  const pending = new Map();
  let nextId = 1;
  return {
    pending,
    setTimeout: (fn, ms) => {
      pending.set(nextId, { fn, ms });
      return nextId++;
    },
    clearTimeout: (id) => pending.delete(id),
    runAll() {
      const due = [...pending.values()];
      pending.clear();
      for (const { fn } of due) fn();
    },
  };
}

test("a burst of audience changes rereads the list once, dropping what it no longer returns", async () => {
  const fake = fakeApi();
  const timers = manualTimers();
  const store = createStore({ api: fake.api, isNotFound: (error) => error.status === 404, timers });
  store.refreshInteractions();
  (await fake.next()).resolve({ count: 3, next: null, results: [interaction(1, 1), interaction(2, 1), interaction(3, 1)] });
  await settle();

  store.audienceChanged();
  store.audienceChanged();
  store.audienceChanged();
  assert.equal(timers.pending.size, 1);
  assert.equal([...timers.pending.values()][0].ms, AUDIENCE_SETTLE_MS);
  assert.equal(fake.calls.length, 0); // nothing asked until the burst settles
  timers.runAll();
  const reread = await fake.next();
  assert.equal(reread.path, "interactions/?state=open&limit=50");
  reread.resolve({ count: 1, next: null, results: [interaction(2, 1)] });
  await settle();

  assert.equal(fake.calls.length, 0); // one reread for the burst
  assert.deepEqual(listedInteractions(store.state.interactions, "").map((row) => row.id), [2]);
  store.audienceChanged(); // a later change is heard again
  assert.equal(timers.pending.size, 1);
});

// A store whose list holds `listed`, with interaction 1 open: the changes it reports, and its timers.
async function withConversationOpen(listed) {
  const fake = fakeApi();
  const timers = manualTimers();
  const store = createStore({ api: fake.api, isNotFound: (error) => error.status === 404, timers });
  const changes = [];
  store.subscribe((change) => changes.push(change));
  store.refreshInteractions();
  (await fake.next()).resolve({ count: listed.length, next: null, results: listed });
  await settle();
  store.select(1);
  (await fake.next()).resolve({ messages: [], revision: 1, earlier: null, more: false });
  await settle();
  return { fake, timers, store, changes };
}

test("the open conversation taken from us leaves the list and is reported with its last picture", async () => {
  const { fake, timers, store, changes } = await withConversationOpen([interaction(1, 1), interaction(2, 1)]);

  store.audienceChanged();
  timers.runAll();
  (await fake.next()).resolve({ count: 1, next: null, results: [interaction(2, 1)] });
  const detail = await fake.next();
  assert.equal(detail.path, "interactions/1/"); // not in the list: closed, or no longer ours? its own endpoint says
  detail.reject(Object.assign(new Error("gone"), { status: 404 }));
  await settle();

  const missing = changes.find((change) => change.type === "missing");
  assert.equal(missing.id, 1);
  assert.equal(missing.lost.number, "IMS1"); // what the notice names
  assert.deepEqual([...store.state.interactions.keys()], [2]);
});

test("the open conversation still ours to see after an audience change stays open", async () => {
  const { fake, timers, store, changes } = await withConversationOpen([interaction(1, 1)]);

  store.audienceChanged();
  timers.runAll();
  // A colleague's now (reassigned in a queue that shares): still listed, read along.
  (await fake.next()).resolve({ count: 1, next: null, results: [interaction(1, 2, { assigned_to_id: 5 })] });
  await settle();

  assert.equal(changes.some((change) => change.type === "missing"), false);
  assert.equal(store.selected().assigned_to_id, 5);
});
