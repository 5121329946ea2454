// The agent workspace: the open interactions, one timeline, the composer and the customer panel.
//
// The WebSocket push is a hint, not the record: the channel layer may drop events. Every change to an
// interaction's timeline bumps its revision by exactly one, so the open timeline keeps a cursor (the highest
// revision applied) and fetches `messages/?after_revision=<cursor>` whenever a push skips ahead, after every
// (re)connect and when the tab becomes visible again. A timeline opens on its newest page (`messages/`) and loads
// earlier pages (`messages/?before=<sequence>`) when scrolled to the top, keeping the reader's place. Customer text
// only ever enters the page through textContent; markup strings in this file are our own constants.

import { ICONS, element, icon, richText } from "./dom.js";
import {
  decorateMessage,
  notifyComposer,
  notifyLiveEvent,
  provideWorkspace,
  transformOutgoing,
} from "./extensions.js";
import { kindRenderer, messageIsFolded } from "./kinds.js";
import "./rich_messages.js";
import "./rich_composer.js";
import { createAttachmentComposer } from "./media.js";
import { renderConsentPanel, setupConsent } from "./consent.js";
import { renderTemplateOffer, setupOutreach } from "./outreach.js";

// The limits are the channel's, sent with each interaction (`channel`), never restated here.
const COUNTER_FROM_SHARE = 0.88; // the counter shows once this share of the limit is used
const WINDOW_WARNING_MS = 60 * 60 * 1000;
const CLOCK_TICK_MS = 30 * 1000;
const PING_EVERY_MS = 25 * 1000;
const PONG_TIMEOUT_MS = 10 * 1000;
const RECONNECT_BASE_MS = 500;
const RECONNECT_MAX_MS = 10 * 1000;
const CATCH_UP_RETRY_BASE_MS = 1000;
const CATCH_UP_RETRY_MAX_MS = 30 * 1000;
const AT_BOTTOM_SLACK_PX = 48;
const LOAD_EARLIER_SLACK_PX = 120;
const OPEN_STATES = new Set(["new", "work_in_progress"]);
const STATE_LABELS = {
  new: "New",
  work_in_progress: "Work in progress",
  closed_complete: "Closed complete",
  closed_abandoned: "Closed abandoned",
};
const STATUS_LABELS = {
  queued: "Queued: waiting to be sent",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Not delivered",
};
const AVATAR_COLOURS = ["#0f766e", "#2563eb", "#7c3aed", "#c2410c", "#0369a1", "#be185d", "#4d7c0f", "#b45309"];

function readJsonScript(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

const config = {
  maySend: readJsonScript("workspace-may-send"),
  userName: readJsonScript("workspace-user-name"),
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
  attachmentTray: $("attachment-tray"),
  composerAttach: $("composer-attach"),
  composerFile: $("composer-file"),
  panel: $("customer-panel"),
  panelAvatar: $("panel-avatar"),
  panelName: $("panel-name"),
  panelChannel: $("panel-channel"),
  panelNumber: $("panel-number"),
  panelInteraction: $("panel-interaction"),
  panelOpened: $("panel-opened"),
  panelLastInbound: $("panel-last-inbound"),
  panelWindow: $("panel-window"),
  panelQueue: $("panel-queue"),
};

// The open list loads a page at a time, the next as the agent scrolls near its end: 50 rows cost the server a
// quarter of the 200 the list once asked for at once (bench/reads.py).
const LIST_PAGE_SIZE = 50;
const LIST_MAX_LIMIT = 200; // the API's largest page
const LIST_MORE_MARGIN_PX = 400;
// Offsets shift when conversations close between two pages; starting each page this many rows early keeps a
// shifted one from being skipped (the rows seen twice are merged by id).
const LIST_PAGE_OVERLAP = 10;

const state = {
  interactions: new Map(), // id -> interaction: the open ones, plus the selected one even once closed
  listLoaded: false,
  listFetch: null, // events seen while the list is being fetched, replayed over its (older) answer
  listAgain: false,
  listTotal: 0,
  listTruncated: false,
  listWanted: LIST_PAGE_SIZE, // rows asked for so far: a refresh rereads as many (up to the API's 200)
  listNextOffset: null, // where the next page of the open list starts; null once every open one is loaded
  listMoreFetch: false,
  listGeneration: 0, // a refresh starts over: a page asked for before it is dropped
  selectedId: null,
  timeline: null,
  drafts: new Map(),
  sending: false,
  markingSeen: false,
  markSeenAgain: false, // asked for while a mark was out: its answer may predate the new messages
  freshIds: new Set(),
};

const attachments = createAttachmentComposer({
  dropZone: dom.main,
  tray: dom.attachmentTray,
  pickButton: dom.composerAttach,
  fileInput: dom.composerFile,
  onChange: () => {
    hideComposerError();
    renderComposer();
    if (!dom.composerInput.disabled) dom.composerInput.focus({ preventScroll: true });
  },
  onRefused: (reason) => showComposerError(reason),
});

// ---------------------------------------------------------------------------------------------- HTTP

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `Request failed (${status})`);
    this.status = status;
    this.body = body || {};
  }
}

function currentCsrfToken() {
  // The cookie is current even if another tab signed in again since this page was rendered.
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : config.csrfToken;
}

async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  const form = body instanceof FormData; // a file: the browser writes the multipart Content-Type itself
  if (method !== "GET") {
    headers["X-CSRFToken"] = currentCsrfToken();
    if (!form) headers["Content-Type"] = "application/json";
  }
  const response = await fetch(`/api/v1/${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined || form ? body : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    if ((response.status === 401 || response.status === 403) && method === "GET") showSignedOut();
    throw new ApiError(response.status, data);
  }
  return data;
}

function errorText(error, fallback) {
  if (!(error instanceof ApiError)) return `${fallback}: the server could not be reached.`;
  const body = error.body || {};
  if (typeof body.detail === "string") return body.detail;
  const fieldMessages = Object.values(body).flat().filter((value) => typeof value === "string");
  return fieldMessages.length ? fieldMessages.join(" ") : `${fallback} (error ${error.status}).`;
}

// ------------------------------------------------------------------------------------------ formatting

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dateFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const longDateFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
});
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long" });

const parseDate = (value) => (value ? new Date(value) : null);
const startOfDay = (date) => new Date(date.getFullYear(), date.getMonth(), date.getDate());
const daysBetween = (earlier, later) => Math.round((startOfDay(later) - startOfDay(earlier)) / 86400000);

function relativeTime(date, now = new Date()) {
  if (!date) return "";
  const seconds = Math.max(0, (now - date) / 1000);
  if (seconds < 45) return "now";
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  if (seconds < 7 * 86400) return `${Math.floor(seconds / 86400)}d`;
  return dateFormat.format(date);
}

function dayLabel(date, now = new Date()) {
  const days = daysBetween(date, now);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  if (days > 1 && days < 7) return weekdayFormat.format(date);
  return longDateFormat.format(date);
}

function dateAndTime(date) {
  if (!date) return "—";
  const days = daysBetween(date, new Date());
  const time = timeFormat.format(date);
  if (days === 0) return `Today, ${time}`;
  if (days === 1) return `Yesterday, ${time}`;
  return fullFormat.format(date);
}

function durationLeft(milliseconds) {
  const minutes = Math.max(1, Math.ceil(milliseconds / 60000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h`;
}

