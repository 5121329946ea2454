// The composer's additions: reply to a message (the quote bar), send a location, ask for the customer's location,
// build a list picker or reply buttons, tell the customer and colleagues the agent is typing, and show when a colleague is.
//
// Meta's limits are checked on the server, by the one module that owns them; the builder shows its answer
// (every problem at once) and keeps what the agent typed.

import { element } from "./dom.js";
import { feature } from "./extend.js";

const TYPING_SIGNAL_EVERY_MS = 3000; // the server lets one Cloud API call through per ~20 s
const TYPING_SHOWN_FOR_MS = 6000;
const MAX_BUTTONS = 3;

let ws = null;
let composerInput = null;
let replyTarget = null;
let lastTypingSignal = 0;

// ------------------------------------------------------------------------------------------- replying

const replyBar = element("div", { className: "reply-bar", testid: "reply-bar", attrs: { hidden: "" } }, [
  element("div", { className: "reply-bar-quote" }, [
    element("span", { className: "reply-bar-label" }),
    element("span", { className: "reply-bar-text", testid: "reply-bar-text" }),
  ]),
  element("button", { className: "btn btn-icon btn-sm", testid: "reply-bar-cancel", text: "✕", attrs: { type: "button", title: "Cancel reply" } }),
]);
replyBar.querySelector("button").addEventListener("click", () => setReplyTarget(null));

function setReplyTarget(message) {
  replyTarget = message;
  replyBar.hidden = !message;
  if (!message) return;
  const who = message.direction === "inbound" ? "the customer" : message.author || "WhatsDesk";
  replyBar.querySelector(".reply-bar-label").textContent = `Replying to ${who}`;
  replyBar.querySelector(".reply-bar-text").textContent = message.text || `A ${message.kind} message`;
  composerInput.focus();
}

// ------------------------------------------------------------------------------------------- typing

// Tells the customer and colleagues, at most every few seconds, while the agent types a reply.
function signalTyping(what) {
  if (what === "sent" || what === "selected") {
    setReplyTarget(null);
    lastTypingSignal = 0;
    return;
  }
  const interaction = ws.selectedInteraction();
  if (!interaction || !composerInput.value.trim() || ws.composerBlockedReason() !== null) return;
  const now = Date.now();
  if (now - lastTypingSignal < TYPING_SIGNAL_EVERY_MS) return;
  lastTypingSignal = now;
  ws.sendLive({ type: "typing", interaction_id: interaction.id });
}

const typingNote = element("div", { className: "typing-note", testid: "agent-typing", attrs: { hidden: "", "aria-live": "polite" } });
const typists = new Map(); // agent name -> timer

function renderTypists() {
  const names = [...typists.keys()];
  typingNote.hidden = names.length === 0;
  typingNote.textContent = names.length === 1 ? `${names[0]} is typing…` : `${names.join(", ")} are typing…`;
}

function clearTypists() {
  for (const timer of typists.values()) clearTimeout(timer);
  typists.clear();
  renderTypists();
}

function colleagueTyping(event) {
  const interaction = ws.selectedInteraction();
  if (!interaction || event.interaction_id !== interaction.id || event.agent === ws.config.userName) return;
  clearTimeout(typists.get(event.agent));
  typists.set(
    event.agent,
    setTimeout(() => {
      typists.delete(event.agent);
      renderTypists();
    }, TYPING_SHOWN_FOR_MS),
  );
  renderTypists();
}

// A colleague's reply arrived: they are no longer typing it.
function colleagueSent(event) {
  if (event.message.direction !== "outbound" || !typists.has(event.message.author)) return;
  clearTimeout(typists.get(event.message.author));
  typists.delete(event.message.author);
  renderTypists();
}

// ------------------------------------------------------------------------------------------- builders

const dialog = element("dialog", { className: "builder", testid: "builder" });

function field(label, name, { multiline = false, hint, testid, ...attrs } = {}) {
  const input = element(multiline ? "textarea" : "input", {
    testid: testid || `builder-${name}`,
    attrs: { name, autocomplete: "off", rows: multiline ? "3" : undefined, ...attrs },
  });
  return element("label", { className: "builder-field" }, [
    element("span", { className: "builder-label" }, [document.createTextNode(label), hint ? element("small", { text: hint }) : null]),
    input,
  ]);
}

