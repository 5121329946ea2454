// Message templates: how a sent template shows in the timeline, and the picker (parameter form with a live
// preview) used by the composer when the window is closed and by the "New conversation" dialog.
// Template and customer text only ever enters the page through textContent.

import { element, richText } from "./dom.js";
import { feature } from "./extend.js";

const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;
const GREETING = /\b(Hi|Hello|Dear|Hallo|Hola)\s+\{\{1\}\}/;
const CATEGORY_LABELS = { utility: "Utility", marketing: "Marketing", authentication: "Authentication" };

function templateBody(parts, { testid } = {}) {
  const box = element("div", { className: "template-message", testid });
  if (parts.name) box.append(element("div", { className: "template-badge", text: `Template · ${parts.name}` }));
  if (parts.header) box.append(element("div", { className: "template-header", text: parts.header }));
  const body = element("div", { className: "template-body" });
  body.append(richText(parts.body || ""));
  box.append(body);
  if (parts.footer) box.append(element("div", { className: "template-footer", text: parts.footer }));
  const buttons = parts.buttons || [];
  if (buttons.length) {
    box.append(
      element(
        "div",
        { className: "template-buttons" },
        buttons.map((button) => element("span", { className: "template-button", text: button.text })),
      ),
    );
  }
  return box;
}

function renderTemplateMessage(message) {
  const content = message.content || {};
  return templateBody(
    {
      name: content.template && content.template.name,
      header: content.header,
      body: content.body || message.text,
      footer: content.footer,
      buttons: content.buttons,
    },
    { testid: "message-text" },
  );
}

feature("templates", (ws) => ws.renderKind("template", renderTemplateMessage));

const fill = (text, values) =>
  (text || "").replace(PLACEHOLDER, (match, number) => values[Number(number) - 1] || `[${match}]`);

function firstName(name) {
  const words = (name || "").match(/[\p{L}\p{N}'-]+/gu) || [];
  return words.length ? words[0] : "";
}

// A picker over `templates` (from /outreach/): choose one, fill its values, watch the preview, send.
// `onSend({ template_id, values })` returns a promise; its rejection's message is shown under the form.
export function templatePicker({ templates, customerName, onSend, sendLabel = "Send template" }) {
  const root = element("div", { className: "template-picker", testid: "template-picker" });
  const usable = templates.filter((template) => template.allowed);
  if (templates.length === 0) {
    root.append(
      element("p", {
        className: "template-empty",
        text: "No approved templates are synced for this number. An admin can sync them under Admin › Message templates.",
      }),
    );
    return root;
  }
  const select = element("select", { className: "template-select", testid: "template-select", attrs: { "aria-label": "Template" } });
  for (const template of templates) {
    const option = element("option", {
      text: `${template.name} (${template.language}) · ${CATEGORY_LABELS[template.category] || template.category}`,
      attrs: { value: template.id, disabled: !template.allowed, title: template.reason || "" },
    });
    select.append(option);
  }
  if (usable.length) select.value = String(usable[0].id);
  const note = element("p", { className: "template-note", testid: "template-note" });
  const fields = element("div", { className: "template-fields" });
  const preview = element("div", { className: "template-preview", testid: "template-preview" });
  const error = element("p", { className: "composer-error", testid: "template-error", attrs: { role: "alert" } });
  error.hidden = true;
  const send = element("button", {
    className: "btn btn-primary btn-sm",
    testid: "template-send",
    text: sendLabel,
    attrs: { type: "button" },
  });
  const inputs = { header: [], body: [], buttons: {} };

  const chosen = () => templates.find((template) => String(template.id) === select.value);

  function values() {
    const buttons = {};
    for (const [index, list] of Object.entries(inputs.buttons)) buttons[index] = list.map((input) => input.value.trim());
    return {
      header: inputs.header.map((input) => input.value.trim()),
      body: inputs.body.map((input) => input.value.trim()),
      buttons,
    };
  }

  function renderPreview() {
    const template = chosen();
    if (!template) return;
    const current = values();
    preview.replaceChildren(
      element("div", { className: "template-preview-label", text: "Preview" }),
      templateBody({
        header: fill(template.header, current.header),
        body: fill(template.body, current.body),
        footer: template.footer,
        buttons: template.buttons,
      }),
    );
    const missing = [...current.header, ...current.body, ...Object.values(current.buttons).flat()].some((v) => !v);
    send.disabled = missing || !template.allowed;
  }

  function fieldGroup(label, count, list, prefill = []) {
    for (let position = 1; position <= count; position += 1) {
      const input = element("input", {
        className: "template-input",
        testid: "template-value",
        attrs: { type: "text", maxlength: "1024", "aria-label": `${label} {{${position}}}`, placeholder: `{{${position}}}` },
      });
      input.value = prefill[position - 1] || "";
      input.addEventListener("input", () => {
        error.hidden = true;
        renderPreview();
      });
      list.push(input);
      fields.append(element("label", { className: "template-field" }, [element("span", { text: `${label} {{${position}}}` }), input]));
    }
  }

  function renderFields() {
    const template = chosen();
    fields.replaceChildren();
    inputs.header = [];
    inputs.body = [];
    inputs.buttons = {};
    if (!template) return;
    note.textContent = template.allowed ? "" : template.reason;
    note.hidden = template.allowed;
    fieldGroup("Header", template.slots.header, inputs.header);
    const greeting = GREETING.test(template.body) ? [firstName(customerName)] : [];
    fieldGroup("Body", template.slots.body, inputs.body, greeting);
    for (const [index, count] of Object.entries(template.slots.buttons)) {
      inputs.buttons[index] = [];
      const button = template.buttons[Number(index)];
      fieldGroup(`Button “${button ? button.text : Number(index) + 1}”`, count, inputs.buttons[index]);
    }
    if (!fields.children.length) fields.append(element("p", { className: "template-note", text: "This template has no values to fill in." }));
    renderPreview();
  }

  select.addEventListener("change", () => {
    error.hidden = true;
    renderFields();
  });
  send.addEventListener("click", async () => {
    const template = chosen();
    if (!template || send.disabled) return;
    send.disabled = true;
    error.hidden = true;
    try {
      await onSend({ template_id: template.id, values: values() });
    } catch (problem) {
      error.textContent = problem.message;
      error.hidden = false;
    } finally {
      renderPreview();
    }
  });

  root.append(
    element("div", { className: "template-form" }, [select, note, fields, error, element("div", { className: "template-actions" }, [send])]),
    preview,
  );
  renderFields();
  return root;
}
