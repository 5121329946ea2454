// The agent workspace: the open interactions, one timeline, the composer and the customer panel, kept live.
// This module only wires: the store (state and the cursor logic) tells the views what changed, the live
// connection feeds the store, and the features (feature modules imported below) plug in through extend.js.

import { ApiError, api, configureApi, errorText } from "./api.js";
import { createComposer } from "./composer.js";
import { createConversation } from "./conversation.js";
import { dispatchLive, extensionPoints, notifyComposer, startFeatures } from "./extend.js";
import { mayActIn } from "./holding.js";
import { createList } from "./list.js";
import { createLiveConnection } from "./live.js";
import { createPanel } from "./panel.js";
import { createStore } from "./store.js";
import { createTimelineView } from "./timeline.js";
// The features, each registering itself with feature(...). Their order is the order their decorations go onto
// a message, their tools into the composer and their sections into the panel.
import "./message_marks.js";
import "./rich_messages.js";
import "./rich_composer.js";
import "./media.js";
import "./templates.js";
import "./customer_service.js";
import "./consent.js";
import "./outreach.js";
import "./presence.js";
import "./offers.js";
import "./queue_fact.js";
import "./lifecycle.js";
import "./transfer.js";
import "./past_conversations.js";
import "./routing_history.js";
import "./virtual_agent.js";
import "./canned.js";
import "./my_responses.js";

const CLOCK_TICK_MS = 30 * 1000;

const readJsonScript = (id) => JSON.parse(document.getElementById(id).textContent);
const config = {
  maySend: readJsonScript("workspace-may-send"),
  onlyAssigneeActs: readJsonScript("workspace-only-assignee-acts"),
  userName: readJsonScript("workspace-user-name"),
  userId: readJsonScript("workspace-user-id"),
  csrfToken: readJsonScript("workspace-csrf-token"),
};

const $ = (id) => document.getElementById(id);
const dom = {
  workspace: $("workspace"),
  banner: document.querySelector('[data-testid="connection-banner"]'),
  bannerText: document.querySelector(".connection-banner-text"),
  list: document.querySelector('[data-testid="interaction-list"]'),
  listEmpty: $("list-empty"),
  openCount: $("open-count"),
  filter: $("interaction-filter"),
  placeholder: $("conversation-placeholder"),
  notice: $("conversation-notice"),
  main: $("conversation-main"),
  headerAvatar: $("header-avatar"),
  headerName: $("header-name"),
  headerNumber: $("header-number"),
  headerInteractionNumber: $("header-interaction-number"),
  headerState: $("header-state"),
  headerAssignee: $("header-assignee"),
  closeMenu: $("close-menu"),
  closeButton: $("close-button"),
  closeOptions: $("close-options"),
  closeReason: $("close-reason"),
  panelToggle: $("panel-toggle"),
  actionError: $("action-error"),
  timeline: $("timeline"),
  newMessagesPill: $("new-messages-pill"),
  composer: $("composer"),
  composerInput: $("composer-input"),
  composerSend: $("composer-send"),
  composerCounter: $("composer-counter"),
  composerDisabledReason: $("composer-disabled-reason"),
  composerDisabledText: $("composer-disabled-text"),
  composerError: $("composer-error"),
  panel: $("customer-panel"),
  panelAvatar: $("panel-avatar"),
  panelName: $("panel-name"),
  panelChannel: $("panel-channel"),
  panelNumber: $("panel-number"),
  panelInteraction: $("panel-interaction"),
  panelOpened: $("panel-opened"),
  panelLastInbound: $("panel-last-inbound"),
  panelWindow: $("panel-window"),
  panelFacts: $("panel-facts"),
};

// The places in the page features fill (ws.slot(name)); a feature whose place is missing fails alone.
const slots = {
  topbar: $("topbar-tools"),
  "sidebar-top": $("sidebar-top"),
  conversation: dom.main,
  "conversation-tools": $("conversation-tools"),
  composer: dom.composer,
  "composer-box": dom.composer.querySelector(".composer-box"),
  "composer-input": dom.composerInput,
  "attachment-tray": $("attachment-tray"),
  "attach-button": $("composer-attach"),
  "file-input": $("composer-file"),
  "template-offer": $("template-offer"),
  "timeline-wrap": document.querySelector(".timeline-wrap"),
  "new-conversation": $("new-conversation-button"),
};