const formatNumber = (externalId) => (externalId ? `+${String(externalId).replace(/^\+/, "")}` : "");
const customerName = (interaction) =>
  interaction.channel_user.display_name || formatNumber(interaction.channel_user.external_id) || "Customer";

function initials(interaction) {
  // Letters and digits only: a profile name is whatever the customer typed into WhatsApp.
  const words = interaction.channel_user.display_name.match(/[\p{L}\p{N}]+/gu) || [];
  if (words.length === 0) return String(interaction.channel_user.external_id || "?").slice(-2);
  const letters = words.length > 1 ? [...words[0]][0] + [...words[words.length - 1]][0] : [...words[0]].slice(0, 2).join("");
  return letters.toUpperCase();
}

function paintAvatar(element, interaction) {
  element.textContent = initials(interaction);
  element.style.backgroundColor = AVATAR_COLOURS[interaction.channel_user.id % AVATAR_COLOURS.length];
}

// Mirrors interactions/policies.py: the server's answer, re-judged against the clock as the window runs out.
function serviceWindow(interaction, now = new Date()) {
  const window = interaction.service_window || { open: false, reason: "", closes_at: null };
  const closesAt = parseDate(window.closes_at);
  if (window.open && !closesAt) {
    return { open: true, closesAt: null, left: Infinity, label: "open", tone: "ok", reason: "" }; // a channel without one
  }
  const left = closesAt ? closesAt - now : 0;
  if (!window.open || !closesAt || left <= 0) {
    const reason =
      (!window.open && window.reason) ||
      (closesAt
        ? `The customer service window closed at ${dateAndTime(closesAt)}; ` +
          "only a template may be sent until the customer writes again."
        : "The customer has not written to us yet, so only a template may be sent.");
    return { open: false, closesAt, left: 0, label: "window closed", tone: "closed", reason };
  }
  return {
    open: true,
    closesAt,
    left,
    label: `${durationLeft(left)} left`,
    tone: left < WINDOW_WARNING_MS ? "warn" : "ok",
    reason: "",
  };
}

// The server's reply decision (the interaction's `reply`, what a send is judged by): after a STOP nothing may be
// sent until the customer writes again or opts in, whatever the window says. A new push or fetch lifts it.
function optedOutSilence(interaction) {
  const reply = interaction.reply;
  if (!reply || reply.allowed || !reply.opted_out_at) return null;
  return { reason: reply.reason };
}

const isOpen = (interaction) => OPEN_STATES.has(interaction.state);
const activityAt = (interaction) => parseDate(interaction.last_message_at || interaction.opened_at);

// Puts `nodes` into `parent` in order, moving only what is out of place (focus and scroll survive).
function reconcileChildren(parent, nodes) {
  let current = parent.firstChild;
  for (const node of nodes) {
    if (node === current) {
      current = current.nextSibling;
    } else {
      parent.insertBefore(node, current);
    }
  }
  while (current) {
    const next = current.nextSibling;
    current.remove();
    current = next;
  }
}

// -------------------------------------------------------------------------------------- the interactions

function storeInteraction(incoming) {
  const existing = state.interactions.get(incoming.id);
  // Pushes from different workers can overtake each other; a lower revision is an older picture.
  // (Marking seen changes unread_count without a new revision, hence >=.)
  if (existing && existing.revision > incoming.revision) return existing;
  if (existing && incoming.last_message_at && incoming.last_message_at !== existing.last_message_at) {
    flashInteraction(incoming.id);
  }
  state.interactions.set(incoming.id, incoming);
  return incoming;
}

function flashInteraction(id) {
  if (id === state.selectedId) return;
  state.freshIds.add(id);
  setTimeout(() => {
    state.freshIds.delete(id);
    dom.list.querySelector(`[data-interaction-id="${id}"]`)?.classList.remove("is-fresh");
  }, 2500);
}

function receiveInteraction(incoming) {
  if (state.listFetch) state.listFetch.push(incoming);
  const interaction = storeInteraction(incoming);
  if (interaction.id === state.selectedId) {
    const timeline = state.timeline;
    if (timeline && interaction.revision > timeline.cursor) {
      // The timeline moved on without us (a dropped push, or a change such as closing that has no message).
      timeline.wanted = Math.max(timeline.wanted, interaction.revision);
      catchUp(timeline);
    }
    renderConversation();
    markSeenIfNeeded();
  }
  renderList();
}

async function refreshInteractions() {
  if (state.listFetch) {
    state.listAgain = true;
    return;
  }
  state.listAgain = false;
  state.listFetch = [];
  state.listGeneration += 1;
  try {
    const limit = Math.min(state.listWanted, LIST_MAX_LIMIT);
    const data = await api(`interactions/?state=open&limit=${limit}`);
    const seenMeanwhile = state.listFetch;
    const fresh = new Map(data.results.map((interaction) => [interaction.id, interaction]));
    const selected = state.interactions.get(state.selectedId);
    state.interactions = fresh;
    state.listTotal = data.count;
    state.listNextOffset = data.next ? data.results.length : null;
    state.listTruncated = state.listNextOffset !== null;
    state.listLoaded = true;
    state.listFetch = null;
    for (const interaction of seenMeanwhile) storeInteraction(interaction);
    if (state.selectedId !== null && !state.interactions.has(state.selectedId)) {
      // Not open (any more): keep showing it, refreshed from its own endpoint.
      if (selected) state.interactions.set(selected.id, selected);
      loadSelectedInteraction(state.selectedId);
    }
    const current = state.interactions.get(state.selectedId);
    if (current) receiveInteraction(current);
  } catch (error) {
    state.listFetch = null;
    console.warn("could not load the interactions", error);
  } finally {
    state.listFetch = null;
    renderList();
    renderConversation();
    if (state.listAgain) refreshInteractions();
    else loadMoreIfNearEnd();
  }
}

