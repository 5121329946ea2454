// An agent's own canned responses: "My responses" in the top bar opens a dialog to add, change and delete them
// (the shared ones are the admins', kept in the admin). The server checks every rule (the shortcut's form, one
// shortcut per language, known placeholders) and its reasons are shown as they come.

import { element } from "./dom.js";
import { feature } from "./extend.js";

const OWN = "canned-responses/";

let ws = null;
let dialog = null;
// What the dialog shows: the agent's responses (and the shared ones, read only), the one being changed (null: a new one), the placeholders.
// `confirming`: the response whose Delete was clicked once (a second click deletes: a stray one loses nothing).
const view = { responses: [], editing: null, confirming: null, placeholders: [], error: "", busy: false };

feature("my-responses", (workspace) => {
  ws = workspace;
  const root = ws.slot("topbar");
  if (!root || !ws.config.maySend) return; // managers read along; they keep no responses
  const open = element("button", {
    className: "btn btn-outline btn-sm my-responses-button",
    testid: "my-responses-open",
    text: "My responses",
    attrs: { type: "button", "aria-haspopup": "dialog", title: "Your own canned responses for the / menu" },
  });
  open.addEventListener("click", openDialog);
  root.prepend(open);
});

async function openDialog() {
  if (!dialog) dialog = buildDialog();
  Object.assign(view, { editing: null, confirming: null, error: "" });
  fillForm(null);
  render();
  dialog.node.showModal();
  dialog.fields.shortcut.focus();
  try {
    const [responses, placeholders] = await Promise.all([ws.api(OWN), ws.api(`${OWN}placeholders/`)]);
    Object.assign(view, { responses, placeholders });
  } catch (failure) {
    view.error = ws.errorText(failure, "Your responses could not be loaded");
  }
  render();
}

function buildDialog() {
  const node = element("dialog", {
    className: "outreach-dialog my-responses",
    testid: "my-responses",
    attrs: { "aria-labelledby": "my-responses-title" },
  });
  const close = element("button", { className: "btn btn-icon", text: "×", attrs: { type: "button", "aria-label": "Close" } });
  close.addEventListener("click", () => node.close());
  const list = element("ul", { className: "my-responses-list", attrs: { "aria-label": "Your responses" } });
  const field = (name, label, control) => {
    control.name = name;
    control.dataset.testid = `my-response-${name}`;
    return { control, row: element("label", { className: "my-responses-field" }, [element("span", { text: label }), control]) };
  };
  const shortcut = field("shortcut", "Shortcut (after /)", element("input", { attrs: { maxlength: "32", required: "", placeholder: "e.g. photo-please" } }));
  const title = field("title", "Title", element("input", { attrs: { maxlength: "120", required: "" } }));
  const language = field("language", "Language", element("input", { attrs: { maxlength: "16", placeholder: "Empty: any; or en, de, es…" } }));
  const body = field("body", "Text", element("textarea", { attrs: { rows: "4", maxlength: "5000", required: "" } }));
  const chips = element("p", { className: "my-responses-placeholders", testid: "my-response-placeholders" });
  const error = element("p", { className: "my-responses-error", testid: "my-responses-error", attrs: { role: "alert", hidden: "" } });
  const heading = element("h3", { className: "my-responses-form-title", testid: "my-responses-form-title" });
  const save = element("button", { className: "btn btn-primary btn-sm", testid: "my-response-save", text: "Save", attrs: { type: "submit" } });
  const cancel = element("button", { className: "btn btn-outline btn-sm", testid: "my-response-new", text: "New response", attrs: { type: "button" } });
  cancel.addEventListener("click", () => {
    Object.assign(view, { editing: null, error: "" });
    fillForm(null);
    render();
  });
  const form = element("form", { className: "my-responses-form", attrs: { novalidate: "" } }, [
    heading,
    shortcut.row,
    title.row,
    language.row,
    body.row,
    chips,
    error,
    element("div", { className: "my-responses-actions" }, [cancel, save]),
  ]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    saveForm();
  });
  node.append(
    element("div", { className: "my-responses-head" }, [element("h2", { text: "My responses", attrs: { id: "my-responses-title" } }), close]),
    element("div", { className: "my-responses-columns" }, [list, form]),
  );
  document.body.append(node);
  const fields = { shortcut: shortcut.control, title: title.control, language: language.control, body: body.control };
  return { node, list, form, fields, chips, error, heading, save };
}

