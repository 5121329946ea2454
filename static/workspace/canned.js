// The composer's `/` menu: typing `/` at the start of the reply opens canned responses and quick actions,
// filtered as the agent types (arrows, Enter or Tab, Esc; or the mouse). A response is put into the reply, filled
// in by the server for this conversation, for the agent to edit; a placeholder nothing fills stays as `{name}`,
// is selected and listed above the box, and the reply is not sent until it is replaced. A quick action runs at once
// and its message joins the timeline like any reply. The rules (who may, the window, consent) are the server's.

import {
  highlightSegments,
  insertResponse,
  menuItems,
  moveActive,
  slashQuery,
  unfilledPlaceholders,
  unfilledRefusal,
} from "./canned_menu.js";
import { element } from "./dom.js";
import { feature } from "./extend.js";
import { sendKeys } from "./send_keys.js";

const MENU_ID = "canned-menu";

let ws = null;
let input = null;
// The open menu: what the server offered (for `interactionId`), the letters typed, the rows shown, the active one.
const menu = { open: false, interactionId: null, data: null, error: "", query: "", items: [], active: -1 };
let dismissed = false; // Esc closes the menu until the slash word is gone
let running = false;
const pending = new Map(); // interaction id -> placeholders its picked responses left for the agent to replace
// The Idempotency-Key of a quick action until it is answered: running it again after a failure sends the same
// key, and the server answers with what the first run sent, if it sent anything.
const runKeys = sendKeys();

const listbox = element("div", {
  className: "canned-menu",
  testid: "canned-menu",
  attrs: { role: "listbox", id: MENU_ID, "aria-label": "Canned responses and quick actions", hidden: "" },
});
const fillBar = element("div", { className: "canned-fill", testid: "canned-fill", attrs: { hidden: "" } });

feature("canned-responses", (workspace) => {
  ws = workspace;
  input = ws.slot("composer-input");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", MENU_ID);
  const box = ws.slot("composer-box");
  box.before(listbox);
  box.before(fillBar);
  input.addEventListener("input", update);
  input.addEventListener("click", update); // the caret moved out of (or into) the slash word
  input.addEventListener("blur", () => close());
  // Capturing on the form, the menu's keys are handled before the composer's own Enter-to-send on the box.
  ws.slot("composer").addEventListener("keydown", onKey, true);
  ws.sendGuard((text) => unfilledRefusal(text, placeholdersLeft()));
  ws.onComposer((what) => {
    // Sent: the text is gone and its placeholders with it. Selected: another conversation's draft, and its own.
    if (what === "sent" || what === "selected") {
      close();
      renderFillBar();
    }
  });
});

const selectedId = () => ws.selectedInteraction()?.id ?? null;
const placeholdersLeft = () => pending.get(selectedId()) || [];

function update() {
  const query = ws.composerBlockedReason() === null ? slashQuery(input.value, input.selectionStart) : null;
  if (query === null) {
    dismissed = false;
    close();
  } else if (!dismissed) {
    openFor(query);
  }
  renderFillBar();
}

// Each opening asks the server again: the case, the customer's name or the shared responses may have changed.
function openFor(query) {
  const interactionId = selectedId();
  if (!menu.open || menu.interactionId !== interactionId) {
    Object.assign(menu, { open: true, interactionId, data: null, error: "", active: -1 });
    load(interactionId);
  }
  if (query !== menu.query) menu.active = -1;
  menu.query = query;
  render();
}

async function load(interactionId) {
  try {
    const [filled, actions] = await Promise.all([
      ws.api(`interactions/${interactionId}/canned-responses/`),
      ws.api(`interactions/${interactionId}/quick-actions/`),
    ]);
    if (menu.open && menu.interactionId === interactionId) menu.data = { responses: filled.responses, actions };
  } catch (failure) {
    if (menu.open && menu.interactionId === interactionId) menu.error = ws.errorText(failure, "The menu could not be loaded");
  }
  render();
}

function close() {
  menu.open = false;
  menu.items = [];
  menu.active = -1;
  render();
}

function render() {
  listbox.hidden = !menu.open;
  input.removeAttribute("aria-activedescendant");
  if (!menu.open) {
    listbox.replaceChildren();
    return;
  }
  if (!menu.data) {
    listbox.replaceChildren(element("p", { className: "canned-note", text: menu.error || "Loading…" }));
    return;
  }
  menu.items = menuItems(menu.data, menu.query);
  if (menu.active < 0 && menu.items.length) menu.active = 0;
  if (!menu.items.length) {
    listbox.replaceChildren(element("p", { className: "canned-note", text: `Nothing matches /${menu.query}` }));
    return;
  }
  listbox.replaceChildren(...menu.items.map(option));
  const active = menu.items[menu.active];
  if (active) {
    input.setAttribute("aria-activedescendant", optionId(active));
    listbox.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: "nearest" });
  }
}

