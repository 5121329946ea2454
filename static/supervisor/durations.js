// Durations the supervisor's view shows ticking (waits, time in a presence, since the customer wrote), counted on
// the server's clock: each snapshot says the server's time, and the browser's own clock may be minutes off.

export function clockOffset(serverTimeIso, receivedAtMs) {
  const serverMs = Date.parse(serverTimeIso);
  return Number.isFinite(serverMs) ? serverMs - receivedAtMs : 0;
}

export function elapsedMs(sinceIso, { nowMs, offsetMs }) {
  if (!sinceIso) return null;
  const since = Date.parse(sinceIso);
  if (!Number.isFinite(since)) return null;
  return Math.max(0, nowMs + offsetMs - since);
}

const pad = (value) => String(value).padStart(2, "0");

// "45s", "3m 07s", "2h 05m", "3d 4h": precise while it is short, coarse once it is long.
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${pad(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}