function fillForm(response) {
  for (const [name, control] of Object.entries(dialog.fields)) control.value = response ? response[name] : "";
}

function render() {
  const { list, chips, error, heading, save } = dialog;
  const own = view.responses.filter((response) => !response.shared);
  const shared = view.responses.filter((response) => response.shared);
  list.replaceChildren(
    ...(own.length
      ? own.map(responseRow)
      : [element("li", { className: "my-responses-empty", testid: "my-responses-empty", text: "No responses of your own yet: write one on the right." })]),
    ...(shared.length ? [element("li", { className: "my-responses-group", text: "Shared by the admins (read only)" })] : []),
    ...shared.map(responseRow),
  );
  heading.textContent = view.editing ? `Change /${view.editing.shortcut}` : "New response";
  chips.replaceChildren(
    ...(view.placeholders.length ? [element("span", { text: "Insert: " })] : []),
    ...view.placeholders.map((placeholder) => {
      const chip = element("button", { className: "my-responses-chip", text: `{${placeholder.name}}`, attrs: { type: "button", title: placeholder.description } });
      chip.addEventListener("click", () => insertPlaceholder(placeholder.name));
      return chip;
    }),
  );
  error.hidden = !view.error;
  error.textContent = view.error;
  save.disabled = view.busy;
}

function responseRow(response) {
  const head = element("div", { className: "canned-option-head" }, [
    element("span", { className: "canned-shortcut", testid: "response-shortcut", text: `/${response.shortcut}` }),
    element("span", { className: "canned-title", text: response.title }),
    response.language ? element("span", { className: "canned-language", text: response.language }) : null,
  ]);
  const body = element("p", { className: "my-responses-body", text: response.body });
  if (response.shared) return element("li", { className: "my-responses-item is-shared", testid: "shared-response" }, [head, body]);
  const edit = element("button", { className: "btn btn-outline btn-sm", testid: "my-response-edit", text: "Change", attrs: { type: "button" } });
  edit.addEventListener("click", () => {
    Object.assign(view, { editing: response, error: "" });
    fillForm(response);
    render();
    dialog.fields.body.focus();
  });
  const confirming = view.confirming === response.id;
  const remove = element("button", {
    className: "btn btn-outline btn-sm my-responses-delete",
    testid: "my-response-delete",
    text: confirming ? `Delete /${response.shortcut}?` : "Delete",
    attrs: { type: "button", "data-confirm": confirming ? "yes" : null },
  });
  remove.addEventListener("click", () => {
    if (confirming) return deleteResponse(response);
    view.confirming = response.id;
    render();
  });
  return element("li", { className: "my-responses-item", testid: "my-response" }, [head, body, element("div", { className: "my-responses-actions" }, [edit, remove])]);
}

function insertPlaceholder(name) {
  const body = dialog.fields.body;
  const at = body.selectionStart ?? body.value.length;
  body.setRangeText(`{${name}}`, at, body.selectionEnd ?? at, "end");
  body.focus();
}

async function saveForm() {
  if (view.busy) return;
  const values = Object.fromEntries(Object.entries(dialog.fields).map(([name, control]) => [name, control.value.trim()]));
  const editing = view.editing;
  Object.assign(view, { busy: true, error: "" });
  render();
  try {
    const saved = await ws.api(editing ? `${OWN}${editing.id}/` : OWN, { method: editing ? "PATCH" : "POST", body: values });
    view.responses = [...view.responses.filter((response) => response.id !== saved.id), saved].sort(
      (a, b) => a.shortcut.localeCompare(b.shortcut) || a.language.localeCompare(b.language),
    );
    view.editing = null;
    fillForm(null);
  } catch (failure) {
    view.error = ws.errorText(failure, "The response could not be saved");
  } finally {
    view.busy = false;
    render();
  }
}

async function deleteResponse(response) {
  try {
    await ws.api(`${OWN}${response.id}/`, { method: "DELETE" });
    view.responses = view.responses.filter((kept) => kept.id !== response.id);
    if (view.editing?.id === response.id) {
      view.editing = null;
      fillForm(null);
    }
    view.error = "";
  } catch (failure) {
    view.error = ws.errorText(failure, "The response could not be deleted");
  }
  view.confirming = null;
  render();
}
