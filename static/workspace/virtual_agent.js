// The virtual agent in the customer panel: whether it is talking with the customer, and for the agent who holds the
// conversation a way to hand it back to the virtual agent (its menu, or one topic, e.g. the catalog) and to take
// it again. The server decides who may (the same gate as any act in the conversation); this only offers it.

import { element } from "./dom.js";
import { feature } from "./extend.js";
import { mayActIn } from "./holding.js";

feature("virtual-agent", (ws) => {
  let root = null;
  let topics = null; // [{key, name}] once loaded
  let error = "";
  let busy = false;
  let painted = null;

  ws.panelSection({
    id: "virtual-agent",
    className: "history-panel",
    testid: "virtual-agent-panel",
    label: "Virtual agent",
    render(section, interaction) {
      root = section;
      if (topics === null && ws.config.maySend) loadTopics();
      paint(interaction);
    },
  });

  async function loadTopics() {
    topics = [];
    try {
      topics = await ws.api("virtual-agent/topics/", { optional: true });
    } catch (failure) {
      error = ws.errorText(failure, "The virtual agent's topics could not be loaded");
    }
    const shown = ws.selectedInteraction();
    if (shown) paint(shown, { force: true });
  }

  function paint(interaction, { force = false } = {}) {
    if (!root) return;
    const withBot = interaction.automated_responder === "virtual_agent";
    const key = `${interaction.id}:${withBot}:${interaction.is_open}:${topics?.length}:${error}:${busy}`;
    if (!force && painted === key && root.firstChild) return;
    painted = key;
    const heading = element("h3", { className: "panel-section-title", text: "Virtual agent" });
    const parts = [heading];
    parts.push(
      element("p", {
        className: "history-muted",
        testid: "virtual-agent-status",
        text: withBot ? "Talking with the customer now." : "Not in this conversation.",
      }),
    );
    if (interaction.is_open && mayActIn(interaction, ws.config)) {
      if (withBot) {
        parts.push(button("Take it back", "virtual-agent-take", () => send(interaction, "DELETE")));
      } else {
        const choice = element("select", { className: "lifecycle-input", testid: "virtual-agent-topic", attrs: { "aria-label": "Topic" } }, [
          element("option", { text: "Its menu", attrs: { value: "" } }),
          ...(topics || []).map((topic) => element("option", { text: topic.name, attrs: { value: topic.key } })),
        ]);
        parts.push(choice, button("Hand to the virtual agent", "virtual-agent-hand", () => send(interaction, "POST", { topic: choice.value })));
      }
    }
    if (error) parts.push(element("p", { className: "action-error", testid: "virtual-agent-error", text: error }));
    root.replaceChildren(...parts);
  }

  function button(text, testid, run) {
    const node = element("button", { className: "lifecycle-button", testid, text, attrs: { type: "button" } });
    node.disabled = busy;
    node.addEventListener("click", run);
    return node;
  }

  async function send(interaction, method, body) {
    busy = true;
    error = "";
    paint(interaction, { force: true });
    try {
      const answer = await ws.api(`interactions/${interaction.id}/virtual-agent/`, { method, body });
      ws.receiveInteraction(answer);
      interaction = answer;
    } catch (failure) {
      error = ws.errorText(failure, "The virtual agent could not take over");
    } finally {
      busy = false;
      paint(interaction, { force: true });
    }
  }
});