function openBuilder(title, form, submit) {
  const problems = element("ul", { className: "builder-problems", testid: "builder-problems", attrs: { hidden: "" } });
  const send = element("button", { className: "btn btn-primary", testid: "builder-send", text: "Send", attrs: { type: "submit" } });
  const cancel = element("button", { className: "btn btn-outline", text: "Cancel", attrs: { type: "button" } });
  cancel.addEventListener("click", () => dialog.close());
  const replying = replyTarget
    ? element("p", { className: "builder-note", text: `Sent as a reply to: ${replyTarget.text || replyTarget.kind}` })
    : null;
  const wrapper = element("form", { className: "builder-form", attrs: { method: "dialog", novalidate: "" } }, [
    element("header", { className: "builder-head" }, [element("h2", { text: title })]),
    element("div", { className: "builder-scroll" }, [form, replying]),
    problems,
    element("footer", { className: "builder-foot" }, [cancel, send]),
  ]);
  wrapper.addEventListener("submit", async (event) => {
    event.preventDefault();
    const interaction = ws.selectedInteraction();
    if (!interaction) return;
    send.disabled = true;
    problems.hidden = true;
    try {
      const body = { ...submit(), ...(replyTarget ? { reply_to: replyTarget.id } : {}) };
      const message = await ws.api(`interactions/${interaction.id}/messages/`, { method: "POST", body });
      ws.receiveSentMessage(message);
      setReplyTarget(null);
      dialog.close();
    } catch (error) {
      const listed = error.body?.problems || [ws.errorText(error, "Not sent")];
      problems.replaceChildren(...listed.map((text) => element("li", { text })));
      problems.hidden = false;
    } finally {
      send.disabled = false;
    }
  });
  dialog.replaceChildren(wrapper);
  dialog.showModal();
  wrapper.querySelector("input, textarea")?.focus();
}

const value = (root, name) => root.querySelector(`[name="${name}"]`).value;

function openLocationBuilder() {
  const form = element("div", { className: "builder-grid" }, [
    field("Place name", "name", { placeholder: "Our shop" }),
    field("Address", "address", { placeholder: "12 High Street, Bristol" }),
    field("Latitude", "latitude", { inputmode: "decimal", placeholder: "51.4545", hint: " −90 to 90" }),
    field("Longitude", "longitude", { inputmode: "decimal", placeholder: "-2.5879", hint: " −180 to 180" }),
  ]);
  openBuilder("Send a location", form, () => ({
    kind: "location",
    content: {
      name: value(form, "name"),
      address: value(form, "address"),
      latitude: value(form, "latitude"),
      longitude: value(form, "longitude"),
    },
  }));
}

// The customer answers with a location of their own, quoting the request; WhatsApp draws the button.
function openLocationRequestBuilder() {
  const form = element("div", { className: "builder-grid" }, [
    field("Message", "body", {
      multiline: true,
      hint: " the customer gets a “Send location” button under it",
      testid: "builder-location-request-body",
    }),
  ]);
  form.querySelector("textarea").value = "Could you share your location, please?";
  openBuilder("Ask for the customer's location", form, () => ({
    kind: "interactive",
    content: { type: "location_request", body: value(form, "body") },
  }));
}

function rowEditor() {
  const row = element("div", { className: "builder-row", testid: "builder-row" }, [
    field("Row title", "row-title", { testid: "builder-row-title", hint: " up to 24" }),
    field("Description", "row-description", { testid: "builder-row-description", hint: " optional, up to 72" }),
  ]);
  const remove = element("button", { className: "btn btn-icon btn-sm", text: "✕", attrs: { type: "button", title: "Remove row" } });
  remove.addEventListener("click", () => row.remove());
  row.append(remove);
  return row;
}

function sectionEditor() {
  const rows = element("div", { className: "builder-rows" }, [rowEditor()]);
  const addRow = element("button", { className: "btn btn-outline btn-sm", testid: "builder-add-row", text: "+ Row", attrs: { type: "button" } });
  addRow.addEventListener("click", () => rows.append(rowEditor()));
  return element("fieldset", { className: "builder-section", testid: "builder-section" }, [
    field("Section title", "section-title", { testid: "builder-section-title", hint: " needed with several sections" }),
    rows,
    addRow,
  ]);
}

function commonFields() {
  return [
    field("Header", "header", { hint: " optional, up to 60" }),
    field("Body", "body", { multiline: true }),
    field("Footer", "footer", { hint: " optional, up to 60" }),
  ];
}

