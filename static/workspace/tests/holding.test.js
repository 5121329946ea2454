// Whose conversation it is: a colleague's is read-only where the server keeps conversations their agent's.
import assert from "node:assert/strict";
import { test } from "node:test";

import { colleagueHolding, mayActIn, readAlongReason } from "../holding.js";

const routed = { userId: 7, maySend: true, onlyAssigneeActs: true };
const held = (assignedToId, name = "Ana") => ({ id: 1, assigned_to_id: assignedToId, assigned_to: assignedToId ? name : null });

test("a colleague's conversation is read-only and names who has it", () => {
  assert.equal(colleagueHolding(held(3), routed), "Ana");
  assert.equal(mayActIn(held(3), routed), false);
  assert.match(readAlongReason("Ana"), /^Ana has this conversation: .*internal notes/);
});

test("one's own conversation and an unassigned one (writing claims it) may be acted in", () => {
  assert.equal(colleagueHolding(held(7), routed), null);
  assert.equal(colleagueHolding(held(null), routed), null);
  assert.equal(mayActIn(held(7), routed), true);
  assert.equal(mayActIn(held(null), routed), true);
});

test("on a desk where colleagues help out (no routing), anyone's may be acted in", () => {
  const openDesk = { ...routed, onlyAssigneeActs: false };
  assert.equal(colleagueHolding(held(3), openDesk), null);
  assert.equal(mayActIn(held(3), openDesk), true);
});

test("a manager reads along everywhere; nothing is selected, nobody holds it", () => {
  assert.equal(mayActIn(held(7), { ...routed, maySend: false }), false);
  assert.equal(colleagueHolding(null, routed), null);
});

test("a holder without a name is still someone else", () => {
  assert.equal(colleagueHolding({ id: 1, assigned_to_id: 3, assigned_to: null }, routed), "Another agent");
});
