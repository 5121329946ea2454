// The supervisor's tiles and rows. Each keeps its nodes across snapshots (a button keeps its focus while the data
// around it changes) and is told the time each second to tick its durations. Names, reasons and queue names go in
// through textContent only.

import { element, reconcileChildren } from "../workspace/dom.js";
import { elapsedMs, formatDuration } from "./durations.js";

// Keeps one row per id in `rows`, in the items' order, moving only rows out of place; rows of ids gone go.
export function syncRows(container, items, rows, createRow) {
  const seen = new Set();
  const ordered = items.map((item) => {
    seen.add(item.id);
    let row = rows.get(item.id);
    if (!row) {
      row = createRow();
      rows.set(item.id, row);
    }
    row.update(item);
    return row.node;
  });
  for (const id of rows.keys()) if (!seen.has(id)) rows.delete(id);
  reconcileChildren(container, ordered);
}

const since = (iso, clock) => (iso ? formatDuration(elapsedMs(iso, clock)) : "—");

export function createQueueTile() {
  const name = element("h3", { className: "queue-name", testid: "queue-name" });
  const priority = element("span", { className: "count-pill" });
  const waiting = element("span", { className: "queue-waiting-count", testid: "queue-waiting" });
  const longest = element("dd", { testid: "queue-longest-wait" });
  const offered = element("dd", { testid: "queue-offered" });
  const expected = element("dd", { testid: "queue-expected-wait" });
  const node = element("li", { className: "queue-tile", testid: "queue-tile" }, [
    element("div", { className: "queue-tile-head" }, [name, priority]),
    element("p", { className: "queue-waiting" }, [
      waiting,
      element("span", { className: "queue-waiting-label", text: "waiting" }),
    ]),
    element("dl", { className: "queue-facts" }, [
      element("div", {}, [element("dt", { text: "Longest wait" }), longest]),
      element("div", {}, [element("dt", { text: "Offers out" }), offered]),
      element("div", { attrs: { title: "For a customer joining now, from the queue's recent history; — when there is too little of it" } }, [
        element("dt", { text: "Expected wait" }),
        expected,
      ]),
    ]),
  ]);
  let oldest = null;
  return {
    node,
    update(queue) {
      node.dataset.queue = queue.key;
      node.classList.toggle("is-waiting", queue.waiting > 0);
      name.textContent = queue.name;
      priority.textContent = `P${queue.priority}`;
      priority.title = `Priority ${queue.priority}: lower is served first`;
      waiting.textContent = String(queue.waiting);
      offered.textContent = String(queue.offered);
      expected.textContent = queue.expected_wait_seconds === null ? "—" : `~${formatDuration(queue.expected_wait_seconds * 1000)}`;
      oldest = queue.waiting_since;
    },
    tick(clock) {
      longest.textContent = since(oldest, clock);
    },
  };
}

function initial(name) {
  return (name.trim()[0] || "?").toUpperCase();
}

