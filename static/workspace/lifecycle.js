// The conversation's lifecycle in the customer panel: put on hold (with what we wait for) and resume, how it closed
// (closing is the header's Close menu), the wrap-up owed after closing, and internal notes (never sent to the customer; written here, beside the
// composer, so no slip of the Enter key can send one to the customer). Notes and whispers get their unmistakable
// look in the timeline. The server owns every rule: a refusal shows its `detail`.

import { element, richText } from "./dom.js";
import { feature } from "./extend.js";
import { mayActIn } from "./holding.js";

let hooks = null;
// Built once per interaction and kept across repaints (which come with every push), so typed text survives.
const view = { interactionId: null, root: null, parts: null, wrapUp: undefined, codes: null, error: "", busy: false };

feature("lifecycle", (ws) => {
  hooks = ws;
  ws.panelSection({
    id: "lifecycle-panel",
    className: "lifecycle-panel",
    testid: "lifecycle-panel",
    label: "Conversation",
    render: renderPanel,
  });
  // A note's body is its text, like a message's; the label the decorator puts above it says what it is.
  ws.renderKind("note", (message) => element("div", { className: "message-text", testid: "message-text" }, [richText(message.text)]));
  ws.decorateMessage(markInternal);
});

// A note (or a supervisor's whisper) says what it is above its text, whatever its kind's body.
function markInternal(message, node) {
  if (!message.internal) return;
  const who = message.author || "A colleague";
  const label = message.whisper_to
    ? `${who} whispers to ${message.whisper_to.name} · not sent to the customer`
    : `Internal note by ${who} · not sent to the customer`;
  const bubble = node.querySelector(".bubble") || node;
  if (!bubble.querySelector(".note-label")) bubble.prepend(element("div", { className: "note-label", testid: "note-label", text: label }));
}

async function call(path, body, done) {
  view.busy = true;
  view.error = "";
  paint();
  try {
    const answer = await hooks.api(path, { method: "POST", body });
    done(answer);
  } catch (error) {
    view.error = hooks.errorText(error, "That did not work");
  } finally {
    view.busy = false;
    paint();
  }
}

function build(interaction) {
  const holdReason = element("input", { className: "lifecycle-input", testid: "hold-reason", attrs: { placeholder: "What are you waiting for?", "aria-label": "Hold reason" } });
  const holdButton = element("button", { className: "lifecycle-button", testid: "hold-button", text: "Put on hold", attrs: { type: "button" } });
  const resumeButton = element("button", { className: "lifecycle-button", testid: "resume-button", text: "Resume", attrs: { type: "button" } });
  const wrapCode = element("select", { className: "lifecycle-input", testid: "wrap-up-code", attrs: { "aria-label": "Resolution code" } });
  const wrapNotes = element("textarea", { className: "lifecycle-input", testid: "wrap-up-notes", attrs: { rows: "2", placeholder: "Wrap-up notes", "aria-label": "Wrap-up notes" } });
  const wrapButton = element("button", { className: "lifecycle-button", testid: "wrap-up-button", text: "Save wrap-up", attrs: { type: "button" } });
  const noCodes = element("p", { className: "lifecycle-status", testid: "wrap-up-no-codes", text: "No resolution codes are set up, so no wrap-up can be given yet: an admin adds them under Routing › Resolution codes." });
  const noteText = element("textarea", { className: "lifecycle-input note-input", testid: "note-text", attrs: { rows: "2", placeholder: "Internal note: colleagues see it, the customer never does", "aria-label": "Internal note" } });
  const noteButton = element("button", { className: "lifecycle-button", testid: "note-button", text: "Add note", attrs: { type: "button" } });
  const id = interaction.id;
  const changed = (answer) => hooks.receiveInteraction(answer);
  holdButton.addEventListener("click", () => call(`interactions/${id}/hold/`, { reason: holdReason.value }, (answer) => {
    holdReason.value = "";
    changed(answer);
  }));
  resumeButton.addEventListener("click", () => call(`interactions/${id}/resume/`, {}, changed));
  wrapButton.addEventListener("click", () => call(`interactions/${id}/wrap-up/`, { resolution_code: Number(wrapCode.value), notes: wrapNotes.value }, (answer) => {
    view.wrapUp = answer;
    hooks.emit("routing-changed"); // the routing history ends with the wrap-up
  }));
  noteButton.addEventListener("click", () => call(`interactions/${id}/notes/`, { text: noteText.value }, (answer) => {
    noteText.value = "";
    hooks.receiveSentMessage(answer);
  }));
  return {
    status: element("p", { className: "lifecycle-status", testid: "lifecycle-status" }),
    hold: element("div", { className: "lifecycle-row", testid: "hold-form" }, [holdReason, holdButton]),
    resume: element("div", { className: "lifecycle-row" }, [resumeButton]),
    wrapUp: element("div", { className: "lifecycle-col", testid: "wrap-up-form" }, [noCodes, wrapCode, wrapNotes, wrapButton]),
    wrapped: element("p", { className: "lifecycle-status", testid: "wrapped-up" }),
    note: element("div", { className: "lifecycle-col", testid: "note-form" }, [noteText, noteButton]),
    error: element("p", { className: "composer-error", testid: "lifecycle-error" }),
    wrapCode,
    wrapButton,
    noCodes,
  };
}

