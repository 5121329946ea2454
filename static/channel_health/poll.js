// Channel health, asked of the server every few seconds (GET /api/v1/channel-health/) by whatever on the page
// shows it: the header alert (supervisors) and the composer's notice (agents). One request per page however
// many listen; a failed request keeps the last answer and tries again at the next turn (a hint, never an error).

const listeners = [];
let latest = null;
let timer = null;

async function ask(url) {
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return;
    latest = await response.json();
    for (const listener of listeners) listener(latest);
  } catch {
    // Offline or the server restarting: the next turn asks again.
  }
}

const pageSetting = () => Number(document.querySelector('meta[name="channel-health-poll-seconds"]')?.content) || 15;

// fn(health) on every answer, and at once with the last one if there is one.
export function onChannelHealth(fn, { url = "/api/v1/channel-health/", everySeconds = pageSetting() } = {}) {
  listeners.push(fn);
  if (latest) fn(latest);
  if (timer === null) {
    ask(url);
    timer = setInterval(() => ask(url), Math.max(everySeconds, 2) * 1000);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") ask(url);
    });
  }
}

// The alert that stops an account from sending, for one conversation's account, or null.
export function sendingBlockedFor(health, { channel, accountId }) {
  if (!health) return null;
  return (health.sending_blocked || []).find((item) => item.channel === channel && item.account_id === accountId) || null;
}
