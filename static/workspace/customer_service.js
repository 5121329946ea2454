// Customer service in the workspace: the customer panel's section (the contact and account the customer is
// recognised as, their cases and requests; link or unlink a contact, open a case from the conversation or link
// one, read a case's comments and add a work note or a comment the customer is sent, request a catalog item for
// them) and the composer's "Article" tool (search the knowledge base and put an
// answer, with its link, into the reply). The server owns every rule: this shows its answers and its reasons.

import { element } from "./dom.js";
import { feature } from "./extend.js";
import { dateAndTime, parseDate } from "./format.js";
import { mayActIn } from "./holding.js";

const SEARCH_DELAY_MS = 250;
const RELOAD_DELAY_MS = 400;

let ws = null;
let root = null;
// What the section shows; `version` changes with it, so the panel (rendered with every push and clock tick)
// rebuilds the section only then and never under the agent's typing.
// `draft` keeps what the agent typed in a form, so showing the server's reasons (a repaint) loses none of it.
// `comments` are those of the case `caseId`, shown while `mode` is "comments".
const view = { interactionId: null, profile: null, error: "", mode: null, problems: [], catalog: null, item: null, draft: {}, files: [], caseId: null, comments: [] };
let version = 0;
let painted = -1;
let revision = null; // the shown interaction's, when the section last loaded
let reloadTimer = null;

function change(fields) {
  Object.assign(view, fields);
  version += 1;
  paint();
}

feature("customer-service", (workspace) => {
  ws = workspace;
  ws.panelSection({
    id: "customer-service",
    className: "cs-panel",
    testid: "customer-service-panel",
    label: "Customer service",
    render(section, interaction) {
      root = section;
      if (interaction.id !== view.interactionId) {
        change({ interactionId: interaction.id, profile: null, error: "", mode: null, problems: [], item: null, draft: {}, caseId: null, comments: [] });
        revision = interaction.revision;
        load();
      } else if (interaction.revision !== revision) {
        // A new message may come with a new case or request (the virtual agent opens them in the conversation).
        revision = interaction.revision;
        clearTimeout(reloadTimer);
        reloadTimer = setTimeout(load, RELOAD_DELAY_MS);
      }
      paint();
    },
  });
  ws.onLive("live.resync", () => view.interactionId && load());
  ws.composerAction({ testid: "compose-article", label: "Article", title: "Share a knowledge article", icon: ARTICLE_ICON, run: openArticleSearch });
  document.body.append(articleDialog);
});

async function load() {
  const asked = view.interactionId;
  try {
    const profile = await ws.api(`interactions/${asked}/customer/`);
    // Unchanged (most new messages): no repaint, so a form being filled in keeps its focus.
    if (asked === view.interactionId && JSON.stringify(profile) !== JSON.stringify(view.profile)) change({ profile, error: "" });
  } catch (failure) {
    if (asked === view.interactionId) change({ error: ws.errorText(failure, "Customer service data could not be loaded") });
  }
}

// An agent's change: on success the section shows the server's new state, else every reason it gave.
// True once the server took it.
async function act(path, method, body, { then } = {}) {
  const asked = view.interactionId;
  try {
    const answer = await ws.api(path, { method, body });
    if (asked !== view.interactionId) return true;
    if (then) then(answer);
    await load();
    return true;
  } catch (failure) {
    if (asked === view.interactionId) change({ problems: failure.body?.problems || [ws.errorText(failure, "Not saved")] });
    return false;
  }
}

const mayAct = () => mayActIn(ws.selectedInteraction(), ws.config);

// Opens one form (closing any other) or closes it; a form opens empty.
const toggle = (mode) => change({ mode: view.mode === mode ? null : mode, problems: [], draft: {}, item: null });
const done = () => change({ mode: null, problems: [], draft: {}, item: null });