// The next page of the open list, once the agent scrolls near the end of what is loaded (or it fills no screen).
async function loadMoreIfNearEnd() {
  if (state.listFetch || state.listMoreFetch || state.listNextOffset === null) return;
  const list = dom.list;
  if (list.scrollTop + list.clientHeight < list.scrollHeight - LIST_MORE_MARGIN_PX) return;
  const offset = Math.max(state.listNextOffset - LIST_PAGE_OVERLAP, 0);
  const generation = state.listGeneration;
  state.listMoreFetch = true;
  let loaded = false;
  try {
    const data = await api(`interactions/?state=open&limit=${LIST_PAGE_SIZE}&offset=${offset}`);
    if (generation !== state.listGeneration) return; // a refresh reread the list meanwhile
    for (const interaction of data.results) storeInteraction(interaction);
    state.listTotal = data.count;
    state.listWanted = offset + data.results.length;
    state.listNextOffset = data.next ? state.listWanted : null;
    state.listTruncated = state.listNextOffset !== null;
    loaded = data.results.length > 0;
  } catch (error) {
    console.warn("could not load more interactions", error);
  } finally {
    state.listMoreFetch = false;
  }
  if (loaded) {
    renderList();
    loadMoreIfNearEnd();
  }
}

async function loadSelectedInteraction(id) {
  try {
    const { messages, ...interaction } = await api(`interactions/${id}/`);
    if (state.selectedId === id) receiveInteraction(interaction);
  } catch (error) {
    if (state.selectedId === id && error instanceof ApiError && error.status === 404) {
      selectInteraction(null);
      showActionError("That interaction does not exist or is not visible to you.");
    }
  }
}

function visibleInteractions() {
  const needle = dom.filter.value.trim().toLowerCase();
  return [...state.interactions.values()]
    .filter((interaction) => isOpen(interaction))
    .filter((interaction) => {
      if (!needle) return true;
      const haystack = [
        interaction.channel_user.display_name,
        interaction.channel_user.external_id,
        formatNumber(interaction.channel_user.external_id),
        interaction.number,
      ]
        .join(" ")
        .toLowerCase();
      return haystack.includes(needle);
    })
    .sort((a, b) => activityAt(b) - activityAt(a) || b.id - a.id);
}

const listItems = new Map(); // id -> <li>

function renderList() {
  const now = new Date();
  const interactions = visibleInteractions();
  const nodes = interactions.map((interaction) => {
    let item = listItems.get(interaction.id);
    if (!item) {
      const button = element("button", {
        className: "interaction-item",
        testid: "interaction-item",
        attrs: { type: "button", "data-interaction-id": interaction.id },
      });
      button.addEventListener("click", () => selectInteraction(interaction.id));
      item = element("li", {}, [button]);
      listItems.set(interaction.id, item);
    }
    fillListItem(item.firstChild, interaction, now);
    return item;
  });
  for (const id of listItems.keys()) {
    if (!interactions.some((interaction) => interaction.id === id)) listItems.delete(id);
  }
  reconcileChildren(dom.list, nodes);

  const openCount = [...state.interactions.values()].filter(isOpen).length;
  // Until every open one is loaded (as the agent scrolls), the count says how many there are in all.
  dom.openCount.textContent = state.listTruncated ? `${openCount} of ${state.listTotal}` : String(openCount);
  dom.listEmpty.hidden = !state.listLoaded || interactions.length > 0;
  dom.listEmpty.querySelector(".list-empty-title").textContent = dom.filter.value.trim()
    ? "No matches"
    : "No open conversations";
  const unread = [...state.interactions.values()].filter(isOpen).reduce((sum, i) => sum + i.unread_count, 0);
  document.title = `${unread ? `(${unread}) ` : ""}Workspace · WhatsDesk`;
}

function fillListItem(button, interaction, now) {
  const selected = interaction.id === state.selectedId;
  button.classList.toggle("is-selected", selected);
  button.classList.toggle("is-unread", interaction.unread_count > 0);
  button.classList.toggle("is-fresh", state.freshIds.has(interaction.id));
  if (selected) button.setAttribute("aria-current", "true");
  else button.removeAttribute("aria-current");

  const avatar = element("span", { className: "avatar", attrs: { "aria-hidden": "true" } });
  paintAvatar(avatar, interaction);

  const activity = activityAt(interaction);
  const top = element("span", { className: "item-row" }, [
    element("span", { className: "item-name", text: customerName(interaction) }),
    element("time", {
      className: "item-time",
      text: relativeTime(activity, now),
      attrs: { datetime: activity?.toISOString(), title: activity ? fullFormat.format(activity) : "" },
    }),
  ]);

  const sub = element("span", { className: "item-row item-sub" }, [
    interaction.channel_user.display_name
      ? element("span", { className: "mono", text: formatNumber(interaction.channel_user.external_id) })
      : null,
    interaction.channel_user.display_name ? element("span", { className: "dot", text: "·" }) : null,
    element("span", { className: "mono", text: interaction.number || `#${interaction.id}` }),
  ]);

  const last = interaction.last_message;
  const preview = element("span", { className: "item-preview" });
  if (!last) {
    preview.classList.add("is-muted");
    preview.textContent = "No messages yet";
  } else {
    if (last.direction === "outbound") preview.append(icon("outbound", "icon preview-icon"));
    const previewText = element("span", { text: last.text.replace(/\s+/g, " ").trim() || `${last.kind} message` });
    if (last.kind !== "text") previewText.classList.add("is-note");
    preview.append(previewText);
  }
  const middle = element("span", { className: "item-row" }, [
    preview,
    interaction.unread_count > 0
      ? element("span", {
          className: "unread-badge",
          testid: "unread-badge",
          text: interaction.unread_count > 99 ? "99+" : String(interaction.unread_count),
          attrs: { "aria-label": `${interaction.unread_count} unread` },
        })
      : null,
  ]);

  const window = serviceWindow(interaction, now);
  const silence = optedOutSilence(interaction);
  const foot = element("span", { className: "item-row item-foot" }, [
    element("span", {
      className: `window-chip window-${silence ? "closed" : window.tone}`,
      testid: "window-indicator",
      text: silence ? "opted out" : window.label,
      attrs: {
        title: silence
          ? silence.reason
          : window.open
            ? window.closesAt
              ? `Free-form replies allowed until ${dateAndTime(window.closesAt)}`
              : "Free-form replies allowed"
            : "Outside the customer service window: only templates may be sent",
      },
    }),
    element("span", {
      className: "item-assignee",
      text: interaction.assigned_to ? interaction.assigned_to : "Unassigned",
    }),
  ]);

  button.replaceChildren(avatar, element("span", { className: "item-body" }, [top, sub, middle, foot]));
}

