// The business writing first: the "New WhatsApp conversation" dialog, and the template offer in the composer
// once a customer's 24-hour window has closed. The server's outreach policy decides; we show its reasons.

import { element } from "./dom.js";
import { isOpen } from "./format.js";
import { feature } from "./extend.js";
import { templatePicker } from "./templates.js";

const SEARCH_DELAY_MS = 250;
const CONSENT_LABELS = { opted_in: "Opted in", opted_out: "Opted out" };

let hooks = null;

let offerRoot = null;

feature("outreach", (ws) => {
  hooks = ws;
  // Only those who may send see the button (the page leaves it out for a manager).
  ws.slot("new-conversation")?.addEventListener("click", openDialog);
  offerRoot = ws.slot("template-offer");
  ws.composerSection((interaction, { windowOpen }) => renderTemplateOffer(interaction, { maySend: ws.config.maySend, windowOpen }));
  ws.on("consent-changed", ({ channelUserId }) => {
    if (channelUserId === offer.channelUserId) refreshOffer();
  });
});

const formatNumber = (digits) => `+${String(digits).replace(/^\+/, "")}`;

function failure(error, fallback) {
  const problem = new Error(hooks.errorText(error, fallback));
  problem.body = error && error.body;
  return problem;
}

// ------------------------------------------------------------------------ the "New conversation" dialog

let dialog = null;

function openDialog() {
  if (!dialog) dialog = buildDialog();
  dialog.reset();
  dialog.node.showModal();
  dialog.search.focus();
}

