// The customer's earlier conversations in the panel: number, dates, state and last message of each; a click
// opens it in the timeline, read-only when it is closed (the composer says why). Reread when another customer
// is shown, when the one on screen changes state, and after a resync.

import { element } from "./dom.js";
import { feature } from "./extend.js";
import { STATE_LABELS, dateAndTime, interactionLabel, parseDate } from "./format.js";
import { lastMessageLine, otherConversations } from "./customer_history.js";

const SHOWN = 20;

feature("past-conversations", (ws) => {
  let root = null;
  let shownFor = null; // "<channel user>:<interaction>:<state>" of the last load
  let rows = null;
  let error = "";
  let painted = null;
  let generation = 0;

  ws.panelSection({
    id: "past-conversations",
    className: "history-panel",
    testid: "past-conversations",
    label: "Earlier conversations",
    render(section, interaction) {
      root = section;
      const key = `${interaction.channel_user.id}:${interaction.id}:${interaction.state}`;
      if (key !== shownFor) {
        if (!shownFor || !shownFor.startsWith(`${interaction.channel_user.id}:${interaction.id}:`)) rows = null;
        shownFor = key;
        load(interaction);
      }
      paint();
    },
  });

  async function load(interaction) {
    const asked = ++generation;
    try {
      const data = await ws.api(`interactions/?channel_user=${interaction.channel_user.id}&limit=${SHOWN + 1}`);
      if (asked !== generation) return;
      rows = otherConversations(data, interaction.id);
      error = "";
    } catch (failure) {
      if (asked !== generation) return;
      error = ws.errorText(failure, "The earlier conversations could not be loaded");
    }
    paint();
  }

  // Repaints only when what it shows changed: the panel renders with every push and clock tick.
  function paint() {
    if (!root || (painted && painted[0] === rows && painted[1] === error && root.firstChild)) return;
    painted = [rows, error];
    const heading = element("h3", {
      className: "panel-section-title",
      text: rows ? `Earlier conversations (${rows.length})` : "Earlier conversations",
    });
    if (!rows) {
      root.replaceChildren(heading, element("p", { className: "history-muted", text: error || "Loading…" }));
      return;
    }
    if (!rows.length) {
      root.replaceChildren(heading, element("p", { className: "history-muted", testid: "past-conversations-empty", text: "This is their first conversation." }));
      return;
    }
    const list = element("ul", { className: "past-list" });
    for (const past of rows.slice(0, SHOWN)) list.append(row(past));
    root.replaceChildren(heading, list);
  }

  function row(past) {
    const opened = dateAndTime(parseDate(past.opened_at));
    const dates = past.closed_at ? `${opened} – ${dateAndTime(parseDate(past.closed_at))}` : `since ${opened}`;
    const open = element(
      "button",
      {
        className: "past-item",
        testid: "past-conversation",
        attrs: { type: "button", "data-interaction-id": past.id, title: "Open it in the timeline" },
      },
      [
        element("span", { className: "past-top" }, [
          element("span", { className: "mono past-number", text: interactionLabel(past) }),
          element("span", { className: `state-pill state-${past.state}`, text: STATE_LABELS[past.state] || past.state }),
        ]),
        element("span", { className: "past-dates", text: dates }),
        element("span", { className: "past-last", testid: "past-conversation-last", text: lastMessageLine(past) }),
      ],
    );
    open.addEventListener("click", () => ws.openInteraction(past.id));
    return element("li", {}, [open]);
  }

  ws.onLive("live.resync", () => {
    const current = ws.selectedInteraction();
    if (current) load(current);
  });
});