// ------------------------------------------------------------------------------- selecting and the header

function interactionIdFromHash() {
  const match = location.hash.match(/^#interaction-(\d+)$/);
  return match ? Number(match[1]) : null;
}

function selectInteraction(id) {
  if (id === state.selectedId) return;
  if (state.selectedId !== null) state.drafts.set(state.selectedId, dom.composerInput.value);
  state.selectedId = id;
  const hash = id === null ? "" : `#interaction-${id}`;
  if (location.hash !== hash) history.replaceState(null, "", `${location.pathname}${location.search}${hash}`);

  dom.composerInput.value = id === null ? "" : state.drafts.get(id) || "";
  attachments.clear();
  hideComposerError();
  hideActionError();
  closeCloseMenu();
  timelineNodes.clear();
  dom.timeline.replaceChildren();
  dom.newMessagesPill.hidden = true;
  if (state.timeline) clearTimeout(state.timeline.retryTimer);
  state.timeline = null;
  if (id !== null) {
    state.timeline = {
      interactionId: id,
      cursor: 0,
      wanted: 0,
      again: false,
      loaded: false,
      failed: false,
      failures: 0,
      retryTimer: null,
      fetching: null,
      messages: new Map(), // every message we hold, including changes to ones before the loaded pages
      from: 0, // the lowest sequence shown: the first of the earliest page loaded
      earlier: null, // the `before` of the page before that one; null once the start is loaded
      loadingEarlier: false,
      earlierFailed: false,
    };
    renderTimeline({ scroll: "bottom" });
    catchUp(state.timeline);
    if (state.listLoaded && !state.interactions.has(id)) loadSelectedInteraction(id);
  }
  renderList();
  renderConversation();
  autosizeComposer();
  markSeenIfNeeded();
  notifyComposer("selected");
  if (id !== null && !dom.composerInput.disabled) dom.composerInput.focus({ preventScroll: true });
}

function renderConversation() {
  const interaction = state.interactions.get(state.selectedId);
  const selected = state.selectedId !== null;
  dom.placeholder.hidden = selected;
  dom.main.hidden = !selected;
  dom.panel.hidden = !selected;
  if (!interaction) {
    if (selected) {
      dom.headerName.textContent = "Loading…";
      for (const node of [dom.headerNumber, dom.headerInteractionNumber, dom.headerAssignee]) node.textContent = "";
      dom.headerState.hidden = true;
    }
    renderComposer();
    return;
  }
  paintAvatar(dom.headerAvatar, interaction);
  dom.headerName.textContent = customerName(interaction);
  dom.headerNumber.textContent = formatNumber(interaction.channel_user.external_id);
  dom.headerInteractionNumber.textContent = interaction.number || `#${interaction.id}`;
  dom.headerState.hidden = false;
  dom.headerState.textContent = STATE_LABELS[interaction.state] || interaction.state;
  dom.headerState.className = `state-pill state-${interaction.state}`;
  dom.headerAssignee.replaceChildren(
    element("span", { className: "assignee-label", text: "Assigned to " }),
    element("strong", { text: interaction.assigned_to || "nobody yet" }),
  );
  dom.closeMenu.hidden = !config.maySend || !isOpen(interaction);
  renderPanel(interaction);
  renderComposer();
}

function renderPanel(interaction) {
  const now = new Date();
  paintAvatar(dom.panelAvatar, interaction);
  dom.panelName.textContent = customerName(interaction);
  dom.panelChannel.textContent = interaction.channel ? interaction.channel.label : interaction.channel_user.channel;
  dom.panelNumber.textContent = formatNumber(interaction.channel_user.external_id);
  dom.panelInteraction.textContent = `${interaction.number || `#${interaction.id}`} · ${
    STATE_LABELS[interaction.state] || interaction.state
  }`;
  dom.panelOpened.textContent = dateAndTime(parseDate(interaction.opened_at));
  dom.panelLastInbound.textContent = dateAndTime(parseDate(interaction.channel_user.last_inbound_at));
  dom.panelQueue.textContent = interaction.queue || "Default";
  const window = serviceWindow(interaction, now);
  dom.panelWindow.replaceChildren(
    element("span", { className: `window-chip window-${window.tone}`, text: window.open ? "Open" : "Closed" }),
    element("span", {
      className: "panel-window-detail",
      text: window.open
        ? `closes ${dateAndTime(window.closesAt)} (${window.label})`
        : window.closesAt
          ? `closed ${dateAndTime(window.closesAt)}`
          : "customer has not written yet",
    }),
  );
  renderConsentPanel(interaction);
}

// ------------------------------------------------------------------------------------- the timeline

async function catchUp(timeline) {
  if (timeline.fetching) {
    timeline.again = true; // asked for while a fetch is out: its answer may predate the reason for asking
    return timeline.fetching;
  }
  timeline.fetching = (async () => {
    try {
      for (let round = 0; round < 5; round += 1) {
        timeline.again = false;
        const firstLoad = !timeline.loaded;
        const query = firstLoad ? "" : `?after_revision=${timeline.cursor}`;
        const data = await api(`interactions/${timeline.interactionId}/messages/${query}`);
        if (state.timeline !== timeline) return;
        const added = applyMessages(timeline, data.messages);
        if (firstLoad) showFromPage(timeline, data);
        timeline.cursor = Math.max(timeline.cursor, data.revision);
        if (data.more) timeline.wanted = Math.max(timeline.wanted, timeline.cursor + 1); // the rest, next round
        timeline.loaded = true;
        timeline.failed = false;
        timeline.failures = 0;
        clearTimeout(timeline.retryTimer);
        renderTimeline({ scroll: firstLoad ? "bottom" : "follow", added });
        if (added.some((message) => message.direction === "inbound")) markSeenIfNeeded();
        if (!timeline.again && timeline.wanted <= timeline.cursor) break;
      }
    } catch (error) {
      console.warn("could not catch up the timeline", error);
      timeline.failed = true;
      if (state.timeline === timeline) {
        renderTimeline({ scroll: "follow" });
        scheduleCatchUpRetry(timeline);
      }
    } finally {
      timeline.fetching = null;
    }
  })();
  return timeline.fetching;
}

// A failed catch-up is tried again with backoff while this timeline stays open; a socket that stays up would
// otherwise never give it another reason to (a reconnect or a visible tab also catches up, sooner).
function scheduleCatchUpRetry(timeline) {
  clearTimeout(timeline.retryTimer);
  const ceiling = Math.min(CATCH_UP_RETRY_MAX_MS, CATCH_UP_RETRY_BASE_MS * 2 ** timeline.failures);
  timeline.failures += 1;
  timeline.retryTimer = setTimeout(() => {
    if (state.timeline === timeline) catchUp(timeline);
  }, ceiling / 2 + Math.random() * (ceiling / 2));
}

// The loaded pages reach back to this page's first message. Messages before it stay held (a change to one may come
// in a catch-up before its page does) but are not shown until their page is loaded.
function showFromPage(timeline, page) {
  timeline.earlier = page.earlier;
  timeline.from = page.earlier === null || page.messages.length === 0 ? 0 : page.messages[0].sequence;
}

function shownMessage(timeline, id) {
  const message = timeline?.messages.get(id);
  return message && message.sequence >= timeline.from ? message : null;
}

async function loadEarlier(timeline) {
  if (!timeline.loaded || timeline.earlier === null || timeline.loadingEarlier) return;
  timeline.loadingEarlier = true;
  timeline.earlierFailed = false;
  renderTimeline({ scroll: "keep" });
  try {
    const page = await api(`interactions/${timeline.interactionId}/messages/?before=${timeline.earlier}`);
    if (state.timeline !== timeline) return;
    applyMessages(timeline, page.messages);
    showFromPage(timeline, page);
  } catch (error) {
    console.warn("could not load earlier messages", error);
    timeline.earlierFailed = true;
  } finally {
    timeline.loadingEarlier = false;
  }
  if (state.timeline === timeline) renderTimeline({ scroll: "keep" });
}

// Upserts by id; an older revision of a message never replaces a newer one. Returns the new arrivals.
function applyMessages(timeline, messages) {
  const added = [];
  for (const message of messages) {
    const existing = timeline.messages.get(message.id);
    if (existing && existing.revision >= message.revision) continue;
    if (!existing) added.push(message);
    timeline.messages.set(message.id, message);
  }
  return added;
}

function receiveMessageChanged(event) {
  const timeline = state.timeline;
  if (!timeline || timeline.interactionId !== event.interaction_id) return;
  if (event.revision <= timeline.cursor) return; // already applied
  const added = applyMessages(timeline, [event.message]);
  if (timeline.loaded && !timeline.fetching && event.revision === timeline.cursor + 1) {
    timeline.cursor = event.revision;
  } else {
    // A gap: something between our cursor and this push was lost. Shown at once; the fetch makes it exact.
    timeline.wanted = Math.max(timeline.wanted, event.revision);
    catchUp(timeline);
  }
  renderTimeline({ scroll: "follow", added });
  if (event.message.direction === "inbound") markSeenIfNeeded();
}

// The 201 answer to our own send: shown at once, and it advances the cursor when it is the next revision.
function receiveSentMessage(message) {
  const timeline = state.timeline;
  if (!timeline || timeline.interactionId !== message.interaction_id) return;
  const added = applyMessages(timeline, [message]);
  if (timeline.loaded && !timeline.fetching && message.revision === timeline.cursor + 1) {
    timeline.cursor = message.revision;
  } else if (message.revision > timeline.cursor) {
    timeline.wanted = Math.max(timeline.wanted, message.revision);
    catchUp(timeline);
  }
  renderTimeline({ scroll: "bottom", added });
}

const timelineNodes = new Map(); // "message:<id>" / "day:<key>" / "start" -> element

function isTimelineAtBottom() {
  const { scrollTop, scrollHeight, clientHeight } = dom.timeline;
  return scrollHeight - scrollTop - clientHeight < AT_BOTTOM_SLACK_PX;
}

function renderTimeline({ scroll = "follow", added = [] } = {}) {
  const timeline = state.timeline;
  const wasAtBottom = isTimelineAtBottom();
  const fromBottom = dom.timeline.scrollHeight - dom.timeline.scrollTop; // kept when earlier messages go on top
  const nodes = [];
  if (!timeline) return;

  if (!timeline.loaded) {
    nodes.push(
      cachedNode("loading", () =>
        element("div", { className: "timeline-status" }, [
          element("span", { className: "spinner", attrs: { "aria-hidden": "true" } }),
          element("span", { text: "Loading conversation…" }),
        ]),
      ),
    );
    if (timeline.failed) nodes[0].lastChild.textContent = "Could not load the conversation. Retrying when back online…";
  } else {
    const interaction = state.interactions.get(timeline.interactionId);
    if (timeline.earlier !== null) {
      nodes.push(earlierNode(timeline));
    } else {
      nodes.push(
        cachedNode("start", () =>
          element("div", { className: "timeline-start" }, [
            element("span", { text: "Start of the conversation" }),
          ]),
        ),
      );
      if (interaction) {
        nodes[0].firstChild.textContent = `${interaction.number || "Interaction"} opened ${dateAndTime(
          parseDate(interaction.opened_at),
        )}`;
      }
    }
    const messages = [...timeline.messages.values()]
      .filter((message) => message.sequence >= timeline.from)
      .sort((a, b) => a.sequence - b.sequence);
    let previousDay = null;
    let previous = null;
    const now = new Date();
    for (const message of messages) {
      if (messageIsFolded(message)) continue;
      const at = parseDate(message.sent_at || message.created_at);
      const day = startOfDay(at).getTime();
      if (day !== previousDay) {
        const separator = cachedNode(`day:${day}`, () =>
          element("div", { className: "day-separator", attrs: { role: "separator" } }, [element("span")]),
        );
        separator.firstChild.textContent = dayLabel(at, now);
        nodes.push(separator);
        previous = null;
      }
      previousDay = day;
      const node = messageNode(message);
      const grouped =
        previous &&
        previous.direction === message.direction &&
        previous.kind !== "unsupported" &&
        message.kind !== "unsupported" &&
        (previous.author || "") === (message.author || "") &&
        at - parseDate(previous.sent_at || previous.created_at) < 5 * 60 * 1000;
      node.classList.toggle("is-grouped", Boolean(grouped));
      nodes.push(node);
      previous = message;
    }
    if (messages.length === 0) {
      nodes.push(
        cachedNode("empty", () => element("div", { className: "timeline-status", text: "No messages yet." })),
      );
    }
    if (interaction && !isOpen(interaction)) {
      const closed = cachedNode("closed", () => element("div", { className: "timeline-closed" }, [element("span")]));
      const label = interaction.state === "closed_abandoned" ? "abandoned" : "complete";
      closed.firstChild.textContent = `Closed as ${label} · ${dateAndTime(parseDate(interaction.closed_at))}`;
      nodes.push(closed);
    }
  }
  reconcileChildren(dom.timeline, nodes);

  if (scroll === "keep") {
    dom.timeline.scrollTop = dom.timeline.scrollHeight - fromBottom;
  } else if (scroll === "bottom" || (scroll === "follow" && wasAtBottom)) {
    scrollTimelineToBottom();
  } else if (added.some((message) => !messageIsFolded(message))) {
    dom.newMessagesPill.hidden = false; // a reaction only changes a message already there
  }
}

function earlierNode(timeline) {
  const node = cachedNode("earlier", () => {
    const button = element("button", {
      className: "timeline-earlier-button",
      testid: "load-earlier",
      attrs: { type: "button" },
    });
    button.addEventListener("click", () => loadEarlier(state.timeline));
    return element("div", { className: "timeline-start" }, [button]);
  });
  const button = node.firstChild;
  button.disabled = timeline.loadingEarlier;
  button.textContent = timeline.loadingEarlier
    ? "Loading earlier messages…"
    : timeline.earlierFailed
      ? "Could not load earlier messages. Try again"
      : "Load earlier messages";
  return node;
}

function cachedNode(key, create) {
  let node = timelineNodes.get(key);
  if (!node) {
    node = create();
    timelineNodes.set(key, node);
  }
  return node;
}

function scrollTimelineToBottom() {
  dom.timeline.scrollTop = dom.timeline.scrollHeight;
  dom.newMessagesPill.hidden = true;
}

function messageNode(message) {
  const key = `message:${message.id}`;
  const existing = timelineNodes.get(key);
  if (existing && existing.dataset.revision === String(message.revision)) return existing;
  const node = buildMessage(message);
  if (existing) {
    node.classList.toggle("is-grouped", existing.classList.contains("is-grouped"));
    // A keyboard user on the message's reply / react keeps their place when a tick or a reaction redraws it.
    const focused = existing.contains(document.activeElement) ? document.activeElement : null;
    existing.replaceWith(node);
    if (focused) {
      const again = focused.dataset.testid && node.querySelector(`[data-testid="${focused.dataset.testid}"]`);
      const fallback = focused.closest(".message-actions") && node.querySelector('[data-testid="react-action"]');
      (again || fallback)?.focus({ preventScroll: true });
    }
  }
  timelineNodes.set(key, node);
  return node;
}

// The channel claimed a time for this message that could not be true (in the future, or older than it redelivers):
// the timeline shows when we received it, and the claim beside it, for the record.
function claimedTime(message) {
  if (!message.claimed_sent_at) return null;
  const claimed = parseDate(message.claimed_sent_at);
  if (claimed.getTime() === parseDate(message.sent_at).getTime()) return null;
  return element("span", {
    className: "claimed-time",
    testid: "claimed-time",
    text: `claimed ${fullFormat.format(claimed)}`,
    attrs: { title: "The channel claimed this time, which could not be true; shown is when we received it." },
  });
}

function buildMessage(message) {
  const at = parseDate(message.sent_at || message.created_at);
  const node = element("div", {
    className: `message message-${message.direction} kind-${message.kind}`,
    testid: "message",
    attrs: {
      "data-message-id": message.id,
      "data-direction": message.direction,
      "data-status": message.status,
      "data-revision": message.revision,
    },
  });

  const renderKind = kindRenderer(message.kind);
  if (message.kind !== "text" && !renderKind) {
    // Unsupported (and kinds this page does not know yet) read as a system note in the timeline.
    node.classList.add("message-note");
    node.append(
      element("div", { className: "note" }, [
        icon("info", "icon note-icon"),
        element("span", {
          className: "message-text",
          testid: "message-text",
          text: message.text || `A ${message.kind} message that cannot be shown here.`,
        }),
        element("time", {
          className: "note-time",
          text: timeFormat.format(at),
          attrs: { datetime: at.toISOString(), title: fullFormat.format(at) },
        }),
        claimedTime(message),
      ]),
    );
    return node;
  }

  const bubble = element("div", { className: "bubble" });
  if (message.direction === "outbound") {
    bubble.append(element("div", { className: "message-author", text: message.author || "WhatsDesk" }));
  }
  if (renderKind) {
    bubble.append(renderKind(message));
  } else {
    const text = element("div", { className: "message-text", testid: "message-text" });
    text.append(richText(message.text));
    bubble.append(text);
  }

  const meta = element("div", { className: "message-meta" }, [
    claimedTime(message),
    element("time", {
      text: timeFormat.format(at),
      attrs: { datetime: at.toISOString(), title: fullFormat.format(at) },
    }),
  ]);
  if (message.direction === "outbound") meta.append(statusIcon(message));
  bubble.append(meta);
  node.append(bubble);

  if (message.direction === "outbound" && message.status === "failed") {
    const details = [message.error_code && `Error ${message.error_code}`, message.error_detail].filter(Boolean);
    node.append(
      element(
        "div",
        {
          className: "message-error",
          testid: "message-error",
          attrs: { title: details.join(": ") || "The channel reported a failure." },
        },
        [element("span", { text: message.error_title || "Not delivered" })],
      ),
    );
  }
  decorateMessage(message, node);
  return node;
}

function statusIcon(message) {
  const status = message.status;
  const at = parseDate(message.status_at);
  let label = STATUS_LABELS[status] || status;
  if (status === "failed" && (message.error_title || message.error_code)) {
    label = `${label}: ${[message.error_title, message.error_code && `(${message.error_code})`].filter(Boolean).join(" ")}`;
  }
  const node = icon(ICONS[status] ? status : "queued", `message-status status-${status}`);
  node.dataset.testid = "message-status";
  node.dataset.status = status;
  node.setAttribute("role", "img");
  node.setAttribute("aria-label", label);
  node.title = at ? `${label} · ${fullFormat.format(at)}` : label;
  return node;
}

// -------------------------------------------------------------------------------------- the composer

function composerBlockedReason(interaction) {
  if (!config.maySend) return "Managers can read but not send";
  if (!interaction) return "Loading…";
  if (!isOpen(interaction)) return "Interaction is closed";
  const silence = optedOutSilence(interaction);
  if (silence) return silence.reason; // says when they opted out, and that it lasts until they write or opt in
  const window = serviceWindow(interaction);
  return window.open ? null : window.reason;
}

// A text message, or the caption of the attached file: each has the channel's own limit.
function composerLimit(interaction) {
  const channel = (interaction && interaction.channel) || {};
  return (attachments.file ? channel.caption_limit : channel.text_limit) || Infinity;
}

function renderComposer() {
  const interaction = state.interactions.get(state.selectedId);
  const reason = composerBlockedReason(interaction);
  const blocked = reason !== null;
  dom.composer.classList.toggle("is-blocked", blocked);
  dom.timeline.classList.toggle("is-blocked", blocked); // hides reply / react on the messages
  dom.composerDisabledReason.hidden = !blocked || reason === "Loading…";
  dom.composerDisabledText.textContent = blocked ? reason : "";
  dom.composerInput.disabled = blocked;
  dom.composerInput.placeholder = blocked ? "Replying is not possible right now" : "Write a reply…";
  const length = dom.composerInput.value.length;
  const empty = dom.composerInput.value.trim().length === 0 && !attachments.file;
  attachments.setEnabled(!blocked);
  if (interaction && !blocked) attachments.loadRules(interaction.id, interaction.channel.label);
  const limit = composerLimit(interaction);
  if (interaction) dom.composerInput.maxLength = interaction.channel.text_limit;
  dom.composerSend.disabled = blocked || state.sending || empty || length > limit;
  dom.composerCounter.hidden = length < limit * COUNTER_FROM_SHARE;
  dom.composerCounter.textContent = `${length.toLocaleString()} / ${limit.toLocaleString()}`;
  dom.composerCounter.classList.toggle("is-limit", length >= limit);
  renderTemplateOffer(interaction, { maySend: config.maySend, windowOpen: Boolean(interaction && serviceWindow(interaction).open) });
}

function autosizeComposer() {
  const input = dom.composerInput;
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 220)}px`;
}