function openListBuilder() {
  const sections = element("div", { className: "builder-sections" }, [sectionEditor()]);
  const addSection = element("button", { className: "btn btn-outline btn-sm", testid: "builder-add-section", text: "+ Section", attrs: { type: "button" } });
  addSection.addEventListener("click", () => sections.append(sectionEditor()));
  const form = element("div", { className: "builder-grid" }, [
    ...commonFields(),
    field("Button label", "button", { hint: " opens the list, up to 20", placeholder: "See options" }),
    sections,
    addSection,
  ]);
  openBuilder("Send a list picker", form, () => ({
    kind: "interactive",
    content: {
      type: "list",
      header: value(form, "header"),
      body: value(form, "body"),
      footer: value(form, "footer"),
      button: value(form, "button"),
      sections: [...sections.querySelectorAll(".builder-section")].map((section) => ({
        title: value(section, "section-title"),
        rows: [...section.querySelectorAll(".builder-row")].map((row) => ({
          title: value(row, "row-title"),
          description: value(row, "row-description"),
        })),
      })),
    },
  }));
}

function openButtonsBuilder() {
  const buttons = element(
    "div",
    { className: "builder-buttons" },
    Array.from({ length: MAX_BUTTONS }, (_, index) =>
      field(`Button ${index + 1}`, `button-${index}`, {
        testid: "builder-button-title",
        hint: index === 0 ? " up to 20" : " optional",
      }),
    ),
  );
  const form = element("div", { className: "builder-grid" }, [...commonFields(), buttons]);
  openBuilder("Send reply buttons", form, () => ({
    kind: "interactive",
    content: {
      type: "buttons",
      header: value(form, "header"),
      body: value(form, "body"),
      footer: value(form, "footer"),
      buttons: Array.from({ length: MAX_BUTTONS }, (_, index) => ({ title: value(form, `button-${index}`) })).filter(
        (button) => button.title.trim(),
      ),
    },
  }));
}

// Our own constant markup, never customer text.
const TOOL_ICONS = {
  location:
    '<svg viewBox="0 0 20 20" aria-hidden="true"><path d="M10 18s6-5.6 6-10a6 6 0 1 0-12 0c0 4.4 6 10 6 10z" fill="none" stroke="currentColor" stroke-width="1.7"/><circle cx="10" cy="8" r="2" fill="currentColor"/></svg>',
  list: '<svg viewBox="0 0 20 20" aria-hidden="true"><path d="M7 5h10M7 10h10M7 15h10" stroke="currentColor" stroke-width="1.7" stroke-linecap="round"/><circle cx="3.5" cy="5" r="1.2" fill="currentColor"/><circle cx="3.5" cy="10" r="1.2" fill="currentColor"/><circle cx="3.5" cy="15" r="1.2" fill="currentColor"/></svg>',
  ask: '<svg viewBox="0 0 20 20" aria-hidden="true"><path d="M10 18s6-5.6 6-10a6 6 0 1 0-12 0c0 4.4 6 10 6 10z" fill="none" stroke="currentColor" stroke-width="1.7"/><path d="M8.3 6.6a1.8 1.8 0 1 1 2.4 1.7c-.5.2-.7.5-.7 1v.3" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"/><circle cx="10" cy="11.3" r=".8" fill="currentColor"/></svg>',
  buttons:
    '<svg viewBox="0 0 20 20" aria-hidden="true"><rect x="2.5" y="3" width="15" height="5.5" rx="2" fill="none" stroke="currentColor" stroke-width="1.6"/><rect x="2.5" y="11.5" width="15" height="5.5" rx="2" fill="none" stroke="currentColor" stroke-width="1.6"/></svg>',
};
const TOOLS = [
  { testid: "compose-location", label: "Location", title: "Send a location", glyph: "location", open: openLocationBuilder },
  {
    testid: "compose-location-request",
    label: "Ask for location",
    title: "Ask the customer to share their location",
    glyph: "ask",
    open: openLocationRequestBuilder,
  },
  { testid: "compose-list", label: "List", title: "Send a list picker", glyph: "list", open: openListBuilder },
  { testid: "compose-buttons", label: "Buttons", title: "Send reply buttons", glyph: "buttons", open: openButtonsBuilder },
];

feature("rich-composer", (workspace) => {
  ws = workspace;
  composerInput = ws.slot("composer-input");
  ws.slot("composer-box").before(replyBar);
  ws.on("reply-to", setReplyTarget);
  ws.transformOutgoing((body) => (replyTarget ? { ...body, reply_to: replyTarget.id } : body));
  ws.onComposer(signalTyping);
  ws.slot("timeline-wrap").append(typingNote);
  ws.onComposer((what) => {
    if (what === "selected") clearTypists();
  });
  ws.onLive("agent.typing", colleagueTyping);
  ws.onLive("message.changed", colleagueSent);
  document.body.append(dialog);
  for (const tool of TOOLS) {
    ws.composerAction({ testid: tool.testid, label: tool.label, title: tool.title, icon: TOOL_ICONS[tool.glyph], run: tool.open });
  }
});
