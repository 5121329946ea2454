// "Transfer" in the conversation's header: a dialog to hand the conversation to a queue (open now? how many
// wait?) or to another agent (presence, load), with a note the receiver's offer shows. The server releases the
// conversation from this agent at once, so it leaves their list; its refusals (400/403/409) are shown as said.
// Agents come from GET /api/v1/routing/agents/; a server without it offers queues only.

import { element } from "./dom.js";
import { feature } from "./extend.js";
import { customerName, interactionLabel, isOpen } from "./format.js";
import { mayActIn } from "./holding.js";
import { routingAbsent } from "./routing_state.js";
import { agentChoices, queueChoices, transferBody } from "./transfer_choices.js";

const NOTICE_MS = 8000;

feature("transfer", (ws) => {
  const root = ws.slot("conversation-tools");
  if (!root || !ws.config.maySend) return;

  const button = element("button", {
    className: "btn btn-outline btn-sm",
    testid: "transfer-button",
    text: "Transfer",
    attrs: { type: "button", "aria-haspopup": "dialog", hidden: "" },
  });
  root.append(button);
  const notice = element("p", { className: "transfer-notice", testid: "transfer-notice", attrs: { role: "status", hidden: "" } });
  ws.slot("sidebar-top")?.append(notice);
  let noticeTimer = null;

  const title = element("h2", { text: "Transfer", attrs: { id: "transfer-title" } });
  const subtitle = element("p", { className: "transfer-sub" });
  const queues = element("fieldset", { className: "transfer-group", testid: "transfer-queues" });
  const agents = element("fieldset", { className: "transfer-group", testid: "transfer-agents" });
  const note = element("textarea", {
    testid: "transfer-note",
    attrs: { rows: "3", maxlength: "2000", placeholder: "What they should know: what was asked, what you tried…", id: "transfer-note" },
  });
  const error = element("p", { className: "composer-error", testid: "transfer-error", attrs: { role: "alert", hidden: "" } });
  const cancel = element("button", { className: "btn btn-ghost btn-sm", text: "Cancel", attrs: { type: "button" } });
  const send = element("button", { className: "btn btn-primary btn-sm", testid: "transfer-send", text: "Transfer", attrs: { type: "submit" } });
  const form = element("form", { className: "transfer-form" }, [
    element("div", { className: "transfer-head" }, [element("div", {}, [title, subtitle])]),
    element("div", { className: "transfer-targets" }, [queues, agents]),
    element("label", { className: "transfer-field", attrs: { for: "transfer-note" } }, [element("span", { text: "Note for whoever takes it" })]),
    note,
    error,
    element("div", { className: "transfer-actions" }, [cancel, send]),
  ]);
  const dialog = element("dialog", { className: "outreach-dialog transfer-dialog", testid: "transfer-dialog", attrs: { "aria-labelledby": "transfer-title" } }, [form]);
  document.body.append(dialog);

  let interaction = null;
  let busy = false;

  const chosen = () => form.querySelector('input[name="transfer-to"]:checked')?.value || "";
  const updateSend = () => {
    send.disabled = busy || transferBody(chosen(), note.value) === null;
  };
  form.addEventListener("change", updateSend);

  function showError(text) {
    error.hidden = !text;
    error.textContent = text || "";
  }

  function fillGroup(group, legend, choices, emptyText) {
    const options = choices.map((choice) =>
      element("label", { className: `transfer-option${choice.muted ? " is-muted" : ""}`, testid: "transfer-option" }, [
        element("input", { attrs: { type: "radio", name: "transfer-to", value: choice.value } }),
        element("span", { className: "transfer-option-text" }, [
          element("strong", { text: choice.label }),
          element("span", { className: "transfer-option-detail", text: choice.detail }),
        ]),
      ]),
    );
    group.replaceChildren(
      element("legend", { text: legend }),
      ...(options.length ? options : [element("p", { className: "transfer-empty", text: emptyText })]),
    );
  }

  async function loadChoices() {
    fillGroup(queues, "Queues", [], "Loading…");
    agents.hidden = false;
    fillGroup(agents, "Agents", [], "Loading…");
    const [queueAnswer, agentAnswer] = await Promise.allSettled([
      ws.api("routing/queues/", { optional: true }),
      ws.api("routing/agents/", { optional: true }),
    ]);
    if (queueAnswer.status === "fulfilled") fillGroup(queues, "Queues", queueChoices(queueAnswer.value), "No queues are set up.");
    else fillGroup(queues, "Queues", [], ws.errorText(queueAnswer.reason, "The queues could not be loaded"));
    if (agentAnswer.status === "fulfilled") {
      fillGroup(agents, "Agents", agentChoices(agentAnswer.value, ws.config.userId), "No other agents.");
    } else if (routingAbsent(agentAnswer.reason)) {
      agents.hidden = true; // this server lists no agents: transfer to a queue
    } else {
      fillGroup(agents, "Agents", [], ws.errorText(agentAnswer.reason, "The agents could not be loaded"));
    }
    updateSend();
  }

  function open() {
    interaction = ws.selectedInteraction();
    if (!interaction) return;
    form.reset();
    showError("");
    title.textContent = `Transfer ${interactionLabel(interaction)}`;
    subtitle.textContent = `${customerName(interaction)}: to a queue, or to an agent who is offered it first.`;
    busy = false;
    updateSend();
    dialog.showModal();
    loadChoices().then(() => form.querySelector('input[name="transfer-to"]')?.focus());
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = transferBody(chosen(), note.value);
    if (!body || busy || !interaction) return;
    const target = form.querySelector('input[name="transfer-to"]:checked')?.closest("label")?.querySelector("strong")?.textContent;
    busy = true;
    updateSend();
    showError("");
    try {
      const answer = await ws.api(`interactions/${interaction.id}/transfer/`, { method: "POST", body });
      dialog.close();
      ws.receiveInteraction(answer);
      if (ws.selectedInteraction()?.id === answer.id) ws.openInteraction(null);
      ws.refreshInteractions(); // no longer this agent's: the list reread leaves it out
      ws.emit("routing-changed");
      announce(`${interactionLabel(answer)} (${customerName(answer)}) transferred to ${target}.`);
    } catch (failure) {
      showError(ws.errorText(failure, "The conversation was not transferred"));
    } finally {
      busy = false;
      updateSend();
    }
  });

  function announce(text) {
    notice.textContent = text;
    notice.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => {
      notice.hidden = true;
    }, NOTICE_MS);
  }

  button.addEventListener("click", open);
  cancel.addEventListener("click", () => dialog.close());
  note.addEventListener("input", updateSend);
  // Shown with every render of the conversation (the composer renders with it): only an open one moves.
  ws.composerSection((current) => {
    button.hidden = !current || !isOpen(current) || !mayActIn(current, ws.config);
  });
});