function buildDialog() {
  const node = element("dialog", {
    className: "outreach-dialog",
    testid: "new-conversation-dialog",
    attrs: { "aria-labelledby": "new-conversation-title" },
  });
  const close = element("button", { className: "btn btn-icon", text: "✕", attrs: { type: "button", "aria-label": "Close" } });
  close.addEventListener("click", () => node.close());
  const search = element("input", {
    className: "outreach-search",
    testid: "new-conversation-search",
    attrs: { type: "search", placeholder: "Name or phone number, e.g. +49 151 12345678", autocomplete: "off" },
  });
  const results = element("ul", { className: "outreach-results", testid: "new-conversation-results" });
  const stage = element("div", { className: "outreach-stage" });
  node.append(
    element("header", { className: "outreach-head" }, [
      element("div", {}, [
        element("h2", { text: "New WhatsApp conversation", attrs: { id: "new-conversation-title" } }),
        element("p", { className: "outreach-sub", text: "Only customers who opted in can be contacted first." }),
      ]),
      close,
    ]),
    search,
    results,
    stage,
  );
  node.addEventListener("click", (event) => {
    if (event.target === node) node.close(); // a click on the backdrop
  });
  document.body.append(node);

  let timer = null;
  let generation = 0;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    stage.replaceChildren();
    timer = setTimeout(() => find(search.value.trim()), SEARCH_DELAY_MS);
  });

  async function find(needle) {
    const mine = ++generation;
    if (!needle) {
      results.replaceChildren();
      return;
    }
    let data;
    try {
      data = await hooks.api(`channel-users/?search=${encodeURIComponent(needle)}`);
    } catch (error) {
      results.replaceChildren(element("li", { className: "outreach-empty", text: hooks.errorText(error, "Search failed") }));
      return;
    }
    if (mine !== generation) return;
    const items = data.results.map((customer) => resultItem(customer));
    if (data.number && !data.number.known) {
      const label = data.number.e164 || `+${needle.replace(/\D/g, "")}`;
      const item = element("li", {}, [
        element("button", { className: "outreach-result", testid: "new-conversation-result", attrs: { type: "button" } }, [
          element("span", { className: "outreach-name", text: `Use ${label}` }),
          element("span", { className: "outreach-meta", text: "No customer with this number yet" }),
        ]),
      ]);
      item.firstChild.addEventListener("click", () => choose({ number: needle }, label));
      items.push(item);
    }
    if (!items.length) items.push(element("li", { className: "outreach-empty", text: "No customer matches." }));
    results.replaceChildren(...items);
  }

  function resultItem(customer) {
    const consent = customer.consent.status;
    const button = element("button", { className: "outreach-result", testid: "new-conversation-result", attrs: { type: "button" } }, [
      element("span", { className: "outreach-name", text: customer.display_name || formatNumber(customer.external_id) }),
      element("span", { className: "outreach-meta mono", text: formatNumber(customer.external_id) }),
      element("span", {
        className: `consent-chip consent-${consent === "opted_in" ? "ok" : consent === "opted_out" ? "danger" : "muted"}`,
        text: CONSENT_LABELS[consent] || "No consent",
      }),
    ]);
    button.addEventListener("click", () => choose({ id: customer.id }, customer.display_name || formatNumber(customer.external_id)));
    return element("li", {}, [button]);
  }

  async function choose(target, label) {
    results.replaceChildren();
    stage.replaceChildren(element("p", { className: "outreach-sub", text: `Checking whether we may write to ${label}…` }));
    let data;
    try {
      data = await hooks.api(target.id ? `channel-users/${target.id}/outreach/` : `outreach/?number=${encodeURIComponent(target.number)}`);
    } catch (error) {
      stage.replaceChildren(refusal(hooks.errorText(error, "The check failed")));
      return;
    }
    const customer = data.customer;
    const who = element("div", { className: "outreach-who" }, [
      element("strong", { text: customer ? customer.display_name || formatNumber(customer.external_id) : label }),
      customer ? element("span", { className: "mono", text: formatNumber(customer.external_id) }) : null,
    ]);
    const recipient = customer ? { channel_user_id: customer.id } : { number: target.number };
    const decision = data.free_form;
    if (customer && customer.open_interaction) {
      // Replying in a conversation the customer opened is not outreach; say so, and what outreach would meet.
      const policy = !decision.allowed && !decision.template_required ? refusal(decision.reason) : null;
      stage.replaceChildren(who, ...[policy, openExisting(customer)].filter(Boolean));
      return;
    }
    if (decision.allowed) {
      stage.replaceChildren(who, freeForm(recipient));
    } else if (decision.template_required) {
      stage.replaceChildren(
        who,
        element("p", { className: "outreach-sub", text: "Their 24-hour window is closed: start with an approved template." }),
        templatePicker({
          templates: data.templates,
          customerName: customer && customer.display_name,
          onSend: (choice) => start({ ...recipient, ...choice }),
          sendLabel: "Start with this template",
        }),
      );
    } else {
      stage.replaceChildren(who, refusal(decision.reason));
    }
  }

  function openExisting(customer) {
    const box = element("div", { className: "outreach-existing", testid: "new-conversation-existing" }, [
      element("span", { text: `${customer.display_name || "This customer"} already has an open conversation, ${customer.open_interaction.number}.` }),
    ]);
    const go = element("button", { className: "btn btn-outline btn-sm", text: `Open ${customer.open_interaction.number}`, attrs: { type: "button" } });
    go.addEventListener("click", () => show(customer.open_interaction.id));
    box.append(go);
    return box;
  }

  function freeForm(recipient) {
    const text = element("textarea", {
      className: "outreach-text",
      testid: "new-conversation-text",
      attrs: { rows: "3", placeholder: "Write the first message…" }, // the channel's limit is checked on send
    });
    const error = element("p", { className: "composer-error", testid: "new-conversation-error", attrs: { role: "alert" } });
    error.hidden = true;
    const send = element("button", { className: "btn btn-primary btn-sm", testid: "new-conversation-send", text: "Start conversation", attrs: { type: "button" } });
    send.addEventListener("click", async () => {
      if (!text.value.trim()) return;
      send.disabled = true;
      try {
        await start({ ...recipient, text: text.value });
      } catch (problem) {
        error.textContent = problem.message;
        error.hidden = false;
      } finally {
        send.disabled = false;
      }
    });
    return element("div", { className: "outreach-compose" }, [
      element("p", { className: "outreach-sub", text: "Their window is open: you may write freely. The conversation is assigned to you." }),
      text,
      error,
      element("div", { className: "template-actions" }, [send]),
    ]);
  }

  async function start(body) {
    try {
      const { interaction } = await hooks.api("conversations/", { method: "POST", body });
      show(interaction.id);
    } catch (error) {
      if (error.body && error.body.interaction_id) {
        show(error.body.interaction_id);
        return;
      }
      throw failure(error, "The conversation was not started");
    }
  }

  function show(interactionId) {
    node.close();
    hooks.refreshInteractions();
    hooks.openInteraction(interactionId);
  }

  return {
    node,
    search,
    reset() {
      search.value = "";
      results.replaceChildren();
      stage.replaceChildren();
    },
  };
}

