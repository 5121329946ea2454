// The supervisor's live view: queue tiles, the agents and the conversations in progress, from one snapshot
// (GET /api/v1/routing/supervisor/). It speaks to the server through the workspace's own modules (api.js, the live
// connection of live.js). Live events are hints to refetch the snapshot (coalesced, see refresh.js), never patched
// in; a poll every 15 s covers a socket that is down. Durations tick each second on the server's clock.

import { api, configureApi, errorText } from "../workspace/api.js";
import { createLiveConnection } from "../workspace/live.js";
import { clockOffset } from "./durations.js";
import { createRefresher } from "./refresh.js";
import { createAgentRow, createConversationRow, createQueueTile, syncRows } from "./views.js";

const REFETCH_DELAY_MS = 250;
const POLL_EVERY_MS = 15 * 1000;
const TICK_EVERY_MS = 1000;
// Each is a hint that queues, agents or conversations changed (the connection's own `hello` and `live.resync`
// come as onResync). A message's event moves the snapshot only when it carries its interaction (a new message);
// a status tick alone does not.
const HINTS = new Set([
  "routing.changed",
  "presence.changed",
  "offer.changed",
  "interaction.changed",
]);

const byId = (id) => document.getElementById(id);
const dom = {
  banner: document.querySelector('[data-testid="connection-banner"]'),
  bannerText: document.querySelector(".connection-banner-text"),
  liveIndicator: byId("live-indicator"),
  liveText: byId("live-text"),
  error: byId("supervisor-error"),
  queueTiles: byId("queue-tiles"),
  queuesEmpty: byId("queues-empty"),
  agentRows: byId("agent-rows"),
  agentsEmpty: byId("agents-empty"),
  agentsAvailable: byId("agents-available"),
  conversationRows: byId("conversation-rows"),
  conversationsEmpty: byId("conversations-empty"),
  conversationsCount: byId("conversations-count"),
  reassignDialog: byId("reassign-dialog"),
  reassignForm: byId("reassign-form"),
  reassignSubject: byId("reassign-subject"),
  reassignCurrent: byId("reassign-current"),
  reassignAgent: byId("reassign-agent"),
  reassignNote: byId("reassign-note"),
  reassignError: byId("reassign-error"),
  whisperDialog: byId("whisper-dialog"),
  whisperForm: byId("whisper-form"),
  whisperAgent: byId("whisper-agent"),
  whisperText: byId("whisper-text"),
  whisperError: byId("whisper-error"),
};

const state = {
  snapshot: null,
  offsetMs: 0,
  greeted: false, // the socket said hello since it last dropped
  dialogSubject: null, // the conversation a dialog is about
  dialogOpener: null, // the button to give focus back to
};
const rows = { queues: new Map(), agents: new Map(), conversations: new Map() };

function showError(text) {
  dom.error.textContent = text;
  dom.error.hidden = !text;
}

// ------------------------------------------------------------------------------------------ drawing

function render() {
  const { queues, agents, conversations } = state.snapshot;
  syncRows(dom.queueTiles, queues, rows.queues, createQueueTile);
  dom.queuesEmpty.hidden = queues.length > 0;

  syncRows(dom.agentRows, agents, rows.agents, () => createAgentRow({ onForceOffline: forceOffline }));
  dom.agentsEmpty.hidden = agents.length > 0;
  const available = agents.filter((agent) => agent.presence === "available").length;
  dom.agentsAvailable.textContent = `${available} of ${agents.length} available`;

  syncRows(dom.conversationRows, conversations, rows.conversations, () =>
    createConversationRow({ onReassign: openReassign, onWhisper: openWhisper }),
  );
  dom.conversationsEmpty.hidden = conversations.length > 0;
  dom.conversationsCount.textContent = String(conversations.length);
  tick();
}

function tick() {
  const clock = { nowMs: Date.now(), offsetMs: state.offsetMs };
  for (const group of Object.values(rows)) for (const row of group.values()) row.tick(clock);
  if (!live.connected) state.greeted = false;
  showLiveStatus();
}

async function fetchSnapshot() {
  try {
    const sentAt = Date.now();
    const snapshot = await api("routing/supervisor/");
    // Half the round trip is the best guess of when the server read its clock.
    state.offsetMs = clockOffset(snapshot.generated_at, (sentAt + Date.now()) / 2);
    state.snapshot = snapshot;
    render();
    showError("");
    document.documentElement.dataset.supervisorReady = "true";
  } catch (error) {
    showError(`${errorText(error, "The view could not be refreshed")} It is tried again shortly.`);
  }
}

const refresher = createRefresher(fetchSnapshot, { delayMs: REFETCH_DELAY_MS });

// ------------------------------------------------------------------------------------------ live