// A form control whose value lives in the draft under `name`.
function drafted(control, name) {
  if (name in view.draft) control.value = view.draft[name];
  control.addEventListener("input", () => (view.draft[name] = control.value));
  control.addEventListener("change", () => (view.draft[name] = control.value));
  return control;
}

function paint() {
  if (!root || painted === version) return;
  painted = version;
  const heading = element("h3", { className: "panel-section-title", text: "Customer service" });
  if (!view.profile) {
    root.replaceChildren(heading, element("p", { className: "cs-muted", text: view.error || "Loading…" }));
    return;
  }
  // A form's problems show in the form; those of a one-click action (unlink, link here) at the top.
  const problems = view.mode ? null : problemsList();
  root.replaceChildren(...[heading, problems, contactBlock(), casesBlock(), requestsBlock()].filter(Boolean));
}

function problemsList() {
  if (!view.problems.length) return null;
  return element("ul", { className: "cs-problems", testid: "cs-problems" }, view.problems.map((text) => element("li", { text })));
}

function button(text, testid, onClick, className = "btn btn-outline btn-sm") {
  const node = element("button", { className, text, testid, attrs: { type: "button" } });
  node.addEventListener("click", onClick);
  return node;
}

// ------------------------------------------------------------------------------------------- contact

function contactBlock() {
  const { contact, recognised_by: by } = view.profile;
  const block = element("div", { className: "cs-contact", testid: "cs-contact" });
  if (contact) {
    const role = [contact.job_title, contact.account?.name].filter(Boolean).join(" · ");
    block.append(element("div", { className: "cs-contact-name", testid: "cs-contact-name", text: contact.name }));
    if (role) block.append(element("div", { className: "cs-contact-role", testid: "cs-account-name", text: role }));
    block.append(element("span", { className: "cs-chip", text: by === "agent" ? "Linked by an agent" : "Recognised by phone number" }));
  } else {
    block.append(element("p", { className: "cs-muted", testid: "cs-no-contact", text: by === "agent" ? "Not a known contact (unlinked by an agent)" : "Not a known contact" }));
  }
  if (mayAct()) {
    const actions = element("div", { className: "cs-actions" }, [
      button(contact ? "Change contact" : "Link to a contact", "cs-link-contact", () => toggle("contact")),
      contact ? button("Unlink", "cs-unlink-contact", () => act(`interactions/${view.interactionId}/customer/contact/`, "PUT", { contact_id: null })) : null,
    ]);
    block.append(actions);
    if (view.mode === "contact") block.append(contactSearch());
  }
  return block;
}

function contactSearch() {
  const input = element("input", { className: "cs-input", testid: "cs-contact-search", attrs: { type: "search", placeholder: "Name, email, company or phone", autocomplete: "off" } });
  const results = element("ul", { className: "cs-results" });
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (!q) return results.replaceChildren();
      try {
        const contacts = await ws.api(`customer-service/contacts/?q=${encodeURIComponent(q)}`);
        results.replaceChildren(
          ...(contacts.length ? contacts.map(contactChoice) : [element("li", { className: "cs-muted", text: "No contact matches." })]),
        );
      } catch (failure) {
        results.replaceChildren(element("li", { className: "cs-muted", text: ws.errorText(failure, "Search failed") }));
      }
    }, SEARCH_DELAY_MS);
  });
  queueMicrotask(() => input.focus());
  return element("div", { className: "cs-form" }, [problemsList(), input, results]);
}

function contactChoice(contact) {
  const detail = [contact.account?.name, ...contact.phones].filter(Boolean).join(" · ");
  const choose = button("", "cs-contact-choice", () => act(`interactions/${view.interactionId}/customer/contact/`, "PUT", { contact_id: contact.id }, { then: done }), "cs-result");
  choose.append(element("strong", { text: contact.name }), element("span", { className: "cs-muted", text: detail }));
  return element("li", {}, [choose]);
}

// ------------------------------------------------------------------------------------------- cases