function showComposerError(text) {
  dom.composerError.textContent = text;
  dom.composerError.hidden = false;
}

function hideComposerError() {
  dom.composerError.hidden = true;
  dom.composerError.textContent = "";
}

async function sendReply() {
  const interaction = state.interactions.get(state.selectedId);
  const text = dom.composerInput.value.trim();
  const file = attachments.file;
  if (!interaction || state.sending || (!text && !file) || composerBlockedReason(interaction) !== null) return;
  if (text.length > composerLimit(interaction)) return;
  state.sending = true;
  hideComposerError();
  renderComposer();
  try {
    const body = transformOutgoing({ text });
    let message;
    if (file) {
      const form = new FormData();
      form.append("file", file, file.name);
      form.append("caption", text);
      if (body.reply_to) form.append("reply_to", body.reply_to);
      message = await api(`interactions/${interaction.id}/attachments/`, { method: "POST", body: form });
    } else {
      message = await api(`interactions/${interaction.id}/messages/`, { method: "POST", body });
    }
    // Typed or swapped while the send was out: kept.
    if (state.selectedId === interaction.id) {
      if (dom.composerInput.value.trim() === text) dom.composerInput.value = "";
      if (file && attachments.file === file) attachments.clear();
      autosizeComposer();
    } else if ((state.drafts.get(interaction.id) || "").trim() === text) {
      state.drafts.delete(interaction.id);
    }
    receiveSentMessage(message);
    notifyComposer("sent");
  } catch (error) {
    if (state.selectedId === interaction.id) showComposerError(errorText(error, "The reply was not sent"));
    // A refusal usually means our picture of the window is stale.
    if (error instanceof ApiError && error.status === 409) refreshInteractions();
  } finally {
    state.sending = false;
    renderComposer();
    if (!dom.composerInput.disabled) dom.composerInput.focus({ preventScroll: true });
  }
}

