// The customer panel's consent section: the current state, its history (the proof), and, for agents,
// "Record opt-in" with its evidence and "Ask to opt in" inside the window. The history is append-only.

import { element } from "./dom.js";
import { isOpen } from "./format.js";
import { feature } from "./extend.js";
import { mayActIn } from "./holding.js";

const STATUS = {
  opted_in: { label: "Opted in", tone: "ok" },
  opted_out: { label: "Opted out", tone: "danger" },
  none: { label: "No consent recorded", tone: "muted" },
};
const AGENT_METHODS = [
  ["web_form", "Web form"],
  ["paper_form", "Paper form"],
  ["verbal", "Told me (phone or in person)"],
];
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const day = (value) => (value ? dateFormat.format(new Date(value)) : "");

let hooks = null;
// The open "Record opt-in" form is built once and kept (with what the agent typed) across repaints, which come
// with every push and clock tick; so is whether the history is open.
const view = {
  channelUserId: null,
  revision: null,
  data: null,
  formOpen: false,
  form: null,
  historyOpen: null,
  error: "",
  busy: false,
  timer: null,
  painted: null,
};

feature("consent", (ws) => {
  hooks = ws;
  ws.panelSection({ id: "consent-panel", className: "consent-panel", testid: "consent-panel", label: "Consent", render: renderConsentPanel });
});

// Called whenever the panel renders; refetches when the customer or their timeline changed (a STOP arrives
// as a message, so a new revision may mean a new consent record).
function renderConsentPanel(root, interaction) {
  panelRoot = root;
  const channelUserId = interaction.channel_user.id;
  if (channelUserId !== view.channelUserId) {
    Object.assign(view, {
      channelUserId,
      revision: interaction.revision,
      data: null,
      formOpen: false,
      form: null,
      historyOpen: null,
      error: "",
    });
    load(channelUserId);
  } else if (interaction.revision !== view.revision) {
    view.revision = interaction.revision;
    clearTimeout(view.timer);
    view.timer = setTimeout(() => load(channelUserId), 400);
  }
  paint(root, interaction);
}

async function load(channelUserId) {
  try {
    const data = await hooks.api(`channel-users/${channelUserId}/consent/`);
    if (view.channelUserId !== channelUserId) return;
    if (JSON.stringify(data) !== JSON.stringify(view.data)) view.data = data; // an unchanged answer repaints nothing
  } catch (error) {
    view.error = hooks.errorText(error, "Consent could not be loaded");
  }
  repaint();
}

let lastInteraction = null;
let panelRoot = null;
function repaint() {
  if (panelRoot && lastInteraction) paint(panelRoot, lastInteraction);
}

function paint(root, interaction) {
  lastInteraction = interaction;
  const data = view.data;
  const window = interaction.service_window || {};
  const painted = [data, view.error, view.formOpen, interaction.id, interaction.state, Boolean(window.open), hooks.config.maySend, interaction.assigned_to_id];
  if (view.painted && painted.every((value, index) => value === view.painted[index]) && root.firstChild) return;
  view.painted = painted;
  const focused = view.form && view.form.contains(document.activeElement) ? document.activeElement : null;
  const heading = element("h3", { className: "panel-section-title", text: "WhatsApp consent" });
  if (!data) {
    root.replaceChildren(heading, element("p", { className: "consent-muted", text: view.error || "Loading…" }));
    return;
  }
  const current = STATUS[data.consent.status || "none"];
  const state = element("div", { className: "consent-state" }, [
    element("span", {
      className: `consent-chip consent-${current.tone}`,
      testid: "consent-state",
      text: current.label,
      attrs: { "data-status": data.consent.status || "none" },
    }),
  ]);
  if (data.consent.at) {
    const latest = data.history.find((record) => record.scope === "all");
    state.append(
      element("span", {
        className: "consent-since",
        text: `since ${day(data.consent.at)}${latest ? ` · ${shortMethod(latest)}` : ""}`,
      }),
    );
  }
  const notes = [];
  if (data.marketing.status === "opted_out") {
    notes.push(element("p", { className: "consent-note", text: `Stopped marketing messages on ${day(data.marketing.at)}.` }));
  }
  if (data.unreachable_since) {
    notes.push(
      element("p", {
        className: "consent-note consent-note-danger",
        text: `Not on WhatsApp: a message was reported undeliverable on ${day(data.unreachable_since)}.`,
      }),
    );
  }
  root.replaceChildren(heading, state, ...notes);
  if (hooks.config.maySend) root.append(actions(interaction));
  if (view.error) root.append(element("p", { className: "composer-error", testid: "consent-error", text: view.error }));
  root.append(history(data.history));
  if (focused && focused.isConnected) {
    const { selectionStart, selectionEnd } = focused;
    focused.focus({ preventScroll: true });
    if (typeof selectionStart === "number") focused.setSelectionRange(selectionStart, selectionEnd);
  }
}