function casesBlock() {
  const { cases } = view.profile;
  const block = element("div", { className: "cs-cases", testid: "cs-cases" }, [
    element("h4", { className: "cs-subtitle", text: `Cases (${cases.length})` }),
  ]);
  if (!cases.length) block.append(element("p", { className: "cs-muted", testid: "cs-no-cases", text: "No cases yet." }));
  const list = element("ul", { className: "cs-list" });
  for (const item of cases) list.append(caseRow(item));
  if (cases.length) block.append(list);
  if (mayAct()) {
    block.append(
      element("div", { className: "cs-actions" }, [
        button("New case", "cs-new-case", openCaseForm),
        button("Link by number", "cs-link-case-number", () => toggle("link")),
      ]),
    );
    if (view.mode === "case") block.append(newCaseForm());
    if (view.mode === "link") block.append(linkCaseForm());
  }
  return block;
}

function caseRow(item) {
  const linkedHere = item.interaction_ids.includes(view.interactionId);
  const row = element("li", { className: "cs-case", testid: "cs-case" }, [
    element("div", { className: "cs-case-top" }, [
      element("span", { className: "cs-case-number", testid: "cs-case-number", text: item.number }),
      element("span", { className: `cs-state cs-state-${item.state}`, text: item.state_label }),
    ]),
    element("div", { className: "cs-case-text", text: item.short_description }),
  ]);
  if (linkedHere) row.append(element("div", { className: "cs-muted", text: "Linked to this conversation" }));
  else if (mayAct()) {
    row.append(button("Link to this conversation", "cs-case-link", () => act(`interactions/${view.interactionId}/cases/link/`, "POST", { number: item.number }), "btn btn-ghost btn-sm"));
  }
  if (mayAct()) row.append(stateChoice(item));
  const showing = view.mode === "comments" && view.caseId === item.id;
  row.append(button(showing ? "Hide comments" : "Comments", "cs-case-comments", () => openComments(item), "btn btn-ghost btn-sm"));
  if (showing) row.append(commentsBlock(item));
  return row;
}

// ------------------------------------------------------------------------------------------- case comments

async function openComments(item) {
  if (view.mode === "comments" && view.caseId === item.id) return done();
  const asked = view.interactionId;
  try {
    const comments = await ws.api(`interactions/${asked}/cases/${item.id}/comments/`);
    if (asked === view.interactionId) change({ mode: "comments", caseId: item.id, comments, problems: [], draft: {}, item: null });
  } catch (failure) {
    if (asked === view.interactionId) change({ problems: [ws.errorText(failure, "The comments could not be loaded")] });
  }
}

// Oldest first, as the case's story reads; a work note is marked, since the customer never sees it.
function commentsBlock(item) {
  const list = element("ol", { className: "cs-comments", testid: "cs-comments" });
  for (const comment of view.comments) list.append(commentRow(comment));
  const block = element("div", { className: "cs-comments-block" }, [
    view.comments.length ? list : element("p", { className: "cs-muted", testid: "cs-no-comments", text: "No comments yet." }),
  ]);
  if (mayAct()) block.append(commentForm(item));
  return block;
}

function commentRow(comment) {
  const at = parseDate(comment.created_at);
  const files = comment.attachment_count ? ` · ${comment.attachment_count} file${comment.attachment_count > 1 ? "s" : ""}` : "";
  return element("li", { className: `cs-comment${comment.internal ? " cs-comment-internal" : ""}`, testid: "cs-comment" }, [
    element("div", { className: "cs-case-top" }, [
      element("span", { className: "cs-comment-author", testid: "cs-comment-author", text: comment.author || "Customer" }),
      comment.internal ? element("span", { className: "cs-chip", testid: "cs-comment-internal", text: "Work note" }) : null,
      element("time", { className: "cs-muted", text: dateAndTime(at) + files, attrs: { datetime: comment.created_at } }),
    ]),
    element("div", { className: "cs-comment-text", testid: "cs-comment-text", text: comment.text }),
  ]);
}