// -------------------------------------------------------------------------------------- actions

function showActionError(text) {
  dom.actionError.textContent = text;
  dom.actionError.hidden = false;
}

function hideActionError() {
  dom.actionError.hidden = true;
  dom.actionError.textContent = "";
}

function closeCloseMenu() {
  dom.closeOptions.hidden = true;
  dom.closeButton.setAttribute("aria-expanded", "false");
}

async function closeInteraction(closedState) {
  const id = state.selectedId;
  closeCloseMenu();
  dom.closeButton.disabled = true;
  hideActionError();
  try {
    const interaction = await api(`interactions/${id}/close/`, { method: "POST", body: { state: closedState } });
    receiveInteraction(interaction);
  } catch (error) {
    showActionError(errorText(error, "The interaction could not be closed"));
  } finally {
    dom.closeButton.disabled = false;
  }
}

async function markSeenIfNeeded() {
  const interaction = state.interactions.get(state.selectedId);
  // Unread counts are the agents' to-do list: a manager looking on leaves them alone.
  if (!config.maySend || !interaction || interaction.unread_count === 0) return;
  if (document.visibilityState !== "visible") return;
  if (state.markingSeen) {
    state.markSeenAgain = true;
    return;
  }
  state.markingSeen = true;
  state.markSeenAgain = false;
  let failed = false;
  try {
    receiveInteraction(await api(`interactions/${interaction.id}/seen/`, { method: "POST" }));
  } catch (error) {
    failed = true;
    console.warn("could not mark the interaction seen", error);
  } finally {
    state.markingSeen = false;
    // Still unread (per the newest picture) after a request that came in meanwhile: once more.
    if (state.markSeenAgain && !failed) markSeenIfNeeded();
  }
}

