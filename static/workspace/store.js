// The workspace's state and the rules that keep it true to the server, with no DOM: the open interactions (paged
// list, pushes that overtake each other) and the open timeline's cursor.
//
// The WebSocket push is a hint, not the record: the channel layer may drop events. Every change to an
// interaction's timeline bumps its revision by exactly one, so the open timeline keeps a cursor (the highest
// revision applied) and fetches `messages/?after_revision=<cursor>` whenever a push skips ahead, after every
// (re)connect and when the tab becomes visible again. A timeline opens on its newest page (`messages/`) and loads
// earlier pages (`messages/?before=<sequence>`) on demand, keeping what it holds.
//
// The views hear of every change through `subscribe`: {type: "list"}, {type: "conversation"},
// {type: "timeline", scroll, added}, {type: "list-loaded"}, {type: "missing", id, lost}: `lost` the last picture of
// an interaction we held that is no longer visible (taken from us), null for one we never had.

import { backoffDelay, isOpen, matchesFilter, activityAt } from "./format.js";

// The open list loads a page at a time, the next as the agent scrolls near its end: 50 rows cost the server a
// quarter of the 200 the list once asked for at once (bench/reads.py).
export const LIST_PAGE_SIZE = 50;
const LIST_MAX_LIMIT = 200; // the API's largest page
// Offsets shift when conversations close between two pages; starting each page this many rows early keeps a
// shifted one from being skipped (the rows seen twice are merged by id).
const LIST_PAGE_OVERLAP = 10;
const CATCH_UP_ROUNDS = 5;
const CATCH_UP_RETRY = { base: 1000, max: 30 * 1000 };
const FRESH_FOR_MS = 2500;
// A supervisor moving several conversations tells each agent once per move: a burst costs one reread of the list.
export const AUDIENCE_SETTLE_MS = 300;

// ------------------------------------------------------------------------------------------ pure reducers

// Pushes from different workers can overtake each other; a lower revision is an older picture.
// (Marking seen changes unread_count without a new revision, hence an equal one is taken.)
export const supersedes = (incoming, existing) => !existing || incoming.revision >= existing.revision;

export function newTimeline(interactionId) {
  return {
    interactionId,
    cursor: 0, // the highest revision applied
    wanted: 0, // a revision we know exists (a push, the interaction's own) and have not caught up to
    again: false,
    loaded: false,
    failed: false,
    failures: 0,
    retryTimer: null,
    fetching: null,
    messages: new Map(), // every message we hold, including changes to ones before the loaded pages
    from: 0, // the lowest sequence shown: the first of the earliest page loaded
    earlier: null, // the `before` of the page before that one; null once the start is loaded
    loadingEarlier: false,
    earlierFailed: false,
  };
}

// Upserts by id; an older revision of a message never replaces a newer one. Returns the new arrivals.
export function applyMessages(timeline, messages) {
  const added = [];
  for (const message of messages) {
    const existing = timeline.messages.get(message.id);
    if (existing && existing.revision >= message.revision) continue;
    if (!existing) added.push(message);
    timeline.messages.set(message.id, message);
  }
  return added;
}

// The loaded pages reach back to this page's first message. Messages before it stay held (a change to one may come
// in a catch-up before its page does) but are not shown until their page is loaded.
export function showFromPage(timeline, page) {
  timeline.earlier = page.earlier;
  timeline.from = page.earlier === null || page.messages.length === 0 ? 0 : page.messages[0].sequence;
}

export function shownMessage(timeline, id) {
  const message = timeline?.messages.get(id);
  return message && message.sequence >= timeline.from ? message : null;
}

// The messages the timeline shows, oldest first.
export function shownMessages(timeline) {
  return [...timeline.messages.values()]
    .filter((message) => message.sequence >= timeline.from)
    .sort((a, b) => a.sequence - b.sequence);
}

export const catchUpPath = (timeline) =>
  `interactions/${timeline.interactionId}/messages/${timeline.loaded ? `?after_revision=${timeline.cursor}` : ""}`;