// One text, two ways to add it: a work note stays with the agents, a comment is sent to the customer.
function commentForm(item) {
  const text = drafted(element("textarea", { className: "cs-input", testid: "cs-comment-input", attrs: { rows: "3", maxlength: "3000", placeholder: "Write a work note or a comment for the customer", "aria-label": `Comment on ${item.number}` } }), "comment");
  // Both buttons wait for the answer: a double click sends one comment, not two.
  const add = (internal) => async (event) => {
    event.preventDefault();
    note.disabled = send.disabled = true;
    const taken = await act(`interactions/${view.interactionId}/cases/${item.id}/comments/`, "POST", { text: text.value, internal }, {
      then: (comment) => change({ comments: [...view.comments, comment], draft: {}, problems: [] }),
    });
    if (!taken) note.disabled = send.disabled = false;
  };
  const note = button("Add work note", "cs-comment-note", add(true));
  const send = button("Send to customer", "cs-comment-send", add(false), "btn btn-primary btn-sm");
  send.title = "The customer is sent this on their channel, as the notification rules allow";
  return element("form", { className: "cs-form", attrs: { novalidate: "" } }, [problemsList(), text, element("div", { className: "cs-actions" }, [note, send])]);
}

// The customer hears of the change (the server's notification rules), so it is a deliberate pick, not a toggle.
const CASE_STATES = [["new", "New"], ["open", "Open"], ["awaiting_info", "Awaiting info"], ["resolved", "Resolved"], ["closed", "Closed"], ["cancelled", "Cancelled"]];

function stateChoice(item) {
  const select = element("select", { className: "cs-input cs-state-select", testid: "cs-case-state", attrs: { "aria-label": `State of ${item.number}` } },
    CASE_STATES.map(([value, label]) => element("option", { text: label, attrs: { value } })));
  select.value = item.state;
  select.addEventListener("change", () => act(`interactions/${view.interactionId}/cases/${item.id}/state/`, "POST", { state: select.value }));
  return select;
}

// The form opens with the files the customer sent in this conversation (the newest 200 messages), to attach.
async function openCaseForm() {
  if (view.mode === "case") return done();
  const asked = view.interactionId;
  let files = [];
  try {
    const page = await ws.api(`interactions/${asked}/messages/?limit=200`);
    files = page.messages.filter((message) => message.direction === "inbound" && message.attachment);
  } catch {
    files = []; // the case can be opened without them
  }
  if (asked === view.interactionId) change({ mode: "case", problems: [], draft: {}, item: null, files });
}

function fileChoice(message) {
  const box = element("input", { testid: "cs-case-file", attrs: { type: "checkbox", value: message.id } });
  box.checked = (view.draft.files || []).includes(message.id);
  box.addEventListener("change", () => {
    const chosen = new Set(view.draft.files || []);
    if (box.checked) chosen.add(message.id);
    else chosen.delete(message.id);
    view.draft.files = [...chosen];
  });
  const name = message.attachment.filename || `${message.kind} (${message.attachment.mime_type || "file"})`;
  return element("label", { className: "cs-file" }, [box, element("span", { text: message.text ? `${name}: ${message.text}` : name })]);
}

function newCaseForm() {
  const short = drafted(element("input", { className: "cs-input", testid: "cs-case-short", attrs: { maxlength: "160", placeholder: "What is it about?" } }), "short");
  const description = drafted(element("textarea", { className: "cs-input", testid: "cs-case-description", attrs: { rows: "3", placeholder: "Details (optional)" } }), "description");
  const priorities = [["1", "Critical"], ["2", "High"], ["3", "Moderate"], ["4", "Low"]];
  const priority = element("select", { className: "cs-input", testid: "cs-case-priority" }, priorities.map(([value, label]) => element("option", { text: label, attrs: { value } })));
  priority.value = "3";
  drafted(priority, "priority");
  const form = element("form", { className: "cs-form", attrs: { novalidate: "" } }, [
    problemsList(),
    field("Short description", short),
    field("Description", description),
    field("Priority", priority),
    view.files?.length ? element("fieldset", { className: "cs-files" }, [element("legend", { text: "The customer's files to attach" }), ...view.files.map(fileChoice)]) : null,
    element("button", { className: "btn btn-primary btn-sm", testid: "cs-case-create", text: "Open case", attrs: { type: "submit" } }),
  ]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { short_description: short.value, description: description.value, priority: Number(priority.value), attachment_message_ids: view.draft.files || [] };
    act(`interactions/${view.interactionId}/cases/`, "POST", body, { then: done });
  });
  if (!view.problems.length) queueMicrotask(() => short.focus());
  return form;
}

