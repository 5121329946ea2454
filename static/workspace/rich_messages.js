// How rich messages look in the timeline: location and contact cards, list pickers, reply buttons and location
// requests with the customer's answer, forms (WhatsApp Flows) the customer filled in, orders from the catalog,
// template quick replies; and what any message may carry: the message it quotes, the
// reactions on it, whether its read receipt went out, a retry for a failed send. Reactions are messages of their
// own in the API but are folded onto the message they target. Customer text goes in through textContent only.

import { element, glyph, icon, richText } from "./dom.js";
import { feature } from "./extend.js";
import { fullFormat } from "./format.js";
import { mayActIn } from "./holding.js";

const kinds = new Map(); // kind -> render(message): the kinds this module draws
let ws = null;

// Our own constant markup (never customer text), so the cards need no emoji font.
const PIN_SVG =
  '<svg viewBox="0 0 20 20" aria-hidden="true"><path d="M10 18s6-5.6 6-10a6 6 0 1 0-12 0c0 4.4 6 10 6 10z" fill="currentColor"/><circle cx="10" cy="8" r="2.3" fill="#fff"/></svg>';
const PERSON_SVG =
  '<svg viewBox="0 0 20 20" aria-hidden="true"><circle cx="10" cy="7" r="3.6" fill="currentColor"/><path d="M3.5 17.5a6.5 6.5 0 0 1 13 0z" fill="currentColor"/></svg>';

const QUICK_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

