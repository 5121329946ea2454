// Pure formatting and the rules the page re-judges against the clock (the service window, an offer's countdown).
// No DOM here: these run under `node --test` as they do in the browser.

import { workspaceProperties } from "./properties.js";

// The "Service window warning" property: a window with less than this left is shown as closing.
export const WINDOW_WARNING_MS = workspaceProperties.window_warning_minutes * 60 * 1000;
export const OPEN_STATES = new Set(["new", "work_in_progress", "on_hold"]);
export const STATE_LABELS = {
  new: "New",
  work_in_progress: "Work in progress",
  on_hold: "On hold",
  closed_complete: "Closed complete",
  closed_abandoned: "Closed abandoned",
};
export const STATUS_LABELS = {
  queued: "Queued: waiting to be sent",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Not delivered",
};
const AVATAR_COLOURS = ["#0f766e", "#2563eb", "#7c3aed", "#c2410c", "#0369a1", "#be185d", "#4d7c0f", "#b45309"];

export const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dateFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const longDateFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
});
export const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long" });

export const parseDate = (value) => (value ? new Date(value) : null);
export const startOfDay = (date) => new Date(date.getFullYear(), date.getMonth(), date.getDate());
const daysBetween = (earlier, later) => Math.round((startOfDay(later) - startOfDay(earlier)) / 86400000);

export function relativeTime(date, now = new Date()) {
  if (!date) return "";
  const seconds = Math.max(0, (now - date) / 1000);
  if (seconds < 45) return "now";
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  if (seconds < 7 * 86400) return `${Math.floor(seconds / 86400)}d`;
  return dateFormat.format(date);
}

export function dayLabel(date, now = new Date()) {
  const days = daysBetween(date, now);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  if (days > 1 && days < 7) return weekdayFormat.format(date);
  return longDateFormat.format(date);
}

export function dateAndTime(date, now = new Date()) {
  if (!date) return "—";
  const days = daysBetween(date, now);
  const time = timeFormat.format(date);
  if (days === 0) return `Today, ${time}`;
  if (days === 1) return `Yesterday, ${time}`;
  return fullFormat.format(date);
}

export function durationLeft(milliseconds) {
  const minutes = Math.max(1, Math.ceil(milliseconds / 60000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h`;
}

// An offer's time to answer, to the second: "0:42", "1:05"; `urgent` in its last ten seconds.
export function countdown(expiresAt, now = new Date()) {
  const until = parseDate(expiresAt);
  if (!until) return { expired: false, secondsLeft: Infinity, label: "", urgent: false };
  const secondsLeft = Math.max(0, Math.ceil((until - now) / 1000));
  const minutes = Math.floor(secondsLeft / 60);
  const seconds = String(secondsLeft % 60).padStart(2, "0");
  return { expired: secondsLeft === 0, secondsLeft, label: `${minutes}:${seconds}`, urgent: secondsLeft <= 10 };
}

export const formatNumber = (externalId) => (externalId ? `+${String(externalId).replace(/^\+/, "")}` : "");
export const customerName = (interaction) =>
  interaction.channel_user.display_name || formatNumber(interaction.channel_user.external_id) || "Customer";

export function initials(interaction) {
  // Letters and digits only: a profile name is whatever the customer typed into WhatsApp.
  const words = interaction.channel_user.display_name.match(/[\p{L}\p{N}]+/gu) || [];
  if (words.length === 0) return String(interaction.channel_user.external_id || "?").slice(-2);
  const letters = words.length > 1 ? [...words[0]][0] + [...words[words.length - 1]][0] : [...words[0]].slice(0, 2).join("");
  return letters.toUpperCase();
}

export const avatarColour = (interaction) => AVATAR_COLOURS[interaction.channel_user.id % AVATAR_COLOURS.length];

// Mirrors interactions/policies.py: the server's answer, re-judged against the clock as the window runs out.
export function serviceWindow(interaction, now = new Date()) {
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
        ? `The customer service window closed at ${dateAndTime(closesAt, now)}; ` +
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
export function optedOutSilence(interaction) {
  const reply = interaction.reply;
  if (!reply || reply.allowed || !reply.opted_out_at) return null;
  return { reason: reply.reason };
}

// The server says (`is_open`); the list of states is the fallback for a summary from before it did.
export const isOpen = (interaction) => interaction.is_open ?? OPEN_STATES.has(interaction.state);
export const activityAt = (interaction) => parseDate(interaction.last_message_at || interaction.opened_at);
export const interactionLabel = (interaction) => interaction.number || `#${interaction.id}`;

// The list's search: name, number (either way written) or interaction number.
export function matchesFilter(interaction, needle) {
  if (!needle) return true;
  const haystack = [
    interaction.channel_user.display_name,
    interaction.channel_user.external_id,
    formatNumber(interaction.channel_user.external_id),
    interaction.number,
  ]
    .join(" ")
    .toLowerCase();
  return haystack.includes(needle.trim().toLowerCase());
}

// A failed call is tried again after a random delay under a ceiling that doubles with each failure (full jitter,
// half of it guaranteed), so many tabs do not come back at the same instant.
export function backoffDelay(failures, { base, max, random = Math.random }) {
  const ceiling = Math.min(max, base * 2 ** failures);
  return ceiling / 2 + random() * (ceiling / 2);
}