function linkCaseForm() {
  const number = drafted(element("input", { className: "cs-input", testid: "cs-case-number-input", attrs: { placeholder: "CS0001001", maxlength: "16" } }), "number");
  const form = element("form", { className: "cs-form cs-inline", attrs: { novalidate: "" } }, [
    number,
    element("button", { className: "btn btn-primary btn-sm", testid: "cs-case-link-submit", text: "Link", attrs: { type: "submit" } }),
  ]);
  const problems = problemsList();
  if (problems) return element("div", { className: "cs-link-case" }, [problems, form]);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(`interactions/${view.interactionId}/cases/link/`, "POST", { number: number.value }, { then: done });
  });
  if (!view.problems.length) queueMicrotask(() => number.focus());
  return form;
}

const field = (label, control) =>
  element("label", { className: "cs-field" }, [element("span", { text: label }), control]);

// ------------------------------------------------------------------------------------------- catalog requests

function requestsBlock() {
  const requests = view.profile.catalog_requests;
  const block = element("div", { className: "cs-requests", testid: "cs-requests" }, [
    element("h4", { className: "cs-subtitle", text: `Requests (${requests.length})` }),
  ]);
  const list = element("ul", { className: "cs-list" });
  for (const request of requests) {
    list.append(
      element("li", { className: "cs-case", testid: "cs-request" }, [
        element("div", { className: "cs-case-top" }, [
          element("span", { className: "cs-case-number", text: request.number }),
          element("span", { className: "cs-state", text: request.state_label }),
        ]),
        element("div", { className: "cs-case-text", text: request.item }),
      ]),
    );
  }
  if (requests.length) block.append(list);
  if (mayAct()) {
    block.append(element("div", { className: "cs-actions" }, [button("Request for the customer", "cs-new-request", openRequestForm)]));
    if (view.mode === "request") block.append(requestForm());
  }
  return block;
}

async function openRequestForm() {
  if (view.mode === "request") return done();
  try {
    const catalog = view.catalog || (await ws.api("customer-service/catalog/"));
    change({ mode: "request", catalog, item: null, problems: [], draft: {} });
  } catch (failure) {
    change({ problems: [ws.errorText(failure, "The catalog could not be loaded")] });
  }
}

// One control per question, of its kind; the server checks every answer and names each problem.
function requestForm() {
  const items = view.catalog.flatMap((category) => category.items.map((item) => ({ ...item, category: category.name })));
  const picker = element("select", { className: "cs-input", testid: "cs-request-item" }, [
    element("option", { text: "Choose an item…", attrs: { value: "" } }),
    ...items.map((item) => element("option", { text: `${item.category} › ${item.name}`, attrs: { value: item.id, selected: view.item?.id === item.id ? "" : undefined } })),
  ]);
  picker.addEventListener("change", () => change({ item: items.find((item) => String(item.id) === picker.value) || null, problems: [], draft: {} }));
  const form = element("form", { className: "cs-form", attrs: { novalidate: "" } }, [problemsList(), field("Item", picker)]);
  if (!view.item) return form;
  for (const question of view.item.questions) form.append(field(question.label + (question.required ? "" : " (optional)"), answerControl(question)));
  form.append(element("button", { className: "btn btn-primary btn-sm", testid: "cs-request-submit", text: "Submit request", attrs: { type: "submit" } }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const answers = {};
    for (const control of form.querySelectorAll("[data-question]")) answers[control.dataset.question] = control.value;
    act(`interactions/${view.interactionId}/catalog-requests/`, "POST", { item_id: view.item.id, answers }, { then: done });
  });
  return form;
}