function renderPanel(root, interaction) {
  if (interaction.id !== view.interactionId) {
    Object.assign(view, { interactionId: interaction.id, root, parts: build(interaction), wrapUp: undefined, error: "" });
    root.replaceChildren(
      element("h3", { className: "panel-section-title", text: "Conversation" }),
      ...["status", "hold", "resume", "wrapUp", "wrapped", "note", "error"].map((name) => view.parts[name]),
    );
  }
  view.interaction = interaction;
  if (!interaction.is_open && view.wrapUp === undefined && hooks.config.maySend) loadWrapUp(interaction.id);
  paint();
}

async function loadWrapUp(interactionId) {
  view.wrapUp = null; // asked; null until it answers (or when there is none)
  try {
    view.wrapUp = await hooks.api(`interactions/${interactionId}/wrap-up/`);
  } catch {
    view.wrapUp = null; // none yet: the form is offered
    if (!view.codes) {
      try {
        view.codes = await hooks.api("routing/resolution-codes/");
      } catch (error) {
        view.error = hooks.errorText(error, "Resolution codes could not be loaded");
      }
    }
  }
  if (view.interactionId === interactionId) paint();
}

function paint() {
  const { parts, interaction } = view;
  if (!parts || !interaction) return;
  const agent = mayActIn(interaction, hooks.config); // a colleague's conversation: notes only
  const onHold = interaction.state === "on_hold";
  parts.status.textContent = onHold
    ? `On hold: ${interaction.hold_reason}`
    : interaction.is_open
      ? ""
      : `Closed: ${interaction.state_reason || interaction.state}`;
  parts.status.hidden = !parts.status.textContent;
  parts.hold.hidden = !agent || interaction.state !== "work_in_progress";
  parts.resume.hidden = !agent || !onHold;
  // Owed by whoever closed it; one the desk closed (an idle customer) needs none.
  const closedByMe = interaction.closed_by_id != null && interaction.closed_by_id === hooks.config.userId;
  const owed = agent && !interaction.is_open && closedByMe && view.wrapUp === null && Array.isArray(view.codes);
  parts.wrapUp.hidden = !owed;
  parts.noCodes.hidden = !owed || view.codes.length > 0;
  if (owed && parts.wrapCode.options.length !== view.codes.length) {
    parts.wrapCode.replaceChildren(...view.codes.map((code) => element("option", { text: code.text, attrs: { value: String(code.id) } })));
  }
  parts.wrapped.hidden = !view.wrapUp;
  parts.wrapped.textContent = view.wrapUp ? `Wrapped up: ${view.wrapUp.resolution_code.text}${view.wrapUp.late ? " (late)" : ""}` : "";
  parts.error.hidden = !view.error;
  parts.error.textContent = view.error;
  for (const button of parts.hold.parentNode?.querySelectorAll("button") || []) button.disabled = view.busy;
  parts.wrapButton.disabled ||= owed && view.codes.length === 0; // nothing to choose from
}