function refusal(reason) {
  return element("div", { className: "outreach-refusal", testid: "new-conversation-refusal" }, [element("span", { text: reason })]);
}

// ------------------------------------------------------------------------ the composer's template offer

const offer = {
  interactionId: null,
  channelUserId: null,
  revision: null,
  interaction: null,
  data: null,
  expanded: false,
  loading: false,
  error: "",
};

// Called by every composer render: shows the offer only for an open interaction whose window has closed.
function renderTemplateOffer(interaction, { maySend, windowOpen }) {
  const root = offerRoot;
  const wanted = Boolean(maySend && interaction && isOpen(interaction) && !windowOpen);
  root.hidden = !wanted;
  if (!wanted) {
    offer.interactionId = null; // painted afresh when it is wanted again
    return;
  }
  if (interaction.id !== offer.interactionId) {
    resetOffer(interaction);
    paintOffer(root, interaction);
  } else if (interaction.revision !== offer.revision) {
    // A new revision may be a consent keyword (STOP, START) or a failure that marks the number unreachable.
    offer.revision = interaction.revision;
    offer.interaction = interaction;
    refreshOffer();
  }
}

// The policy's answer may have changed: asked again now if the templates are showing, else when next opened.
// A picker the agent is filling in is only repainted when the answer really differs.
function refreshOffer() {
  const root = offerRoot;
  if (offer.interactionId === null) return;
  if (!offer.expanded) {
    offer.data = null;
    offer.error = "";
    return;
  }
  loadOffer(root, offer.interaction, { quiet: true });
}

function resetOffer(interaction) {
  Object.assign(offer, {
    interactionId: interaction ? interaction.id : null,
    channelUserId: interaction ? interaction.channel_user.id : null,
    revision: interaction ? interaction.revision : null,
    interaction,
    data: null,
    expanded: false,
    error: "",
  });
}

async function loadOffer(root, interaction, { quiet = false } = {}) {
  offer.loading = true;
  const before = JSON.stringify(offer.data);
  try {
    const data = await hooks.api(`channel-users/${interaction.channel_user.id}/outreach/`);
    if (offer.interactionId !== interaction.id) return;
    offer.data = data;
    offer.error = "";
  } catch (error) {
    if (offer.interactionId !== interaction.id) return;
    offer.error = hooks.errorText(error, "Templates could not be loaded");
  } finally {
    offer.loading = false;
  }
  if (quiet && !offer.error && JSON.stringify(offer.data) === before) return;
  paintOffer(root, interaction);
}

function paintOffer(root, interaction) {
  const toggle = element("button", {
    className: "btn btn-outline btn-sm",
    testid: "template-offer-open",
    text: offer.expanded ? "Hide templates" : "Send a template",
    attrs: { type: "button", "aria-expanded": String(offer.expanded) },
  });
  toggle.addEventListener("click", () => {
    offer.expanded = !offer.expanded;
    if (offer.expanded && !offer.data) loadOffer(root, interaction);
    paintOffer(root, interaction);
  });
  const head = element("div", { className: "template-offer-head" }, [
    element("span", { text: "An approved template reopens the conversation; the customer's reply reopens the window." }),
    toggle,
  ]);
  const parts = [head];
  if (offer.expanded) {
    if (offer.error) parts.push(element("p", { className: "composer-error", text: offer.error }));
    else if (!offer.data) parts.push(element("p", { className: "outreach-sub", text: "Loading templates…" }));
    else if (!offer.data.templates.some((template) => template.allowed) && offer.data.templates.length) {
      parts.push(refusalForTemplates(offer.data.templates));
    } else {
      parts.push(
        templatePicker({
          templates: offer.data.templates,
          customerName: interaction.channel_user.display_name,
          onSend: (choice) => sendTemplate(root, interaction, choice),
        }),
      );
    }
  }
  root.replaceChildren(...parts);
}

function refusalForTemplates(templates) {
  const box = element("div", { className: "outreach-refusal", testid: "template-offer-refusal" });
  box.append(element("span", { text: templates[0].reason }));
  return box;
}

async function sendTemplate(root, interaction, choice) {
  try {
    const message = await hooks.api(`interactions/${interaction.id}/template-messages/`, { method: "POST", body: choice });
    hooks.receiveSentMessage(message);
    offer.expanded = false;
    paintOffer(root, interaction);
  } catch (error) {
    throw failure(error, "The template was not sent");
  }
}
