// The routing history in the customer panel: queued, offered to whom, rejected why, transferred with the note,
// reassigned, closed, wrapped up (GET interactions/<id>/routing-history/, the admin record's entries). Read again
// when the interaction changes (a reassignment or transfer bumps its revision) or this agent's routing did (the
// workspace's "routing-changed"); every value goes in as text.

import { api, errorText } from "./api.js";
import { element } from "./dom.js";
import { feature } from "./extend.js";
import { dateAndTime, parseDate } from "./format.js";

const RELOAD_DELAY_MS = 400;
const view = { root: null, interactionId: null, revision: null, entries: null, error: "", timer: null };

feature("routing-history", (ws) => {
  ws.panelSection({
    id: "routing-history",
    className: "routing-history",
    testid: "routing-history",
    label: "Routing history",
    render,
  });
  // An offer taken, a transfer, a wrap-up: entries no revision of the timeline announces.
  ws.on("routing-changed", () => {
    if (view.interactionId !== null) load(view.interactionId);
  });
});

function render(root, interaction) {
  view.root = root;
  if (interaction.id !== view.interactionId) {
    Object.assign(view, { interactionId: interaction.id, revision: interaction.revision, entries: null, error: "" });
    load(interaction.id);
  } else if (interaction.revision !== view.revision) {
    view.revision = interaction.revision;
    clearTimeout(view.timer);
    view.timer = setTimeout(() => load(interaction.id), RELOAD_DELAY_MS);
  }
  paint();
}

async function load(interactionId) {
  try {
    const entries = await api(`interactions/${interactionId}/routing-history/`, { optional: true });
    if (interactionId !== view.interactionId) return;
    Object.assign(view, { entries, error: "" });
  } catch (error) {
    if (interactionId !== view.interactionId) return;
    view.error = errorText(error, "The routing history could not be loaded");
  }
  paint();
}

function entryNode(entry) {
  const about = [entry.agent, entry.queue].filter(Boolean).join(" · ");
  const when = `${dateAndTime(parseDate(entry.at))}${entry.actor ? ` · by ${entry.actor}` : ""}`;
  const attrs = { "data-kind": entry.kind };
  return element("li", { className: "routing-history-entry", testid: "routing-history-entry", attrs }, [
    element("span", { className: "routing-history-what", text: about ? `${entry.label} · ${about}` : entry.label }),
    entry.reason ? element("span", { className: "routing-history-reason", text: entry.reason }) : null,
    entry.note ? element("span", { className: "routing-history-note", text: entry.note }) : null,
    element("time", { className: "routing-history-when", text: when, attrs: { datetime: entry.at } }),
  ]);
}

function paint() {
  if (!view.root) return;
  const heading = element("h3", { className: "panel-section-title", text: "Routing history" });
  if (view.error || view.entries === null || view.entries.length === 0) {
    const text = view.error || (view.entries === null ? "Loading…" : "Not routed: no queue, offer or transfer yet.");
    view.root.replaceChildren(heading, element("p", { className: "routing-history-empty", text }));
    return;
  }
  view.root.replaceChildren(heading, element("ol", { className: "routing-history-list" }, view.entries.map(entryNode)));
}