const store = createStore({
  api,
  isNotFound: (error) => error instanceof ApiError && error.status === 404,
  // Unread counts are the agents' to-do list: a manager or a colleague looking on leaves them alone, as does a
  // hidden tab.
  shouldMarkSeen: () => mayActIn(store.selected(), config) && document.visibilityState === "visible",
});
const live = createLiveConnection({
  banner: dom.banner,
  bannerText: dom.bannerText,
  onEvent: receiveLiveEvent,
  onResync: resynchronise,
});
configureApi({ csrfToken: config.csrfToken, onSignedOut: live.showSignedOut });

const list = createList({ store, dom, onSelect: selectInteraction });
const timeline = createTimelineView({ store, dom });
const composer = createComposer({ store, dom, config, api, errorText });
const panel = createPanel({ dom });
const conversation = createConversation({ store, dom, config, api, errorText, panel, composer });

store.subscribe((change) => {
  switch (change.type) {
    case "list":
      list.render();
      break;
    case "conversation":
      conversation.render();
      break;
    case "timeline":
      timeline.render(change);
      break;
    case "list-loaded":
      list.loadMoreIfNearEnd();
      break;
    case "missing":
      if (store.state.selectedId === change.id) {
        selectInteraction(null);
        conversation.showNotice(change.lost);
      }
      break;
  }
});

// After any time away (a reconnect, a resync, the tab shown again) the pushes missed are gone: everything that
// keeps state from them rereads it; features hear it as the live event "live.resync".
function resynchronise() {
  store.resynchronise();
  dispatchLive({ type: "live.resync" });
}

function receiveLiveEvent(event) {
  if (event.type === "interaction.changed") {
    store.receiveInteraction(event.interaction);
  } else if (event.type === "message.changed") {
    store.receiveMessageChanged(event);
    if (event.interaction) store.receiveInteraction(event.interaction); // the change moved the interaction too
  } else if (event.type === "audience.changed") {
    store.audienceChanged();
  }
  dispatchLive(event);
}

function interactionIdFromHash() {
  const match = location.hash.match(/^#interaction-(\d+)$/);
  return match ? Number(match[1]) : null;
}

function selectInteraction(id) {
  const previous = store.state.selectedId;
  if (id === previous) return;
  const hash = id === null ? "" : `#interaction-${id}`;
  if (location.hash !== hash) history.replaceState(null, "", `${location.pathname}${location.search}${hash}`);
  timeline.clear();
  conversation.hideActionError();
  conversation.hideNotice();
  conversation.closeCloseMenu();
  store.select(id);
  composer.switchTo(previous, id);
  list.render();
  conversation.render();
  composer.autosize();
  store.markSeenIfNeeded();
  notifyComposer("selected");
  if (id !== null) composer.focus();
}

// What every feature gets: the workspace's services and the extension points (see extend.js).
const ws = {
  ...extensionPoints(slots),
  api,
  errorText,
  config,
  selectedInteraction: store.selected,
  timelineMessage: store.shownMessage,
  composerBlockedReason: () => composer.blockedReason(),
  receiveSentMessage: store.receiveSentMessage,
  receiveInteraction: store.receiveInteraction,
  refreshInteractions: store.refreshInteractions,
  openInteraction: selectInteraction,
  sendLive: live.send,
  showComposerError: (text) => composer.showError(text),
  attachmentChanged: () => composer.attachmentChanged(),
};

function start() {
  startFeatures(ws);
  composer.renderToolbar();
  window.addEventListener("hashchange", () => selectInteraction(interactionIdFromHash()));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    if (!live.connected) live.reconnectNow();
    resynchronise();
    store.markSeenIfNeeded();
  });
  window.addEventListener("online", live.reconnectNow);
  setInterval(() => {
    // The window closes with time, not with an event.
    list.render();
    conversation.render();
  }, CLOCK_TICK_MS);

  const fromHash = interactionIdFromHash();
  if (fromHash !== null) selectInteraction(fromHash);
  else conversation.render();
  store.refreshInteractions();
  live.connect();
  document.documentElement.dataset.workspaceReady = "true"; // every control is wired from here on
}

start();