function receiveLiveEvent(event) {
  if (HINTS.has(event.type) || (event.type === "message.changed" && event.interaction)) refresher.request();
}

// After every (re)connect what was pushed meanwhile is gone: read the snapshot again.
function resynchronise() {
  state.greeted = true;
  showLiveStatus();
  refresher.request();
}

// The banner (live.js) says how a lost connection is being retried; this says whether the view is live now.
const LIVE_TEXT = { live: "Live", connecting: "Connecting…", polling: "Refreshing every 15 s" };

function showLiveStatus() {
  const status = state.greeted ? "live" : live.connected ? "connecting" : "polling";
  if (dom.liveIndicator.dataset.state === status) return;
  dom.liveIndicator.dataset.state = status;
  dom.liveText.textContent = LIVE_TEXT[status];
}

const live = createLiveConnection({
  banner: dom.banner,
  bannerText: dom.bannerText,
  onEvent: receiveLiveEvent,
  onResync: resynchronise,
});
configureApi({
  csrfToken: JSON.parse(byId("supervisor-csrf-token").textContent),
  onSignedOut: live.showSignedOut,
});

// ------------------------------------------------------------------------------------------ actions

async function forceOffline(agent, button) {
  button.disabled = true;
  try {
    await api(`routing/supervisor/agents/${agent.id}/presence/`, {
      method: "POST",
      body: { presence: "offline" },
    });
    showError("");
  } catch (error) {
    showError(errorText(error, `${agent.name} could not be set offline`));
    button.disabled = false;
  }
  refresher.now();
}

function openDialog(dialog, conversation, opener) {
  state.dialogSubject = conversation;
  state.dialogOpener = opener;
  dialog.showModal();
}

function closeDialog(dialog) {
  dialog.close();
}

function restoreFocus() {
  const opener = state.dialogOpener;
  state.dialogSubject = null;
  state.dialogOpener = null;
  if (opener && opener.isConnected) opener.focus();
}

function openReassign(conversation, opener) {
  dom.reassignSubject.textContent = conversation.customer;
  dom.reassignCurrent.textContent = `Now with ${conversation.agent}.`;
  const choices = state.snapshot.agents.filter((agent) => agent.id !== conversation.agent_id);
  dom.reassignAgent.replaceChildren(
    ...choices.map((agent) => {
      const option = document.createElement("option");
      option.value = String(agent.id);
      option.textContent = `${agent.name} · ${agent.presence_label} · ${agent.load}/${agent.capacity}`;
      return option;
    }),
  );
  dom.reassignNote.value = "";
  dom.reassignError.hidden = true;
  openDialog(dom.reassignDialog, conversation, opener);
}

function openWhisper(conversation, opener) {
  dom.whisperAgent.textContent = conversation.agent;
  dom.whisperText.value = "";
  dom.whisperError.hidden = true;
  openDialog(dom.whisperDialog, conversation, opener);
}

async function submitDialog(event, { dialog, errorNode, fallback, send }) {
  event.preventDefault();
  const submit = event.target.querySelector("[type=submit]");
  submit.disabled = true;
  try {
    await send(state.dialogSubject);
    closeDialog(dialog);
    refresher.now();
  } catch (error) {
    errorNode.textContent = errorText(error, fallback);
    errorNode.hidden = false;
  } finally {
    submit.disabled = false;
  }
}

function wire() {
  dom.reassignForm.addEventListener("submit", (event) =>
    submitDialog(event, {
      dialog: dom.reassignDialog,
      errorNode: dom.reassignError,
      fallback: "The conversation could not be reassigned",
      send: (conversation) =>
        api("routing/supervisor/reassign/", {
          method: "POST",
          body: {
            interaction: conversation.id,
            to_agent: Number(dom.reassignAgent.value),
            note: dom.reassignNote.value.trim(),
          },
        }),
    }),
  );
  dom.whisperForm.addEventListener("submit", (event) =>
    submitDialog(event, {
      dialog: dom.whisperDialog,
      errorNode: dom.whisperError,
      fallback: "The whisper could not be sent",
      send: (conversation) =>
        api("routing/supervisor/whisper/", {
          method: "POST",
          body: { interaction: conversation.id, text: dom.whisperText.value.trim() },
        }),
    }),
  );
  for (const dialog of [dom.reassignDialog, dom.whisperDialog]) {
    dialog.addEventListener("close", restoreFocus);
    for (const cancel of dialog.querySelectorAll("[data-dialog-cancel]")) {
      cancel.addEventListener("click", () => closeDialog(dialog));
    }
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    live.reconnectNow();
    refresher.request();
  });
  window.addEventListener("online", live.reconnectNow);
  setInterval(tick, TICK_EVERY_MS);
  setInterval(refresher.request, POLL_EVERY_MS);
}

wire();
refresher.now();
live.connect();