function answerControl(question) {
  const attrs = { "data-question": question.id, "data-testid": `cs-question-${question.id}` };
  if (question.kind === "choice" || question.kind === "yes_no") {
    const options = question.kind === "choice" ? question.choices : ["yes", "no"];
    const select = element("select", { className: "cs-input", attrs }, [
      element("option", { text: "—", attrs: { value: "" } }),
      ...options.map((option) => element("option", { text: option, attrs: { value: option } })),
    ]);
    return drafted(select, question.id);
  }
  const type = { number: "number", date: "date" }[question.kind] || "text";
  return drafted(element("input", { className: "cs-input", attrs: { ...attrs, type, autocomplete: "off" } }), question.id);
}

// ------------------------------------------------------------------------------------------- sharing an article

const ARTICLE_ICON =
  '<svg viewBox="0 0 20 20" aria-hidden="true"><path d="M5 2.8h7l3.2 3.2v11.2H5z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round"/><path d="M7.5 9h5M7.5 12h5M7.5 15h3" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/></svg>';

const articleDialog = element("dialog", { className: "builder", testid: "article-search" });

function openArticleSearch() {
  const input = element("input", { className: "cs-input", testid: "cs-article-query", attrs: { type: "search", placeholder: "The customer's question, e.g. broken armrest", autocomplete: "off" } });
  const results = element("ul", { className: "cs-results cs-articles" });
  const close = element("button", { className: "btn btn-outline", text: "Close", attrs: { type: "button" } });
  close.addEventListener("click", () => articleDialog.close());
  let timer = null;
  let asked = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      const mine = ++asked;
      if (!q) return results.replaceChildren();
      try {
        const hits = await ws.api(`customer-service/answers/?q=${encodeURIComponent(q)}&limit=5`);
        if (mine !== asked) return;
        results.replaceChildren(...(hits.length ? hits.map(articleChoice) : [element("li", { className: "cs-muted", text: "Nothing found; try other words." })]));
      } catch (failure) {
        results.replaceChildren(element("li", { className: "cs-muted", text: ws.errorText(failure, "Search failed") }));
      }
    }, SEARCH_DELAY_MS);
  });
  articleDialog.replaceChildren(
    element("div", { className: "builder-form" }, [
      element("header", { className: "builder-head" }, [element("h2", { text: "Share a knowledge article" })]),
      element("div", { className: "builder-scroll" }, [input, results]),
      element("footer", { className: "builder-foot" }, [close]),
    ]),
  );
  articleDialog.showModal();
  input.focus();
}

// Into the reply, not sent at once: the agent reads it, may add a word, and sends it as any reply.
function articleChoice(hit) {
  const insert = button("Insert in reply", "cs-article-insert", () => {
    const composer = ws.slot("composer-input");
    composer.value = composer.value.trim() ? `${composer.value.trim()}\n\n${hit.message_text}` : hit.message_text;
    composer.dispatchEvent(new Event("input", { bubbles: true }));
    articleDialog.close();
    composer.focus();
  });
  return element("li", { className: "cs-article", testid: "cs-article-result" }, [
    element("div", { className: "cs-case-top" }, [
      element("strong", { text: hit.title }),
      element("span", { className: "cs-chip", text: hit.kind === "article" ? "Article" : "Community" }),
    ]),
    element("p", { className: "cs-muted", text: hit.snippet }),
    element("div", { className: "cs-actions" }, [
      insert,
      element("a", { className: "btn btn-ghost btn-sm", text: "Open", attrs: { href: hit.url, target: "_blank", rel: "noopener" } }),
    ]),
  ]);
}