const optionId = (item) => `canned-option-${item.id}`;

function option(item, index) {
  const isAction = item.type === "action";
  const preview = element("span", { className: "canned-preview" });
  if (isAction) {
    preview.textContent = item.description;
  } else {
    for (const piece of highlightSegments(item.text, item.missing)) {
      preview.append(piece.placeholder ? element("mark", { text: piece.text }) : document.createTextNode(piece.text));
    }
  }
  const node = element(
    "div",
    {
      className: `canned-option${isAction ? " is-action" : ""}`,
      testid: isAction ? "canned-action" : "canned-response",
      attrs: { role: "option", id: optionId(item), "aria-selected": String(index === menu.active) },
    },
    [
      element("span", { className: "canned-option-head" }, [
        element("code", { className: "canned-shortcut", text: isAction ? "Quick action" : `/${item.shortcut}` }),
        element("span", { className: "canned-title", text: item.title }),
        item.language ? element("span", { className: "canned-language", text: item.language }) : null,
      ]),
      preview,
    ],
  );
  node.addEventListener("mousedown", (event) => event.preventDefault()); // the reply box keeps the focus
  node.addEventListener("click", () => pick(item));
  return node;
}

function onKey(event) {
  if (!menu.open || event.target !== input || event.isComposing) return;
  const count = menu.items.length;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    menu.active = moveActive(menu.active, event.key === "ArrowDown" ? 1 : -1, count);
    render();
  } else if ((event.key === "Enter" && !event.shiftKey && !event.altKey) || event.key === "Tab") {
    if (!menu.data) {
      if (event.key === "Enter") event.preventDefault(); // still loading: never send the "/th" typed so far
      return;
    }
    if (menu.active < 0 || !count) return; // nothing matches: Enter sends what was typed, Tab moves on
    pick(menu.items[menu.active]);
  } else if (event.key === "Escape") {
    dismissed = true;
    close();
  } else {
    return;
  }
  event.preventDefault();
  event.stopPropagation();
}

function pick(item) {
  if (item.type === "action") {
    runAction(item);
    return;
  }
  const interactionId = selectedId();
  pending.set(interactionId, [...new Set([...placeholdersLeft(), ...item.missing])]);
  input.value = insertResponse(input.value, item.text);
  close();
  input.dispatchEvent(new Event("input", { bubbles: true })); // the composer's counter, size and typing signal
  input.focus();
  const first = unfilledPlaceholders(input.value, placeholdersLeft())[0];
  if (first) input.setSelectionRange(first.start, first.end);
  else input.setSelectionRange(input.value.length, input.value.length);
}

async function runAction(item) {
  const interaction = ws.selectedInteraction();
  if (!interaction || running) return;
  running = true;
  close();
  try {
    const message = await ws.api(`interactions/${interaction.id}/quick-actions/${item.key}/`, {
      method: "POST",
      headers: { "Idempotency-Key": runKeys.keyFor(interaction.id, item.key) },
    });
    runKeys.sent(interaction.id);
    if (selectedId() === interaction.id) {
      input.value = input.value.replace(/^\/\S*\s*/, "");
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    ws.receiveSentMessage(message);
  } catch (failure) {
    if (selectedId() === interaction.id) ws.showComposerError(ws.errorText(failure, `"${item.title}" did not run`));
  } finally {
    running = false;
  }
}

// Above the reply box while a picked response still holds placeholders: each one, a click selects it to type over.
function renderFillBar() {
  const left = unfilledPlaceholders(input.value, placeholdersLeft());
  fillBar.hidden = left.length === 0;
  if (!left.length) {
    pending.delete(selectedId());
    fillBar.replaceChildren();
    return;
  }
  const chips = [...new Set(left.map((placeholder) => placeholder.name))].map((name) => {
    const chip = element(
      "button",
      {
        className: "canned-chip",
        testid: "canned-unfilled",
        attrs: { type: "button", title: "Select it in the reply to type over it" },
      },
      [element("mark", { text: `{${name}}` })],
    );
    chip.addEventListener("click", () => {
      const now = unfilledPlaceholders(input.value, [name])[0];
      input.focus();
      if (now) input.setSelectionRange(now.start, now.end);
    });
    return chip;
  });
  fillBar.replaceChildren(element("span", { text: "Nothing fills these here; replace them before sending:" }), ...chips);
}