export function createAgentRow({ onForceOffline }) {
  const avatar = element("span", { className: "avatar avatar-sm", attrs: { "aria-hidden": "true" } });
  const name = element("span", { className: "agent-name", testid: "agent-name" });
  const username = element("span", { className: "agent-username mono" });
  const badge = element("span", { className: "presence-badge", testid: "presence-badge" });
  const reason = element("span", { className: "presence-reason", testid: "presence-reason" });
  const fill = element("span", { className: "load-fill" });
  const bar = element("span", { className: "load-bar", attrs: { role: "meter", "aria-valuemin": "0" } }, [fill]);
  const loadText = element("span", { className: "load-text", testid: "agent-load" });
  const inState = element("td", { className: "duration", testid: "agent-in-state" });
  const force = element("button", {
    className: "btn btn-outline btn-sm",
    text: "Force offline",
    testid: "force-offline",
    attrs: { type: "button" },
  });
  const node = element("tr", { testid: "agent-row" }, [
    element("th", { attrs: { scope: "row" } }, [
      element("span", { className: "agent-cell" }, [
        avatar,
        element("span", { className: "agent-names" }, [name, username]),
      ]),
    ]),
    element("td", {}, [element("span", { className: "presence-cell" }, [badge, reason])]),
    element("td", {}, [element("span", { className: "load-cell" }, [bar, loadText])]),
    inState,
    element("td", { className: "row-actions" }, [force]),
  ]);
  let agent = null;
  force.addEventListener("click", () => onForceOffline(agent, force));
  return {
    node,
    update(next) {
      agent = next;
      node.dataset.agentId = String(agent.id);
      avatar.textContent = initial(agent.name);
      name.textContent = agent.name;
      username.textContent = agent.username;
      badge.textContent = agent.presence_label;
      badge.dataset.presence = agent.presence;
      reason.textContent = agent.away_reason;
      reason.hidden = !agent.away_reason;
      const share = agent.capacity > 0 ? Math.min(1, agent.load / agent.capacity) : 1;
      fill.style.width = `${Math.round(share * 100)}%`;
      bar.dataset.full = String(agent.load >= agent.capacity);
      bar.setAttribute("aria-valuemax", String(agent.capacity));
      bar.setAttribute("aria-valuenow", String(agent.load));
      bar.setAttribute("aria-label", `${agent.name}'s load: ${agent.load} of ${agent.capacity} conversations`);
      loadText.textContent = `${agent.load}/${agent.capacity}`;
      force.disabled = agent.presence === "offline";
      force.setAttribute("aria-label", `Force ${agent.name} offline`);
    },
    tick(clock) {
      inState.textContent = since(agent.presence_changed_at, clock);
    },
  };
}

export function createConversationRow({ onReassign, onWhisper }) {
  const customer = element("span", { className: "customer-name", testid: "conversation-customer" });
  const number = element("span", { className: "customer-number mono" });
  const agentName = element("td", { testid: "conversation-agent" });
  const queue = element("td", { testid: "conversation-queue" });
  const state = element("span", { className: "state-pill" });
  const wrote = element("span", { className: "duration", testid: "conversation-customer-wrote" });
  const awaiting = element("span", { className: "awaiting-chip", text: "awaiting reply", testid: "awaiting-reply" });
  const reassign = element("button", {
    className: "btn btn-outline btn-sm",
    text: "Reassign…",
    testid: "reassign",
    attrs: { type: "button", "aria-haspopup": "dialog" },
  });
  const whisper = element("button", {
    className: "btn btn-outline btn-sm",
    text: "Whisper…",
    testid: "whisper",
    attrs: { type: "button", "aria-haspopup": "dialog" },
  });
  const readAlong = element("a", {
    className: "btn btn-ghost btn-sm",
    text: "Read along",
    testid: "read-along",
    attrs: { target: "_blank", rel: "noopener" },
  });
  const node = element("tr", { testid: "conversation-row" }, [
    element("th", { attrs: { scope: "row" } }, [
      element("span", { className: "customer-cell" }, [customer, number]),
    ]),
    agentName,
    queue,
    element("td", {}, [state]),
    element("td", {}, [element("span", { className: "wrote-cell" }, [wrote, awaiting])]),
    element("td", { className: "row-actions" }, [reassign, whisper, readAlong]),
  ]);
  let conversation = null;
  reassign.addEventListener("click", () => onReassign(conversation, reassign));
  whisper.addEventListener("click", () => onWhisper(conversation, whisper));
  return {
    node,
    update(next) {
      conversation = next;
      node.dataset.interactionId = String(conversation.id);
      customer.textContent = conversation.customer;
      number.textContent = conversation.number;
      agentName.textContent = conversation.agent;
      queue.textContent = conversation.queue || "—";
      state.textContent = conversation.state_label;
      state.className = `state-pill state-${conversation.state}`;
      awaiting.hidden = !conversation.awaiting_reply;
      readAlong.href = `/workspace/#interaction-${conversation.id}`;
      readAlong.setAttribute("aria-label", `Read along with ${conversation.customer}'s conversation`);
      reassign.setAttribute("aria-label", `Reassign ${conversation.customer}'s conversation`);
      whisper.setAttribute("aria-label", `Whisper to ${conversation.agent} about ${conversation.customer}`);
    },
    tick(clock) {
      wrote.textContent = conversation.last_customer_message_at
        ? `${since(conversation.last_customer_message_at, clock)} ago`
        : "—";
    },
  };
}