// One answer of `messages/` (the newest page, or everything after the cursor) applied: returns the new arrivals.
export function applyCatchUpPage(timeline, data) {
  const firstLoad = !timeline.loaded;
  const added = applyMessages(timeline, data.messages);
  if (firstLoad) showFromPage(timeline, data);
  timeline.cursor = Math.max(timeline.cursor, data.revision);
  if (data.more) timeline.wanted = Math.max(timeline.wanted, timeline.cursor + 1); // the rest, next round
  timeline.loaded = true;
  timeline.failed = false;
  timeline.failures = 0;
  return { added, firstLoad };
}

// A pushed (or our own sent) change at `revision`: the next one advances the cursor; one further ahead means
// something between was lost, so it is shown at once and the timeline must catch up (returns true).
export function receivePushedRevision(timeline, revision) {
  if (timeline.loaded && !timeline.fetching && revision === timeline.cursor + 1) {
    timeline.cursor = revision;
    return false;
  }
  if (revision <= timeline.cursor) return false;
  timeline.wanted = Math.max(timeline.wanted, revision);
  return true;
}

export const caughtUp = (timeline) => !timeline.again && timeline.wanted <= timeline.cursor;

// The list as shown: the open ones matching the search, latest activity first.
export function listedInteractions(interactions, needle) {
  return [...interactions.values()]
    .filter((interaction) => isOpen(interaction) && matchesFilter(interaction, needle))
    .sort((a, b) => activityAt(b) - activityAt(a) || b.id - a.id);
}

// ------------------------------------------------------------------------------------------ the store

