// The agent's offers, above the list: each conversation routing offers them, with the customer, the queue, the
// first message (or the virtual agent's summary), a transfer's note, and the time left to answer. Accept opens
// the conversation; Reject asks why (the admins' list of reasons). New offers chime, and show as a browser
// notification while the tab is hidden. Pushes (`offer.changed`) keep it current; a resync rereads it.

import { askForNotifications, chime, notificationsUndecided, notifyWhenHidden } from "./alerts.js";
import { element, reconcileChildren } from "./dom.js";
import { feature } from "./extend.js";
import { customerName } from "./format.js";
import { arrivedOffers, offersFromList, openOffers, receiveOfferChange, routingAbsent } from "./routing_state.js";

const OFFERS = "routing/offers/";
const REJECT_REASONS = "routing/reject-reasons/";
const TICK_MS = 1000;

// The server's summary: the first message, or the virtual agent's summary of the conversation so far.
const offerText = (offer) => offer.summary || "The customer has not written anything yet.";
const personName = (person) => (person && typeof person === "object" ? person.name || person.username : person) || "";

feature("offers", (ws) => {
  const root = ws.slot("sidebar-top");
  if (!root) return;
  let offers = new Map();
  let supported = false;
  let loaded = false;
  let presence = null;
  let reasons = null; // loaded on the first Reject
  const view = new Map(); // offer id -> { offer, card, countdown, rejecting, error, busy }

  const count = element("span", { className: "count-pill", testid: "offers-count", text: "0" });
  const alertsButton = element("button", {
    className: "btn btn-ghost btn-sm offers-alerts",
    testid: "offers-alerts",
    text: "Alert me",
    attrs: { type: "button", title: "Play a sound and show a notification when a conversation is offered to you" },
  });
  alertsButton.addEventListener("click", async () => {
    await askForNotifications();
    render();
  });
  const list = element("ul", { className: "offer-list", testid: "offer-list" });
  const empty = element("p", { className: "offers-empty", testid: "offers-empty" });
  const section = element("section", { className: "offers", testid: "offers", attrs: { "aria-label": "Offers", hidden: "" } }, [
    element("div", { className: "offers-head" }, [element("h2", { text: "Offers" }), count, alertsButton]),
    list,
    empty,
  ]);
  root.append(section);

  async function load() {
    if (!ws.config.maySend) return; // managers receive no offers: not even asked (the API would answer 403)
    const before = offers;
    try {
      offers = offersFromList(await ws.api(OFFERS, { optional: true }));
      supported = true;
    } catch (failure) {
      if (routingAbsent(failure)) {
        supported = false;
        section.hidden = true;
        return;
      }
      console.warn("could not load the offers", failure);
      return;
    }
    const arrived = loaded ? arrivedOffers(before, offers) : [];
    loaded = true;
    render();
    for (const id of arrived) announce(offers.get(id));
  }

  function announce(offer) {
    if (!offer) return;
    chime();
    notifyWhenHidden({
      title: `Conversation offered: ${customerName(offer.interaction)}`,
      body: `${offer.queue?.name || "Queue"} · ${offerText(offer)}`,
      tag: `offer-${offer.id}`,
    });
  }

  function render() {
    if (!supported) return;
    section.hidden = false;
    const now = new Date();
    const open = openOffers(offers, now);
    const shown = new Set(open.map(({ offer }) => offer.id));
    for (const id of view.keys()) if (!shown.has(id)) view.delete(id);
    reconcileChildren(
      list,
      open.map(({ offer, left }) => cardFor(offer, left)),
    );
    count.textContent = String(open.length);
    section.classList.toggle("has-offers", open.length > 0);
    alertsButton.hidden = !notificationsUndecided();
    empty.hidden = open.length > 0;
    empty.textContent =
      presence && presence.presence !== "available"
        ? "You are not available: no conversations are offered to you."
        : "No offers waiting. Conversations are offered here while you are available.";
  }

  // A card is rebuilt only when its offer (or what the agent is doing on it) changed; the clock only
  // rewrites the countdown, so a reason being chosen keeps its focus.
  function cardFor(offer, left) {
    let entry = view.get(offer.id);
    if (!entry) {
      entry = { offer: null, card: null, countdown: null, rejecting: false, error: "", busy: false, arriving: true };
      view.set(offer.id, entry);
    }
    // A reread brings equal offers as new objects: those keep their card.
    if (!entry.card || (entry.offer !== offer && JSON.stringify(entry.offer) !== JSON.stringify(offer))) {
      entry.offer = offer;
      buildCard(entry);
      entry.arriving = false; // only a card's first drawing slides in
    }
    entry.countdown.textContent = left.label;
    entry.countdown.classList.toggle("is-urgent", left.urgent);
    entry.countdown.setAttribute("aria-label", `${left.secondsLeft} seconds left to answer`);
    return entry.card;
  }

  function buildCard(entry) {
    const { offer } = entry;
    const countdown = element("span", { className: "offer-countdown", testid: "offer-countdown", attrs: { role: "timer" } });
    const transferredBy = personName(offer.transferred_by);
    const note =
      offer.transfer_note || transferredBy
        ? element("p", { className: "offer-transfer", testid: "offer-transfer-note" }, [
            element("span", { className: "offer-transfer-label", text: transferredBy ? `Transferred by ${transferredBy}` : "Transferred" }),
            offer.transfer_note ? element("span", { className: "offer-transfer-text", text: offer.transfer_note }) : null,
          ])
        : null;
    const accept = element("button", {
      className: "btn btn-primary btn-sm",
      testid: "offer-accept",
      text: "Accept",
      attrs: { type: "button", disabled: entry.busy },
    });
    accept.addEventListener("click", () => acceptOffer(entry));
    const reject = element("button", {
      className: "btn btn-outline btn-sm",
      testid: "offer-reject",
      text: "Reject",
      attrs: { type: "button", disabled: entry.busy, "aria-expanded": String(entry.rejecting) },
    });
    reject.addEventListener("click", () => openReject(entry));
    entry.countdown = countdown;
    entry.card = element(
      "li",
      { className: `offer-card${entry.arriving ? " is-arriving" : ""}`, testid: "offer-card", attrs: { "data-offer-id": offer.id, "data-interaction-id": offer.interaction?.id } },
      [
        element("div", { className: "offer-top" }, [
          element("span", { className: "offer-customer", testid: "offer-customer", text: customerName(offer.interaction) }),
          countdown,
        ]),
        element("div", { className: "offer-meta" }, [
          element("span", { className: "offer-queue", testid: "offer-queue", text: offer.queue?.name || offer.queue?.key || "" }),
          element("span", { className: "mono", text: offer.interaction?.number || "" }),
        ]),
        element("p", { className: "offer-summary", testid: "offer-summary", text: offerText(offer) }),
        note,
        entry.rejecting ? rejectForm(entry) : element("div", { className: "offer-actions" }, [reject, accept]),
        entry.error ? element("p", { className: "composer-error", testid: "offer-error", text: entry.error }) : null,
      ],
    );
  }

  function rejectForm(entry) {
    const select = element("select", { testid: "offer-reject-reason", attrs: { "aria-label": "Why you reject it" } });
    if (!reasons) select.append(element("option", { text: "Loading reasons…", attrs: { value: "" } }));
    for (const reason of reasons || []) select.append(element("option", { text: reason.text, attrs: { value: reason.id } }));
    const confirm = element("button", {
      className: "btn btn-danger btn-sm",
      testid: "offer-reject-confirm",
      text: "Reject",
      attrs: { type: "button", disabled: entry.busy || !reasons?.length },
    });
    confirm.addEventListener("click", () => rejectOffer(entry, select.value));
    const cancel = element("button", { className: "btn btn-ghost btn-sm", text: "Keep", attrs: { type: "button" } });
    cancel.addEventListener("click", () => {
      entry.rejecting = false;
      rebuild(entry);
    });
    return element("div", { className: "offer-reject" }, [select, element("div", { className: "offer-actions" }, [cancel, confirm])]);
  }

  function rebuild(entry) {
    entry.card = null;
    render();
  }

  async function openReject(entry) {
    entry.rejecting = true;
    entry.error = "";
    rebuild(entry);
    if (!reasons) {
      try {
        const data = await ws.api(REJECT_REASONS, { optional: true });
        reasons = Array.isArray(data) ? data : data?.results || [];
      } catch (failure) {
        entry.error = ws.errorText(failure, "The reasons could not be loaded");
      }
      rebuild(entry);
    }
    entry.card?.querySelector("select")?.focus();
  }

  async function acceptOffer(entry) {
    const { offer } = entry;
    entry.busy = true;
    entry.error = "";
    rebuild(entry);
    try {
      // The conversation with its newest page of messages: the timeline reads its own, so only the rest is kept.
      const { messages, ...interaction } = await ws.api(`${OFFERS}${offer.id}/accept/`, { method: "POST" });
      offers = receiveOfferChange(offers, { offer, state: "accepted" }).offers;
      render();
      ws.receiveInteraction(interaction);
      ws.openInteraction(interaction.id);
      ws.emit("routing-changed");
    } catch (failure) {
      // Taken back (timed out, withdrawn) meanwhile: say so; the reread drops it.
      entry.busy = false;
      entry.error = ws.errorText(failure, "The offer could not be accepted");
      rebuild(entry);
      load();
    }
  }

  async function rejectOffer(entry, reason) {
    const { offer } = entry;
    entry.busy = true;
    rebuild(entry);
    try {
      await ws.api(`${OFFERS}${offer.id}/reject/`, { method: "POST", body: { reason: Number(reason) } });
      offers = receiveOfferChange(offers, { offer, state: "rejected" }).offers;
      render();
    } catch (failure) {
      entry.busy = false;
      entry.error = ws.errorText(failure, "The offer could not be rejected");
      rebuild(entry);
    }
  }

  ws.onLive("offer.changed", (event) => {
    if (!supported) return;
    const change = receiveOfferChange(offers, event);
    offers = change.offers;
    render();
    if (change.arrived) announce(event.offer);
  });
  ws.onLive("live.resync", load);
  ws.on("presence", (me) => {
    presence = me;
    render();
  });
  setInterval(() => {
    if (offers.size) render(); // the countdowns; an offer whose time is up leaves
  }, TICK_MS);
  load();
});
