// The open conversation's messages: day separators, grouping, the start (or "Load earlier messages"), the closed
// note; each message drawn once per revision and kept, so a tick or a reaction redraws only its own bubble.
// A message kind's body comes from the renderer a feature registered (text is the default; a kind nobody
// renders reads as a note), and every fresh node is offered to the registered decorators.

import { ICONS, element, icon, reconcileChildren, richText } from "./dom.js";
import { decorateMessage, kindRenderer, messageIsFolded } from "./extend.js";
import { STATUS_LABELS, dateAndTime, dayLabel, fullFormat, isOpen, parseDate, startOfDay, timeFormat } from "./format.js";
import { shownMessages } from "./store.js";

const AT_BOTTOM_SLACK_PX = 48;
const LOAD_EARLIER_SLACK_PX = 120;
const GROUP_WITHIN_MS = 5 * 60 * 1000;

export function createTimelineView({ store, dom }) {
  const { state } = store;
  const nodes = new Map(); // "message:<id>" / "day:<key>" / "start" / … -> element

  function isAtBottom() {
    const { scrollTop, scrollHeight, clientHeight } = dom.timeline;
    return scrollHeight - scrollTop - clientHeight < AT_BOTTOM_SLACK_PX;
  }

  function scrollToBottom() {
    dom.timeline.scrollTop = dom.timeline.scrollHeight;
    dom.newMessagesPill.hidden = true;
  }

  function clear() {
    nodes.clear();
    dom.timeline.replaceChildren();
    dom.newMessagesPill.hidden = true;
  }

  function cached(key, create) {
    let node = nodes.get(key);
    if (!node) {
      node = create();
      nodes.set(key, node);
    }
    return node;
  }

  function render({ scroll = "follow", added = [] } = {}) {
    const timeline = state.timeline;
    if (!timeline) return;
    const wasAtBottom = isAtBottom();
    const fromBottom = dom.timeline.scrollHeight - dom.timeline.scrollTop; // kept when earlier messages go on top
    reconcileChildren(dom.timeline, timeline.loaded ? loadedNodes(timeline) : [loadingNode(timeline)]);

    if (scroll === "keep") {
      dom.timeline.scrollTop = dom.timeline.scrollHeight - fromBottom;
    } else if (scroll === "bottom" || (scroll === "follow" && wasAtBottom)) {
      scrollToBottom();
    } else if (added.some((message) => !messageIsFolded(message))) {
      dom.newMessagesPill.hidden = false; // a reaction only changes a message already there
    }
  }

  function loadingNode(timeline) {
    const node = cached("loading", () =>
      element("div", { className: "timeline-status" }, [
        element("span", { className: "spinner", attrs: { "aria-hidden": "true" } }),
        element("span", { text: "Loading conversation…" }),
      ]),
    );
    if (timeline.failed) node.lastChild.textContent = "Could not load the conversation. Retrying when back online…";
    return node;
  }

  function loadedNodes(timeline) {
    const interaction = state.interactions.get(timeline.interactionId);
    const list = [];
    if (timeline.earlier !== null) {
      list.push(earlierNode(timeline));
    } else {
      const start = cached("start", () =>
        element("div", { className: "timeline-start" }, [element("span", { text: "Start of the conversation" })]),
      );
      if (interaction) {
        start.firstChild.textContent = `${interaction.number || "Interaction"} opened ${dateAndTime(
          parseDate(interaction.opened_at),
        )}`;
      }
      list.push(start);
    }
    const messages = shownMessages(timeline);
    let previousDay = null;
    let previous = null;
    const now = new Date();
    for (const message of messages) {
      if (messageIsFolded(message)) continue;
      const at = parseDate(message.sent_at || message.created_at);
      const day = startOfDay(at).getTime();
      if (day !== previousDay) {
        const separator = cached(`day:${day}`, () =>
          element("div", { className: "day-separator", attrs: { role: "separator" } }, [element("span")]),
        );
        separator.firstChild.textContent = dayLabel(at, now);
        list.push(separator);
        previous = null;
      }
      previousDay = day;
      const node = messageNode(message);
      node.classList.toggle("is-grouped", Boolean(previous && groupedWith(previous, message, at)));
      list.push(node);
      previous = message;
    }
    if (messages.length === 0) {
      list.push(cached("empty", () => element("div", { className: "timeline-status", text: "No messages yet." })));
    }
    if (interaction && !isOpen(interaction)) {
      const closed = cached("closed", () => element("div", { className: "timeline-closed" }, [element("span")]));
      const label = interaction.state === "closed_abandoned" ? "abandoned" : "complete";
      closed.firstChild.textContent = `Closed as ${label} · ${dateAndTime(parseDate(interaction.closed_at))}`;
      list.push(closed);
    }
    return list;
  }

  function groupedWith(previous, message, at) {
    return (
      previous.direction === message.direction &&
      previous.kind !== "unsupported" &&
      message.kind !== "unsupported" &&
      (previous.author || "") === (message.author || "") &&
      at - parseDate(previous.sent_at || previous.created_at) < GROUP_WITHIN_MS
    );
  }

  function earlierNode(timeline) {
    const node = cached("earlier", () => {
      const button = element("button", {
        className: "timeline-earlier-button",
        testid: "load-earlier",
        attrs: { type: "button" },
      });
      button.addEventListener("click", () => store.loadEarlier());
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

  function messageNode(message) {
    const key = `message:${message.id}`;
    const existing = nodes.get(key);
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
    nodes.set(key, node);
    return node;
  }

  dom.timeline.addEventListener(
    "scroll",
    () => {
      if (isAtBottom()) dom.newMessagesPill.hidden = true;
      const timeline = state.timeline;
      if (timeline && !timeline.earlierFailed && dom.timeline.scrollTop < LOAD_EARLIER_SLACK_PX) store.loadEarlier();
    },
    { passive: true },
  );
  dom.newMessagesPill.addEventListener("click", scrollToBottom);

  return { render, clear, scrollToBottom };
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

function timeNode(at, className) {
  return element("time", {
    className,
    text: timeFormat.format(at),
    attrs: { datetime: at.toISOString(), title: fullFormat.format(at) },
  });
}

const CONTENT_REMOVED = {
  retention: "Content removed under the retention policy",
  erasure: "Content removed at the customer's erasure request",
};

function contentRemovedNode(message) {
  const at = parseDate(message.content_removed_at);
  return element("div", {
    className: "message-text content-removed",
    testid: "content-removed",
    attrs: { role: "note", title: `Removed · ${fullFormat.format(at)}` },
    text: CONTENT_REMOVED[message.content_removed_reason] || "Content removed",
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

  // A message whose content was removed keeps its place, time and ticks; its bubble says why it is empty.
  const renderKind = message.content_removed_at ? contentRemovedNode : kindRenderer(message.kind);
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
        timeNode(at, "note-time"),
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

  const meta = element("div", { className: "message-meta" }, [claimedTime(message), timeNode(at)]);
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
