// What the transfer dialog offers and sends, as pure functions (no DOM; node --test): the queues from
// GET /api/v1/routing/queues/ and the agents from GET /api/v1/routing/agents/ as choices, and the body of
// POST /api/v1/interactions/<id>/transfer/ for the one chosen.

const PRESENCE_ORDER = { available: 0, away: 1, offline: 2 };
const pageRows = (data) => (Array.isArray(data) ? data : data?.results || []);

// A queue: its name, and whether it is open now and how many wait in it ("Open · 3 waiting").
export function queueChoices(data) {
  return pageRows(data).map((queue) => ({
    value: `queue:${queue.key}`,
    label: queue.name || queue.key,
    detail: [queue.is_open === false ? "Closed now" : "Open", `${queue.waiting ?? 0} waiting`].join(" · "),
    muted: queue.is_open === false,
  }));
}

// An agent other than me: available ones first (then away, offline), each with their presence and load; one at
// capacity is still offered (the offer waits for room) but says so.
export function agentChoices(data, myId) {
  return pageRows(data)
    .filter((agent) => agent.id !== myId)
    .map((agent) => {
      const presence = agent.presence || "offline";
      const full = agent.capacity != null && agent.load >= agent.capacity;
      const load = agent.capacity != null ? `${agent.load ?? 0} / ${agent.capacity}` : `${agent.load ?? 0}`;
      return {
        value: `agent:${agent.id}`,
        label: agent.name || agent.username || `Agent ${agent.id}`,
        detail: [presenceLabel(presence, agent.away_reason), `${load} conversations${full ? ", full" : ""}`].join(" · "),
        muted: presence !== "available" || full,
        order: PRESENCE_ORDER[presence] ?? 3,
      };
    })
    .sort((a, b) => a.order - b.order || a.label.localeCompare(b.label))
    .map(({ order, ...choice }) => choice);
}

function presenceLabel(presence, awayReason) {
  const label = presence.charAt(0).toUpperCase() + presence.slice(1);
  return presence === "away" && awayReason ? `${label} (${awayReason})` : label;
}

// The request body for a chosen value ("queue:<key>" or "agent:<id>"), or null when nothing valid is chosen.
export function transferBody(choice, note) {
  const match = /^(queue|agent):(.+)$/.exec(choice || "");
  if (!match) return null;
  const text = (note || "").trim();
  if (match[1] === "queue") return { to_queue: match[2], note: text };
  const id = Number(match[2]);
  return Number.isInteger(id) && id > 0 ? { to_agent: id, note: text } : null;
}
