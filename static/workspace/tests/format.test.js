// The pure formatting and clock rules of the workspace (node --test static/).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  backoffDelay,
  countdown,
  durationLeft,
  formatNumber,
  initials,
  isOpen,
  matchesFilter,
  optedOutSilence,
  relativeTime,
  serviceWindow,
} from "../format.js";

const NOW = new Date("2026-12-06T10:00:00Z");
const later = (ms) => new Date(NOW.getTime() + ms).toISOString();
const customer = (fields = {}) => ({ id: 1, display_name: "", external_id: "4915112345678", ...fields });

test("relative time reads as now, minutes, hours and days", () => {
  assert.equal(relativeTime(new Date(NOW - 30 * 1000), NOW), "now");
  assert.equal(relativeTime(new Date(NOW - 5 * 60 * 1000), NOW), "5m");
  assert.equal(relativeTime(new Date(NOW - 3 * 3600 * 1000), NOW), "3h");
  assert.equal(relativeTime(new Date(NOW - 2 * 86400 * 1000), NOW), "2d");
  assert.equal(relativeTime(null, NOW), "");
});

test("time left rounds up to the minute, then shows whole hours", () => {
  assert.equal(durationLeft(10 * 1000), "1m");
  assert.equal(durationLeft(59 * 60 * 1000), "59m");
  assert.equal(durationLeft(5.5 * 3600 * 1000), "5h");
});

test("an offer's countdown shows minutes and seconds, turns urgent in its last ten seconds, ends at zero", () => {
  assert.deepEqual(countdown(later(65 * 1000), NOW), { expired: false, secondsLeft: 65, label: "1:05", urgent: false });
  assert.deepEqual(countdown(later(9500), NOW), { expired: false, secondsLeft: 10, label: "0:10", urgent: true });
  assert.deepEqual(countdown(later(-3000), NOW), { expired: true, secondsLeft: 0, label: "0:00", urgent: true });
  assert.equal(countdown(null, NOW).expired, false);
});

test("the service window is open, warns in its last hour, and explains itself once closed", () => {
  const open = serviceWindow({ service_window: { open: true, closes_at: later(5 * 3600 * 1000) } }, NOW);
  assert.equal(open.open, true);
  assert.equal(open.tone, "ok");
  assert.equal(open.label, "5h left");

  const closing = serviceWindow({ service_window: { open: true, closes_at: later(20 * 60 * 1000) } }, NOW);
  assert.equal(closing.tone, "warn");
  assert.equal(closing.label, "20m left");

  // The server said open, but the clock has run past it since.
  const lapsed = serviceWindow({ service_window: { open: true, closes_at: later(-1000) } }, NOW);
  assert.equal(lapsed.open, false);
  assert.match(lapsed.reason, /only a template may be sent/);

  const never = serviceWindow({ service_window: { open: false, reason: "", closes_at: null } }, NOW);
  assert.equal(never.reason, "The customer has not written to us yet, so only a template may be sent.");

  const noWindow = serviceWindow({ service_window: { open: true, closes_at: null } }, NOW);
  assert.equal(noWindow.open, true);
  assert.equal(noWindow.left, Infinity);
});

test("an opt-out silences replies whatever the window says", () => {
  assert.equal(optedOutSilence({ reply: { allowed: true } }), null);
  assert.deepEqual(optedOutSilence({ reply: { allowed: false, opted_out_at: later(0), reason: "Opted out" } }), {
    reason: "Opted out",
  });
  assert.equal(optedOutSilence({ reply: { allowed: false, opted_out_at: null, reason: "window" } }), null);
});

test("initials come from letters and digits of the profile name, else the number's last two digits", () => {
  assert.equal(initials({ channel_user: customer({ display_name: "Ana María López" }) }), "AL");
  assert.equal(initials({ channel_user: customer({ display_name: "😀 zoë" }) }), "ZO");
  assert.equal(initials({ channel_user: customer() }), "78");
});

test("the list's search matches name, number written either way, and interaction number", () => {
  const interaction = { number: "IMS0001042", channel_user: customer({ display_name: "Ana" }) };
  assert.equal(formatNumber("4915112345678"), "+4915112345678");
  for (const needle of ["ana", "+49151", "4915112", "ims0001042", ""]) assert.ok(matchesFilter(interaction, needle), needle);
  assert.equal(matchesFilter(interaction, "bob"), false);
});

test("backoff waits between half and all of a ceiling that doubles up to its maximum", () => {
  const options = { base: 500, max: 10000 };
  assert.equal(backoffDelay(0, { ...options, random: () => 0 }), 250);
  assert.equal(backoffDelay(0, { ...options, random: () => 1 }), 500);
  assert.equal(backoffDelay(3, { ...options, random: () => 1 }), 4000);
  assert.equal(backoffDelay(10, { ...options, random: () => 1 }), 10000);
});

test("an interaction is open as the server says, on hold included", () => {
  assert.equal(isOpen({ state: "on_hold", is_open: true }), true);
  assert.equal(isOpen({ state: "closed_complete", is_open: false }), false);
  assert.equal(isOpen({ state: "on_hold" }), true); // a summary from before the server said
});
