// The agent's presence in the top bar: available, away (with a reason) or offline, and how many conversations
// they have against their capacity. Routing offers work only to the available; the server's answer and its
// `presence.changed` pushes (another tab, a supervisor, the disconnect timeout) are what is shown.

import { askForNotifications } from "./alerts.js";
import { element } from "./dom.js";
import { feature } from "./extend.js";
import { AWAY_REASONS, PRESENCES, presenceSummary, receivePresenceChange, routingAbsent } from "./routing_state.js";

const ME = "routing/me/";

feature("presence", (ws) => {
  const root = ws.slot("topbar");
  if (!root) return;
  let me = null;
  let menuOpen = false;
  let error = "";

  const button = element("button", {
    className: "presence-button",
    testid: "presence-control",
    attrs: { type: "button", "aria-haspopup": "menu", "aria-expanded": "false" },
  });
  const menu = element("div", { className: "menu presence-menu", testid: "presence-menu", attrs: { role: "menu", hidden: "" } });
  const control = element("div", { className: "presence", attrs: { hidden: "" } }, [button, menu]);
  root.append(control);

  async function load() {
    if (!ws.config.maySend) return; // managers have no presence: not even asked (the API would answer 403)
    try {
      me = await ws.api(ME, { optional: true });
    } catch (failure) {
      if (routingAbsent(failure)) {
        me = null;
        control.hidden = true;
        return;
      }
      console.warn("could not load the presence", failure);
    }
    render();
    if (me) ws.emit("presence", me); // the offers say why none come to an agent who opened the page away
  }

  async function choose(presence, awayReason = "") {
    error = "";
    try {
      const answer = await ws.api(`${ME}presence/`, { method: "POST", body: { presence, away_reason: awayReason } });
      me = { ...me, ...answer };
      menuOpen = false;
      if (presence === "available") askForNotifications(); // a click: the one moment a browser lets us ask
    } catch (failure) {
      error = ws.errorText(failure, "The presence was not changed");
    }
    render();
    ws.emit("presence", me);
  }

  function render() {
    if (!me) return;
    control.hidden = false;
    const summary = presenceSummary(me);
    button.replaceChildren(
      element("span", { className: `presence-dot presence-${summary.tone}`, attrs: { "aria-hidden": "true" } }),
      element("span", { className: "presence-label", testid: "presence-label", text: summary.label }),
      element("span", {
        className: `presence-load${summary.full ? " is-full" : ""}`,
        testid: "presence-load",
        text: summary.load,
        attrs: { title: "Conversations you have / how many you take at once" },
      }),
    );
    button.dataset.presence = me.presence;
    button.setAttribute("aria-expanded", String(menuOpen));
    button.title = "Your presence: routing offers conversations only while you are available";
    menu.hidden = !menuOpen;
    if (menuOpen) menu.replaceChildren(...menuItems());
  }

  function menuItems() {
    const items = PRESENCES.filter(({ value }) => value !== "away").map(({ value, label }) => {
      const option = element("button", {
        testid: `presence-option-${value}`,
        attrs: { type: "button", role: "menuitemradio", "aria-checked": String(me.presence === value) },
      }, [element("span", { className: `presence-dot presence-${value}`, attrs: { "aria-hidden": "true" } }), element("strong", { text: label })]);
      option.addEventListener("click", () => choose(value));
      return option;
    });
    // Away needs a reason: the usual ones as one click each, or one typed.
    const reasons = AWAY_REASONS.map((reason) => {
      const chip = element("button", {
        className: "presence-reason",
        testid: "presence-away-reason",
        text: reason,
        attrs: { type: "button", role: "menuitemradio", "aria-checked": String(me.presence === "away" && me.away_reason === reason) },
      });
      chip.addEventListener("click", () => choose("away", reason));
      return chip;
    });
    const other = element("input", {
      className: "presence-reason-input",
      testid: "presence-away-other",
      attrs: { type: "text", maxlength: "128", placeholder: "Other reason…", "aria-label": "Away for another reason" },
    });
    other.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && other.value.trim()) choose("away", other.value.trim());
    });
    const away = element("div", { className: "presence-away-choice" }, [
      element("div", { className: "presence-away-title" }, [
        element("span", { className: "presence-dot presence-away", attrs: { "aria-hidden": "true" } }),
        element("strong", { text: "Away" }),
      ]),
      element("div", { className: "presence-reasons" }, reasons),
      other,
    ]);
    items.splice(1, 0, away);
    if (error) items.push(element("p", { className: "composer-error", testid: "presence-error", text: error }));
    return items;
  }

  button.addEventListener("click", (event) => {
    event.stopPropagation();
    menuOpen = !menuOpen;
    render();
    if (menuOpen) menu.querySelector("button")?.focus();
  });
  document.addEventListener("click", (event) => {
    if (menuOpen && !control.contains(event.target)) {
      menuOpen = false;
      render();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (menuOpen && event.key === "Escape") {
      menuOpen = false;
      render();
      button.focus();
    }
  });

  ws.onLive("presence.changed", (event) => {
    const next = me && receivePresenceChange(me, event, ws.config.userId);
    if (next && next !== me) {
      me = next;
      render();
      ws.emit("presence", me);
    }
  });
  ws.onLive("live.resync", load);
  ws.on("routing-changed", load); // an offer taken, a conversation closed: the load changed
  load();
});
