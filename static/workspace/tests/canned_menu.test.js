// The composer's `/` menu: when it opens, what it offers for the letters typed, and the placeholders a picked
// response still holds (highlighted, and refused at sending).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  highlightSegments,
  insertResponse,
  menuItems,
  moveActive,
  slashQuery,
  unfilledPlaceholders,
  unfilledRefusal,
} from "../canned_menu.js";

test("a slash at the start of the composer asks for the menu, with the letters typed after it", () => {
  assert.equal(slashQuery("/"), "");
  assert.equal(slashQuery("/Tha"), "tha");
  assert.equal(slashQuery("/tha more words", 4), "tha");
});

test("a slash anywhere else, or the caret past the first word, is just text", () => {
  assert.equal(slashQuery("see /thanks"), null);
  assert.equal(slashQuery(" /thanks"), null);
  assert.equal(slashQuery("/thanks and", 11), null);
  assert.equal(slashQuery("/thanks ", 8), null);
  assert.equal(slashQuery(""), null);
});

const menu = {
  responses: [
    { id: 1, shortcut: "thanks", title: "Thanks for waiting", text: "Thank you, Dan." },
    { id: 2, shortcut: "case", title: "Your case is being handled", text: "Your case {case_number} moves." },
    { id: 3, shortcut: "bye", title: "Closing the conversation", text: "Have a good day!" },
  ],
  actions: [
    { key: "case-status", title: "Send the latest case status", description: "…" },
    { key: "ask-for-photo", title: "Ask for a photo", description: "…" },
  ],
};
const ids = (items) => items.map((item) => item.id);

test("with nothing typed the menu lists the responses, then the quick actions", () => {
  assert.deepEqual(ids(menuItems(menu, "")), [
    "response-1",
    "response-2",
    "response-3",
    "action-case-status",
    "action-ask-for-photo",
  ]);
});

test("a shortcut that starts with the letters comes first, then a title word, then anything containing them", () => {
  assert.deepEqual(ids(menuItems(menu, "case")), ["response-2", "action-case-status"]);
  assert.deepEqual(ids(menuItems(menu, "photo")), ["action-ask-for-photo"]);
  assert.deepEqual(ids(menuItems(menu, "good")), ["response-3"]); // only in the body
  assert.deepEqual(ids(menuItems(menu, "zzz")), []);
  assert.deepEqual(ids(menuItems(menu, "", 2)), ["response-1", "response-2"]);
});

test("arrow keys wrap around the menu", () => {
  assert.equal(moveActive(-1, 1, 3), 0);
  assert.equal(moveActive(-1, -1, 3), 2);
  assert.equal(moveActive(2, 1, 3), 0);
  assert.equal(moveActive(0, -1, 3), 2);
  assert.equal(moveActive(0, 1, 0), -1);
});

test("the placeholders nothing filled are found, highlighted, and refuse the send until replaced", () => {
  const text = "Case {case_number} for {customer_name}, again {case_number}";
  assert.deepEqual(unfilledPlaceholders(text, ["case_number"]), [
    { name: "case_number", start: 5, end: 18 },
    { name: "case_number", start: 46, end: 59 },
  ]);
  assert.deepEqual(highlightSegments("Hi {case_number}!", ["case_number"]), [
    { text: "Hi ", placeholder: false },
    { text: "{case_number}", placeholder: true },
    { text: "!", placeholder: false },
  ]);
  assert.deepEqual(highlightSegments("", []), [{ text: "", placeholder: false }]);
  assert.match(unfilledRefusal(text, ["case_number"]), /^Replace \{case_number\} before sending/);
  assert.equal(unfilledRefusal("Case CS0001001", ["case_number"]), null);
  assert.equal(unfilledRefusal("I wrote {case_number} myself", []), null); // only what a response left
});

test("a picked response replaces the slash word and keeps what followed it", () => {
  assert.equal(insertResponse("/tha", "Thank you, Dan."), "Thank you, Dan.");
  assert.equal(insertResponse("/tha see below", "Thank you."), "Thank you. see below");
});

test("the composer refuses a reply with the first reason a send guard gives", async () => {
  const { extensionPoints, sendRefusal } = await import("../extend.js");
  const ws = extensionPoints({});
  ws.sendGuard(() => null);
  ws.sendGuard((text) => unfilledRefusal(text, ["case_number"]));
  assert.equal(sendRefusal("Case CS0001001"), null);
  assert.match(sendRefusal("Case {case_number}"), /^Replace \{case_number\}/);
});