const osmLink = (latitude, longitude) =>
  `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;

function externalLink(text, href) {
  return element("a", { className: "card-link", text, attrs: { href, target: "_blank", rel: "noopener noreferrer nofollow" } });
}

// ------------------------------------------------------------------------------------------- the kinds

kinds.set("location", (message) => {
  const { latitude, longitude, name, address } = message.content;
  // A customer's location whose coordinates could not be read comes without them: no pin is better than a wrong one.
  const readable = typeof latitude === "number" && typeof longitude === "number";
  const lat = readable ? latitude.toFixed(5) : "";
  const lon = readable ? longitude.toFixed(5) : "";
  return element("div", { className: "rich-card location-card", testid: "location-card" }, [
    glyph(PIN_SVG, "rich-card-icon"),
    element("div", { className: "rich-card-body" }, [
      element("div", { className: "rich-card-title", text: name || "Shared location" }),
      address ? element("div", { className: "rich-card-line", text: address }) : null,
      element("div", {
        className: "rich-card-line mono",
        testid: "location-coordinates",
        text: readable ? `${lat}, ${lon}` : "The coordinates sent could not be read.",
      }),
      readable ? externalLink("Open in OpenStreetMap ↗", osmLink(lat, lon)) : null,
    ]),
  ]);
});

kinds.set("contacts", (message) =>
  element(
    "div",
    { className: "rich-contacts" },
    (message.content.contacts || []).map((contact) => {
      const org = [contact.org?.title, contact.org?.company].filter(Boolean).join(", ");
      return element("div", { className: "rich-card contact-card", testid: "contact-card" }, [
        glyph(PERSON_SVG, "rich-card-icon contact-icon"),
        element("div", { className: "rich-card-body" }, [
          element("div", { className: "rich-card-title", testid: "contact-name", text: contact.name || "Unnamed contact" }),
          org ? element("div", { className: "rich-card-line", text: org }) : null,
          ...(contact.phones || []).map((phone) =>
            element("div", { className: "rich-card-line mono", testid: "contact-phone" }, [
              document.createTextNode(phone.phone),
              phone.type ? element("span", { className: "rich-card-tag", text: phone.type.toLowerCase() }) : null,
            ]),
          ),
          ...(contact.emails || []).map((email) =>
            element("div", { className: "rich-card-line", testid: "contact-email", text: email.email }),
          ),
          ...(contact.urls || []).map((url) => element("div", { className: "rich-card-line", text: url.url })),
        ]),
      ]);
    }),
  ),
);

function interactiveQuestion(content) {
  const parts = [];
  if (content.header) parts.push(element("div", { className: "interactive-header", text: content.header }));
  const body = element("div", { className: "message-text", testid: "message-text" });
  body.append(richText(content.body || ""));
  parts.push(body);
  if (content.footer) parts.push(element("div", { className: "interactive-footer", text: content.footer }));
  if (content.type === "list") {
    const rows = (content.sections || []).flatMap((section) => section.rows);
    const details = element("details", { className: "interactive-options", testid: "list-options" }, [
      element("summary", { className: "interactive-action", text: `☰ ${content.button} · ${rows.length} options` }),
    ]);
    for (const section of content.sections || []) {
      if (section.title) details.append(element("div", { className: "interactive-section", text: section.title }));
      for (const row of section.rows) {
        details.append(
          element("div", { className: "interactive-row" }, [
            element("span", { className: "rich-card-title", text: row.title }),
            row.description ? element("span", { className: "rich-card-line", text: row.description }) : null,
          ]),
        );
      }
    }
    parts.push(details);
  } else {
    parts.push(
      element(
        "div",
        { className: "interactive-buttons" },
        (content.buttons || []).map((button) => element("span", { className: "interactive-action", text: `↩ ${button.title}` })),
      ),
    );
  }
  return element("div", { className: "interactive" }, parts);
}

function locationRequest(content) {
  const body = element("div", { className: "message-text", testid: "message-text" });
  body.append(richText(content.body || ""));
  return element("div", { className: "interactive", testid: "location-request" }, [
    body,
    element("div", { className: "interactive-buttons" }, [
      element("span", { className: "interactive-action" }, [glyph(PIN_SVG, "inline-pin"), document.createTextNode("Send location")]),
    ]),
  ]);
}

// A form's answer: the fields as the customer filled them in, in the order the channel gave them.
function flowReply(content) {
  const fields = Object.entries(content.response || {});
  return element("div", { className: "interactive-answer flow-reply", testid: "flow-reply" }, [
    element("span", { className: "answer-label", text: `Filled in the form${content.name ? ` “${content.name}”` : ""}` }),
    content.body ? element("div", { className: "rich-card-title", text: content.body }) : null,
    fields.length
      ? element(
          "dl",
          { className: "flow-fields" },
          fields.flatMap(([name, value]) => [
            element("dt", { text: name.replaceAll("_", " ") }),
            element("dd", { testid: "flow-field", attrs: { "data-field": name }, text: String(value) }),
          ]),
        )
      : null,
  ]);
}

function customerChoice(content, label) {
  return element("div", { className: "interactive-answer", testid: "interactive-answer" }, [
    element("span", { className: "answer-label", text: label }),
    element("div", { className: "rich-card-title", testid: "chosen-option", text: content.title || content.text || "" }),
    content.description ? element("div", { className: "rich-card-line", text: content.description }) : null,
  ]);
}

kinds.set("interactive", (message) => {
  const content = message.content;
  if (content.type === "list_reply") return customerChoice(content, "Chose from the list");
  if (content.type === "button_reply") return customerChoice(content, "Tapped a button");
  if (content.type === "flow_reply") return flowReply(content);
  if (content.type === "location_request") return locationRequest(content);
  return interactiveQuestion(content);
});

const money = (amount, currency) => {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount);
  } catch {
    return `${Number(amount).toFixed(2)} ${currency}`.trim(); // a code Intl does not know
  }
};

kinds.set("order", (message) => {
  const items = message.content.items || [];
  const totals = new Map();
  for (const item of items) totals.set(item.currency, (totals.get(item.currency) || 0) + item.quantity * item.item_price);
  return element("div", { className: "rich-card order-card", testid: "order-card" }, [
    element("div", { className: "rich-card-body" }, [
      element("div", { className: "rich-card-title", text: `Order · ${items.length} product${items.length === 1 ? "" : "s"}` }),
      message.content.text ? element("div", { className: "rich-card-line", text: message.content.text }) : null,
      element("table", { className: "order-items" }, [
        element("thead", {}, [
          element("tr", {}, ["Product", "Qty", "Price", "Total"].map((text) => element("th", { text, attrs: { scope: "col" } }))),
        ]),
        element(
          "tbody",
          {},
          items.map((item) =>
            element("tr", { testid: "order-item" }, [
              element("td", { className: "mono", text: item.product_retailer_id }),
              element("td", { text: String(item.quantity) }),
              element("td", { text: money(item.item_price, item.currency) }),
              element("td", { text: money(item.quantity * item.item_price, item.currency) }),
            ]),
          ),
        ),
      ]),
      ...[...totals].map(([currency, total]) =>
        element("div", { className: "order-total", testid: "order-total", text: `Total ${money(total, currency)}` }),
      ),
      message.content.catalog_id
        ? element("div", { className: "rich-card-line muted", text: `Catalog ${message.content.catalog_id}` })
        : null,
    ]),
  ]);
});

kinds.set("button", (message) => {
  const node = customerChoice({ title: message.content.text }, "Tapped a quick reply");
  if (message.content.payload) node.title = `Payload: ${message.content.payload}`;
  return node;
});

// A reaction to a message this timeline does not hold (one from an earlier, closed interaction) has nowhere to
// fold into: it shows as a small note of its own.
kinds.set("reaction", (message) => {
  const emoji = message.content?.emoji;
  return element("div", {
    className: "message-text reaction-note",
    testid: "message-text",
    text: emoji ? `Reacted ${emoji} to an earlier message` : "Removed a reaction from an earlier message",
  });
});
// A reaction to a message the timeline shows is drawn on that message (see decorate) instead of as its own.
const foldedReaction = (message) =>
  message.kind === "reaction" && message.reply_to_id !== null && ws.timelineMessage(message.reply_to_id) !== null;

// ------------------------------------------------------------------------------------------- decorations

function quoteNode(quoted) {
  const who = quoted.direction === "inbound" ? "Customer" : quoted.author || "WhatsDesk";
  return element("div", { className: `quote quote-${quoted.direction}`, testid: "quote", attrs: { "data-quoted-id": quoted.id } }, [
    element("span", { className: "quote-author", text: who }),
    element("span", { className: "quote-text", text: quoted.text || `A ${quoted.kind} message` }),
  ]);
}

function jumpTo(messageId) {
  const target = document.querySelector(`[data-testid="message"][data-message-id="${messageId}"]`);
  if (!target) return;
  target.scrollIntoView({ block: "center", behavior: "smooth" });
  target.classList.add("is-highlighted");
  setTimeout(() => target.classList.remove("is-highlighted"), 1600);
}

function reactionsNode(message) {
  return element(
    "div",
    { className: "reactions", testid: "reactions" },
    message.reactions.map((reaction) =>
      element("span", {
        className: `reaction reaction-${reaction.direction} reaction-${reaction.status}`,
        testid: "reaction",
        text: reaction.emoji,
        attrs: {
          "data-direction": reaction.direction,
          title: reaction.direction === "inbound" ? "The customer reacted" : `${reaction.author || "An agent"} reacted`,
        },
      }),
    ),
  );
}

function readReceiptNode(message) {
  const sent = Boolean(message.read_receipt_sent_at);
  const node = icon(sent ? "read" : "delivered", `read-receipt ${sent ? "is-sent" : ""}`);
  node.dataset.testid = "read-receipt";
  node.dataset.sent = String(sent);
  node.title = sent
    ? `The customer sees this as read · ${fullFormat.format(new Date(message.read_receipt_sent_at))}`
    : "Not marked read for the customer yet";
  node.setAttribute("role", "img");
  node.setAttribute("aria-label", node.title);
  return node;
}

async function retry(message, button) {
  const { api, errorText, receiveSentMessage } = ws;
  button.disabled = true;
  try {
    receiveSentMessage(await api(`interactions/${message.interaction_id}/messages/${message.id}/retry/`, { method: "POST" }));
  } catch (error) {
    button.disabled = false;
    button.title = errorText(error, "Could not send it again");
    button.textContent = "Retry failed";
  }
}

async function react(message, emoji) {
  const { api, errorText, receiveSentMessage } = ws;
  try {
    receiveSentMessage(
      await api(`interactions/${message.interaction_id}/messages/`, {
        method: "POST",
        body: { kind: "reaction", reply_to: message.id, content: { emoji } },
      }),
    );
  } catch (error) {
    ws.showComposerError(errorText(error, "The reaction was not sent"));
  }
}

function reactionMenu(message, anchor, opener) {
  document.querySelector(".reaction-menu")?.remove();
  const mine = message.reactions.find((reaction) => reaction.direction === "outbound")?.emoji;
  const menu = element("div", { className: "reaction-menu", testid: "reaction-menu", attrs: { role: "menu" } });
  for (const emoji of QUICK_REACTIONS) {
    const choice = element("button", {
      className: emoji === mine ? "is-mine" : "",
      testid: "reaction-choice",
      text: emoji,
      attrs: { type: "button", role: "menuitem", title: emoji === mine ? "Remove your reaction" : `React with ${emoji}` },
    });
    choice.addEventListener("click", () => {
      dismiss();
      opener.focus();
      react(message, emoji === mine ? "" : emoji);
    });
    menu.append(choice);
  }
  anchor.append(menu);
  menu.querySelector("button").focus();
  const dismiss = () => {
    menu.remove();
    document.removeEventListener("click", close, true);
    document.removeEventListener("keydown", escape, true);
  };
  const close = (event) => {
    if (!menu.contains(event.target)) dismiss();
  };
  const escape = (event) => {
    if (event.key !== "Escape" || !menu.isConnected) return;
    event.stopPropagation();
    dismiss();
    opener.focus();
  };
  setTimeout(() => document.addEventListener("click", close, true));
  document.addEventListener("keydown", escape, true);
}

// Drawn on every message the channel knows (external_id), once per revision; whether they may be used now is
// the timeline's is-blocked class, set with the composer (the window closes with time, not with a new revision).
function hoverActions(message, node) {
  const { config } = ws;
  if (!config.maySend || !message.external_id || message.kind === "reaction") return;
  const actions = element("div", { className: "message-actions", testid: "message-actions" });
  const reply = element("button", { testid: "reply-action", attrs: { type: "button", title: "Reply to this message" } }, [
    element("span", { text: "↩", attrs: { "aria-hidden": "true" } }),
    element("span", { className: "visually-hidden", text: "Reply" }),
  ]);
  reply.addEventListener("click", () => ws.emit("reply-to", message));
  const reactButton = element("button", { testid: "react-action", attrs: { type: "button", title: "React" } }, [
    element("span", { text: "☺", attrs: { "aria-hidden": "true" } }),
    element("span", { className: "visually-hidden", text: "React" }),
  ]);
  reactButton.addEventListener("click", (event) => {
    event.stopPropagation();
    reactionMenu(message, actions, reactButton);
  });
  actions.append(reply, reactButton);
  node.append(actions);
}

function decorate(message, node) {
  const bubble = node.querySelector(".bubble");
  if (!bubble) return;
  if (message.quoted) {
    const quote = quoteNode(message.quoted);
    quote.addEventListener("click", () => jumpTo(message.quoted.id));
    const author = bubble.querySelector(".message-author");
    if (author) author.after(quote);
    else bubble.prepend(quote);
  }
  if (message.reactions?.length) node.append(reactionsNode(message));
  if (message.direction === "inbound") bubble.querySelector(".message-meta")?.append(readReceiptNode(message));
  const error = node.querySelector('[data-testid="message-error"]');
  if (error) {
    const details = [message.error_code && `Error ${message.error_code}`, message.error_detail].filter(Boolean).join(": ");
    if (details) error.append(element("span", { className: "message-error-detail", text: details }));
    if (!message.retryable) {
      error.append(element("span", { className: "message-error-final", text: "A retry cannot help" }));
    } else if (mayActIn(ws.selectedInteraction(), ws.config)) {
      // Whoever reads along (a manager, a colleague) sees the failure, not a button the server would refuse.
      const button = element("button", { className: "retry-button", testid: "retry-button", text: "Retry", attrs: { type: "button" } });
      button.addEventListener("click", () => retry(message, button));
      error.append(button);
    }
  }
  hoverActions(message, node);
}

feature("rich-messages", (workspace) => {
  ws = workspace;
  for (const [kind, render] of kinds) ws.renderKind(kind, render);
  ws.foldMessage(foldedReaction);
  ws.decorateMessage(decorate);
});
