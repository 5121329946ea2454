// The routing state an agent sees, as pure reducers (no DOM; node --test): their pending offers, kept from
// GET /api/v1/routing/offers/ and `offer.changed` pushes, and their own presence from GET /api/v1/routing/me/ and
// `presence.changed` pushes.

import { countdown, parseDate } from "./format.js";

export const OFFERED = "offered";
export const PRESENCES = [
  { value: "available", label: "Available" },
  { value: "away", label: "Away" },
  { value: "offline", label: "Offline" },
];
export const AWAY_REASONS = ["Break", "Lunch", "Meeting", "Training"];

// Routing's API answered that it is not there (an older server) or not for this user (a manager): the
// workspace goes on without the routing controls.
export const routingAbsent = (failure) => [401, 403, 404].includes(failure?.status);

// The offers list's answer (a list, or a page of one) as the offers by id.
export function offersFromList(data) {
  const offers = Array.isArray(data) ? data : data?.results || [];
  return new Map(offers.map((offer) => [offer.id, offer]));
}

// An `offer.changed` push: a pending offer is added or updated; any other state (accepted, rejected, timed out,
// withdrawn, …) takes it away. Returns the new map and whether the offer is new to this agent.
export function receiveOfferChange(offers, { offer, state }) {
  const next = new Map(offers);
  if (state !== OFFERED) {
    next.delete(offer.id);
    return { offers: next, arrived: false };
  }
  const arrived = !offers.has(offer.id);
  next.set(offer.id, offer);
  return { offers: next, arrived };
}

// The offers still open at `now`, the one running out first on top; each with its countdown. An offer past its
// time stays away even before the server's timeout pushes that it was taken back.
export function openOffers(offers, now = new Date()) {
  return [...offers.values()]
    .map((offer) => ({ offer, left: countdown(offer.expires_at, now) }))
    .filter(({ left }) => !left.expired)
    .sort((a, b) => (parseDate(a.offer.expires_at) || Infinity) - (parseDate(b.offer.expires_at) || Infinity));
}

// The ids in `after` that were not in `before`: offers the agent has not been told of yet.
export const arrivedOffers = (before, after) => [...after.keys()].filter((id) => !before.has(id));

// A `presence.changed` push about `myId` updates what GET /api/v1/routing/me/ said; about anyone else, nothing.
export function receivePresenceChange(me, { agent }, myId) {
  if (!agent || agent.id !== myId) return me;
  return {
    ...me,
    presence: agent.presence,
    away_reason: agent.away_reason || "",
    presence_changed_at: agent.since ?? me?.presence_changed_at ?? null,
    load: agent.load ?? me?.load ?? 0,
    capacity: agent.capacity ?? me?.capacity ?? null,
  };
}

// What the header shows: "Away · Lunch", and the load against capacity ("2 / 5").
export function presenceSummary(me) {
  const known = PRESENCES.find((each) => each.value === me.presence);
  const label = known ? known.label : me.presence;
  return {
    label: me.presence === "away" && me.away_reason ? `${label} · ${me.away_reason}` : label,
    tone: me.presence,
    load: me.capacity ? `${me.load} / ${me.capacity}` : String(me.load ?? 0),
    full: Boolean(me.capacity) && me.load >= me.capacity,
  };
}

// The name a conversation's queue is shown by, from GET /api/v1/routing/queues/ (`queues`: a list of {key, name}, or
// null while unknown): its key until the names are known or when no queue has it any more (deleted), "Not queued"
// when it has none.
export function queueName(key, queues) {
  if (!key) return "Not queued";
  return queues?.find((queue) => queue.key === key)?.name || key;
}