export function createStore({ api, isNotFound, shouldMarkSeen = () => true, timers = globalThis, random = Math.random }) {
  const state = {
    interactions: new Map(), // id -> interaction: the open ones, plus the selected one even once closed
    listLoaded: false,
    listFetch: null, // events seen while the list is being fetched, replayed over its (older) answer
    listAgain: false,
    listTotal: 0,
    listTruncated: false,
    listWanted: LIST_PAGE_SIZE, // rows asked for so far: a refresh rereads as many (up to the API's 200)
    listNextOffset: null, // where the next page of the open list starts; null once every open one is loaded
    listMoreFetch: false,
    listGeneration: 0, // a refresh starts over: a page asked for before it is dropped
    selectedId: null,
    timeline: null,
    markingSeen: false,
    markSeenAgain: false, // asked for while a mark was out: its answer may predate the new messages
    freshIds: new Set(),
    audienceTimer: null,
  };
  const listeners = [];
  const emit = (change) => {
    for (const listen of listeners) listen(change);
  };

  const selected = () => state.interactions.get(state.selectedId) || null;

  function storeInteraction(incoming) {
    const existing = state.interactions.get(incoming.id);
    if (!supersedes(incoming, existing)) return existing;
    if (existing && incoming.last_message_at && incoming.last_message_at !== existing.last_message_at) {
      flash(incoming.id);
    }
    state.interactions.set(incoming.id, incoming);
    return incoming;
  }

  // A conversation that moved shows so in the list for a moment (not the one the agent is reading).
  function flash(id) {
    if (id === state.selectedId) return;
    state.freshIds.add(id);
    timers.setTimeout(() => {
      state.freshIds.delete(id);
      emit({ type: "list" });
    }, FRESH_FOR_MS);
  }

  function receiveInteraction(incoming) {
    if (state.listFetch) state.listFetch.push(incoming);
    const interaction = storeInteraction(incoming);
    if (interaction.id === state.selectedId) {
      const timeline = state.timeline;
      if (timeline && interaction.revision > timeline.cursor) {
        // The timeline moved on without us (a dropped push, or a change such as closing that has no message).
        timeline.wanted = Math.max(timeline.wanted, interaction.revision);
        catchUp(timeline);
      }
      emit({ type: "conversation" });
      markSeenIfNeeded();
    }
    emit({ type: "list" });
  }

  async function refreshInteractions() {
    if (state.listFetch) {
      state.listAgain = true;
      return;
    }
    state.listAgain = false;
    state.listFetch = [];
    state.listGeneration += 1;
    try {
      const limit = Math.min(state.listWanted, LIST_MAX_LIMIT);
      const data = await api(`interactions/?state=open&limit=${limit}`);
      const seenMeanwhile = state.listFetch;
      const fresh = new Map(data.results.map((interaction) => [interaction.id, interaction]));
      const previouslySelected = selected();
      state.interactions = fresh;
      state.listTotal = data.count;
      state.listNextOffset = data.next ? data.results.length : null;
      state.listTruncated = state.listNextOffset !== null;
      state.listLoaded = true;
      state.listFetch = null;
      for (const interaction of seenMeanwhile) storeInteraction(interaction);
      if (state.selectedId !== null && !state.interactions.has(state.selectedId)) {
        // Not open (any more): keep showing it, refreshed from its own endpoint.
        if (previouslySelected) state.interactions.set(previouslySelected.id, previouslySelected);
        loadSelectedInteraction(state.selectedId);
      }
      const current = selected();
      if (current) receiveInteraction(current);
    } catch (error) {
      console.warn("could not load the interactions", error);
    } finally {
      state.listFetch = null;
      emit({ type: "list" });
      emit({ type: "conversation" });
      if (state.listAgain) refreshInteractions();
      else emit({ type: "list-loaded" });
    }
  }

  // The next page of the open list (the list view asks when the agent scrolls near the end of what is loaded).
  async function loadMoreInteractions() {
    if (state.listFetch || state.listMoreFetch || state.listNextOffset === null) return false;
    const offset = Math.max(state.listNextOffset - LIST_PAGE_OVERLAP, 0);
    const generation = state.listGeneration;
    state.listMoreFetch = true;
    let loaded = false;
    try {
      const data = await api(`interactions/?state=open&limit=${LIST_PAGE_SIZE}&offset=${offset}`);
      if (generation !== state.listGeneration) return false; // a refresh reread the list meanwhile
      for (const interaction of data.results) storeInteraction(interaction);
      state.listTotal = data.count;
      state.listWanted = offset + data.results.length;
      state.listNextOffset = data.next ? state.listWanted : null;
      state.listTruncated = state.listNextOffset !== null;
      loaded = data.results.length > 0;
    } catch (error) {
      console.warn("could not load more interactions", error);
    } finally {
      state.listMoreFetch = false;
    }
    if (loaded) {
      emit({ type: "list" });
      emit({ type: "list-loaded" });
    }
    return loaded;
  }

  async function loadSelectedInteraction(id) {
    try {
      const { messages, ...interaction } = await api(`interactions/${id}/`);
      if (state.selectedId === id) receiveInteraction(interaction);
    } catch (error) {
      if (state.selectedId !== id || !isNotFound(error)) return;
      const lost = state.interactions.get(id) || null;
      state.interactions.delete(id); // no longer ours to see: out of the list as well
      emit({ type: "missing", id, lost });
      emit({ type: "list" });
    }
  }

  // What the user may see changed (`audience.changed`: a conversation taken from them, a queue they serve): the
  // list is read again, which drops what it no longer returns; the open conversation, if it is gone, is rechecked
  // on its own endpoint. Events in a burst share one reread.
  function audienceChanged() {
    if (state.audienceTimer !== null) return;
    state.audienceTimer = timers.setTimeout(() => {
      state.audienceTimer = null;
      refreshInteractions();
    }, AUDIENCE_SETTLE_MS);
  }

  // Opens `id`'s timeline (or none): the newest page first, then whatever pushes and catch-ups bring.
  function select(id) {
    if (state.timeline) timers.clearTimeout(state.timeline.retryTimer);
    state.selectedId = id;
    state.timeline = id === null ? null : newTimeline(id);
    if (state.timeline) {
      emit({ type: "timeline", scroll: "bottom", added: [] });
      catchUp(state.timeline);
      if (state.listLoaded && !state.interactions.has(id)) loadSelectedInteraction(id);
    }
  }

  async function catchUp(timeline) {
    if (timeline.fetching) {
      timeline.again = true; // asked for while a fetch is out: its answer may predate the reason for asking
      return timeline.fetching;
    }
    timeline.fetching = (async () => {
      try {
        for (let round = 0; round < CATCH_UP_ROUNDS; round += 1) {
          timeline.again = false;
          const data = await api(catchUpPath(timeline));
          if (state.timeline !== timeline) return;
          const { added, firstLoad } = applyCatchUpPage(timeline, data);
          timers.clearTimeout(timeline.retryTimer);
          emit({ type: "timeline", scroll: firstLoad ? "bottom" : "follow", added });
          if (added.some((message) => message.direction === "inbound")) markSeenIfNeeded();
          if (caughtUp(timeline)) break;
        }
      } catch (error) {
        console.warn("could not catch up the timeline", error);
        timeline.failed = true;
        if (state.timeline === timeline) {
          emit({ type: "timeline", scroll: "follow", added: [] });
          scheduleCatchUpRetry(timeline);
        }
      } finally {
        timeline.fetching = null;
      }
    })();
    return timeline.fetching;
  }

  // A failed catch-up is tried again with backoff while this timeline stays open; a socket that stays up would
  // otherwise never give it another reason to (a reconnect or a visible tab also catches up, sooner).
  function scheduleCatchUpRetry(timeline) {
    timers.clearTimeout(timeline.retryTimer);
    const delay = backoffDelay(timeline.failures, { ...CATCH_UP_RETRY, random });
    timeline.failures += 1;
    timeline.retryTimer = timers.setTimeout(() => {
      if (state.timeline === timeline) catchUp(timeline);
    }, delay);
  }

  async function loadEarlier() {
    const timeline = state.timeline;
    if (!timeline || !timeline.loaded || timeline.earlier === null || timeline.loadingEarlier) return;
    timeline.loadingEarlier = true;
    timeline.earlierFailed = false;
    emit({ type: "timeline", scroll: "keep", added: [] });
    try {
      const page = await api(`interactions/${timeline.interactionId}/messages/?before=${timeline.earlier}`);
      if (state.timeline !== timeline) return;
      applyMessages(timeline, page.messages);
      showFromPage(timeline, page);
    } catch (error) {
      console.warn("could not load earlier messages", error);
      timeline.earlierFailed = true;
    } finally {
      timeline.loadingEarlier = false;
    }
    if (state.timeline === timeline) emit({ type: "timeline", scroll: "keep", added: [] });
  }

  function receiveMessageChanged(event) {
    const timeline = state.timeline;
    if (!timeline || timeline.interactionId !== event.interaction_id) return;
    if (event.revision <= timeline.cursor) return; // already applied
    const added = applyMessages(timeline, [event.message]);
    // A gap: something between our cursor and this push was lost. Shown at once; the fetch makes it exact.
    if (receivePushedRevision(timeline, event.revision)) catchUp(timeline);
    emit({ type: "timeline", scroll: "follow", added });
    if (event.message.direction === "inbound") markSeenIfNeeded();
  }

  // The 201 answer to our own send: shown at once, and it advances the cursor when it is the next revision.
  function receiveSentMessage(message) {
    const timeline = state.timeline;
    if (!timeline || timeline.interactionId !== message.interaction_id) return;
    const added = applyMessages(timeline, [message]);
    if (receivePushedRevision(timeline, message.revision)) catchUp(timeline);
    emit({ type: "timeline", scroll: "bottom", added });
  }

  async function markSeenIfNeeded() {
    const interaction = selected();
    // Unread counts are the agents' to-do list: a manager looking on (or a hidden tab) leaves them alone.
    if (!interaction || interaction.unread_count === 0 || !shouldMarkSeen()) return;
    if (state.markingSeen) {
      state.markSeenAgain = true;
      return;
    }
    state.markingSeen = true;
    state.markSeenAgain = false;
    let failed = false;
    try {
      receiveInteraction(await api(`interactions/${interaction.id}/seen/`, { method: "POST" }));
    } catch (error) {
      failed = true;
      console.warn("could not mark the interaction seen", error);
    } finally {
      state.markingSeen = false;
      // Still unread (per the newest picture) after a request that came in meanwhile: once more.
      if (state.markSeenAgain && !failed) markSeenIfNeeded();
    }
  }

  // After any time away the pushes we missed are gone: reread the list and catch the open timeline up.
  function resynchronise() {
    refreshInteractions();
    if (state.timeline) catchUp(state.timeline);
  }

  return {
    state,
    subscribe: (listen) => listeners.push(listen),
    selected,
    shownMessage: (id) => shownMessage(state.timeline, id),
    receiveInteraction,
    refreshInteractions,
    audienceChanged,
    loadMoreInteractions,
    select,
    catchUp,
    loadEarlier,
    receiveMessageChanged,
    receiveSentMessage,
    markSeenIfNeeded,
    resynchronise,
  };
}