function shortMethod(record) {
  if (record.method === "keyword") return `keyword “${(record.message_text || "").trim()}”`;
  if (record.recorded_by) return `${record.method_label.split(" (")[0]}, by ${record.recorded_by}`;
  return record.method_label.split(" (")[0];
}

function actions(interaction) {
  const box = element("div", { className: "consent-actions" });
  const record = element("button", {
    className: "btn btn-outline btn-sm",
    testid: "record-opt-in",
    text: "Record opt-in",
    attrs: { type: "button", "aria-expanded": String(view.formOpen) },
  });
  record.addEventListener("click", () => {
    view.formOpen = !view.formOpen;
    view.form = null;
    view.error = "";
    repaint();
    if (view.formOpen) view.form?.querySelector("select")?.focus();
    else document.querySelector('[data-testid="record-opt-in"]')?.focus();
  });
  box.append(record);
  const window = interaction.service_window || {};
  const open = isOpen(interaction);
  // The question goes to the customer: not from a colleague reading along.
  if (open && window.open && !view.data.consent.status && mayActIn(interaction, hooks.config)) {
    const ask = element("button", {
      className: "btn btn-ghost btn-sm",
      testid: "ask-opt-in",
      text: "Ask to opt in",
      attrs: { type: "button", title: "Sends the opt-in question; a YES is recorded as their opt-in" },
    });
    ask.addEventListener("click", () => askForOptIn(interaction, ask));
    box.append(ask);
  }
  if (view.formOpen) box.append((view.form ||= optInForm()));
  return box;
}

function optInForm() {
  const form = element("form", { className: "consent-form", testid: "consent-form" });
  const method = element("select", { testid: "consent-method", attrs: { "aria-label": "How the customer agreed" } });
  for (const [value, label] of AGENT_METHODS) method.append(element("option", { text: label, attrs: { value } }));
  const note = element("textarea", {
    testid: "consent-note",
    attrs: { rows: "2", required: true, placeholder: "Evidence: which form, where it is kept, what was said…" },
  });
  const save = element("button", { className: "btn btn-primary btn-sm", testid: "consent-save", text: "Save opt-in", attrs: { type: "submit" } });
  form.append(
    element("label", { className: "consent-field" }, [element("span", { text: "How they agreed" }), method]),
    element("label", { className: "consent-field" }, [element("span", { text: "Evidence" }), note]),
    save,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (view.busy) return;
    view.busy = true;
    save.disabled = true;
    const channelUserId = view.channelUserId;
    try {
      view.data = await hooks.api(`channel-users/${channelUserId}/consent/`, {
        method: "POST",
        body: { status: "opted_in", method: method.value, note: note.value },
      });
      view.formOpen = false;
      view.form = null;
      view.error = "";
      // The template offer (outreach.js) answered before this opt-in; it asks again.
      hooks.emit("consent-changed", { channelUserId });
    } catch (error) {
      view.error = hooks.errorText(error, "The opt-in was not recorded");
    } finally {
      view.busy = false;
      save.disabled = false;
      repaint();
    }
  });
  return form;
}

async function askForOptIn(interaction, button) {
  button.disabled = true;
  try {
    hooks.receiveSentMessage(await hooks.api(`interactions/${interaction.id}/ask-consent/`, { method: "POST" }));
    view.error = "";
  } catch (error) {
    view.error = hooks.errorText(error, "The question was not sent");
  }
  view.painted = null; // the button comes back enabled
  repaint();
}

function history(records) {
  const list = element("ol", { className: "consent-history", testid: "consent-history" });
  for (const record of records) {
    const status = STATUS[record.status];
    const detail = [shortMethod(record), record.scope === "marketing" ? "marketing only" : ""].filter(Boolean).join(" · ");
    const item = element("li", { className: "consent-history-item", testid: "consent-history-item" }, [
      element("div", { className: "consent-history-head" }, [
        element("span", { className: `consent-dot consent-${status.tone}`, attrs: { "aria-hidden": "true" } }),
        element("strong", { text: status.label }),
        element("time", { text: day(record.recorded_at), attrs: { datetime: record.recorded_at } }),
      ]),
      element("div", { className: "consent-history-detail", text: detail }),
      record.note ? element("div", { className: "consent-history-note", text: record.note }) : null,
    ]);
    list.append(item);
  }
  const open = view.historyOpen ?? records.length <= 3;
  const wrapper = element("details", { className: "consent-history-wrap", attrs: { open } }, [
    element("summary", { text: `History (${records.length})` }),
    records.length ? list : element("p", { className: "consent-muted", text: "Nothing recorded yet." }),
  ]);
  wrapper.addEventListener("toggle", () => {
    // Ignores the toggle event of its own initial state: only the agent's choice is kept.
    if (view.historyOpen !== null || wrapper.open !== open) view.historyOpen = wrapper.open;
  });
  return wrapper;
}