// -------------------------------------------------------------------------------------- the live connection

const live = {
  socket: null,
  attempts: 0,
  reconnectTimer: null,
  pingTimer: null,
  pongTimer: null,
  signedOut: false,
};

function showBanner(text, tone = "warn") {
  dom.bannerText.replaceChildren(typeof text === "string" ? document.createTextNode(text) : text);
  dom.banner.dataset.tone = tone;
  dom.banner.hidden = false;
}

function hideBanner() {
  dom.banner.hidden = true;
}

function showSignedOut() {
  if (live.signedOut) return;
  live.signedOut = true;
  clearTimeout(live.reconnectTimer);
  const next = encodeURIComponent(`${location.pathname}${location.hash}`);
  const message = document.createDocumentFragment();
  message.append(
    document.createTextNode("You are signed out. "),
    element("a", { text: "Sign in again", attrs: { href: `/login/?next=${next}` } }),
  );
  showBanner(message, "error");
}

function connect() {
  clearTimeout(live.reconnectTimer);
  if (live.signedOut) return;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/workspace/`);
  live.socket = socket;
  socket.addEventListener("message", (event) => {
    if (live.socket !== socket) return;
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    // Answers to our commands come one per frame; pushes come as a list of the events of the last few moments.
    for (const each of Array.isArray(data) ? data : [data]) receiveLiveEvent(each);
  });
  socket.addEventListener("close", (event) => {
    if (live.socket !== socket) return;
    live.socket = null;
    stopHeartbeat();
    if (event.code === 4403) {
      showSignedOut();
      return;
    }
    scheduleReconnect();
  });
}

function receiveLiveEvent(data) {
  notifyLiveEvent(data);
  switch (data.type) {
    case "hello":
      live.attempts = 0;
      hideBanner();
      startHeartbeat();
      resynchronise();
      break;
    case "pong":
      clearTimeout(live.pongTimer);
      break;
    case "live.resync": // the server's subscription was interrupted: pushes may have been lost
      resynchronise();
      break;
    case "interaction.changed":
      receiveInteraction(data.interaction);
      break;
    case "message.changed":
      receiveMessageChanged(data);
      if (data.interaction) receiveInteraction(data.interaction); // the change moved the interaction too
      break;
    default:
      // Feature modules (link previews, …) listen for the push types they own.
      document.dispatchEvent(new CustomEvent("workspace:live", { detail: data }));
      break;
  }
}

function scheduleReconnect() {
  clearTimeout(live.reconnectTimer);
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** live.attempts);
  const delay = ceiling / 2 + Math.random() * (ceiling / 2);
  live.attempts += 1;
  showBanner("Connection lost. Reconnecting…");
  live.reconnectTimer = setTimeout(connect, delay);
}

function reconnectNow() {
  if (live.socket || live.signedOut) return;
  live.attempts = 0;
  connect();
}

function startHeartbeat() {
  stopHeartbeat();
  live.pingTimer = setInterval(() => {
    const socket = live.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ type: "ping" }));
    clearTimeout(live.pongTimer);
    live.pongTimer = setTimeout(() => {
      // A half-open connection never reports its own death; drop it and start again.
      if (live.socket !== socket) return;
      live.socket = null;
      stopHeartbeat();
      socket.close();
      scheduleReconnect();
    }, PONG_TIMEOUT_MS);
  }, PING_EVERY_MS);
}

function stopHeartbeat() {
  clearInterval(live.pingTimer);
  clearTimeout(live.pongTimer);
}

// After any time away the pushes we missed are gone: reread the list and catch the open timeline up.
function resynchronise() {
  refreshInteractions();
  if (state.timeline) catchUp(state.timeline);
}

// -------------------------------------------------------------------------------------- wiring

function onTimelineScroll() {
  if (isTimelineAtBottom()) dom.newMessagesPill.hidden = true;
  const timeline = state.timeline;
  if (timeline && !timeline.earlierFailed && dom.timeline.scrollTop < LOAD_EARLIER_SLACK_PX) loadEarlier(timeline);
}

function applyPanelPreference() {
  const collapsed = localStorage.getItem("whatsdesk.panel") === "collapsed";
  dom.workspace.classList.toggle("panel-collapsed", collapsed);
  dom.panelToggle.setAttribute("aria-expanded", String(!collapsed));
}

function wire() {
  dom.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply();
  });
  dom.composerInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.altKey) {
      event.preventDefault();
      sendReply();
    }
  });
  dom.composerInput.addEventListener("input", () => {
    autosizeComposer();
    renderComposer();
    if (!dom.composerError.hidden) hideComposerError();
    notifyComposer("input");
  });
  dom.timeline.addEventListener("scroll", onTimelineScroll, { passive: true });
  dom.newMessagesPill.addEventListener("click", scrollTimelineToBottom);
  dom.filter.addEventListener("input", renderList);
  dom.list.addEventListener("scroll", loadMoreIfNearEnd, { passive: true });

  dom.closeButton.addEventListener("click", (event) => {
    event.stopPropagation();
    const opening = dom.closeOptions.hidden;
    dom.closeOptions.hidden = !opening;
    dom.closeButton.setAttribute("aria-expanded", String(opening));
    if (opening) dom.closeOptions.querySelector("button").focus();
  });
  for (const option of dom.closeOptions.querySelectorAll("[data-close-state]")) {
    option.addEventListener("click", () => closeInteraction(option.dataset.closeState));
  }
  document.addEventListener("click", (event) => {
    if (!dom.closeMenu.contains(event.target)) closeCloseMenu();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeCloseMenu();
  });

  dom.panelToggle.addEventListener("click", () => {
    const collapsed = !dom.workspace.classList.contains("panel-collapsed");
    localStorage.setItem("whatsdesk.panel", collapsed ? "collapsed" : "open");
    applyPanelPreference();
  });

  window.addEventListener("hashchange", () => selectInteraction(interactionIdFromHash()));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") return;
    if (!live.socket) reconnectNow();
    resynchronise();
    markSeenIfNeeded();
  });
  window.addEventListener("online", reconnectNow);

  setInterval(() => {
    // The window closes with time, not with an event.
    renderList();
    renderConversation();
  }, CLOCK_TICK_MS);
}

function sendLive(data) {
  if (live.socket && live.socket.readyState === WebSocket.OPEN) live.socket.send(JSON.stringify(data));
}

function start() {
  provideWorkspace({
    api,
    errorText,
    config,
    selectedInteraction: () => state.interactions.get(state.selectedId) || null,
    timelineMessage: (id) => shownMessage(state.timeline, id),
    composerBlockedReason: () => composerBlockedReason(state.interactions.get(state.selectedId)),
    receiveSentMessage,
    sendLive,
    timeFormat,
    fullFormat,
  });
  const hooks = { api, errorText, maySend: config.maySend, receiveSentMessage, refreshInteractions };
  setupConsent(hooks);
  setupOutreach(hooks);
  applyPanelPreference();
  wire();
  const fromHash = interactionIdFromHash();
  if (fromHash !== null) selectInteraction(fromHash);
  else renderConversation();
  refreshInteractions();
  connect();
  document.documentElement.dataset.workspaceReady = "true"; // every control is wired from here on
}

start();
