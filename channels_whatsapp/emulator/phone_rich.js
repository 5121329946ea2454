// Rich messages on the customer's phone: location and contact cards, list pickers, reply buttons and location
// requests, quotes, reactions, editing or deleting one's own text, and the attach sheet (share a location or a
// contact, order from a small catalog). phone_page.js calls PhoneRich's hooks.
// Text from either side only ever goes in through textContent.
"use strict";

window.PhoneRich = (() => {
  const REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"];
  const PLACES = [
    { name: "Eiffel Tower", address: "Champ de Mars, 5 Av. Anatole France, 75007 Paris", latitude: 48.8584, longitude: 2.2945 },
    { name: "Brandenburg Gate", address: "Pariser Platz, 10117 Berlin", latitude: 52.5163, longitude: 13.3777 },
    { name: "Times Square", address: "Manhattan, NY 10036", latitude: 40.758, longitude: -73.9855 },
  ];
  // Our own constant markup, never message text: the phone needs no emoji font for its chrome.
  const PIN_SVG =
    '<svg viewBox="0 0 20 20" width="22" height="22" aria-hidden="true"><path d="M10 18s6-5.6 6-10a6 6 0 1 0-12 0c0 4.4 6 10 6 10z" fill="#e53935"/><circle cx="10" cy="8" r="2.3" fill="#fff"/></svg>';
  const PERSON_SVG =
    '<svg viewBox="0 0 20 20" width="20" height="20" aria-hidden="true"><circle cx="10" cy="7" r="3.6" fill="#fff"/><path d="M3.5 17.5a6.5 6.5 0 0 1 13 0z" fill="#fff"/></svg>';
  // A tiny catalog for the Order sheet; the business sees product ids, quantities and prices, as from Meta's catalogs.
  const CATALOG = {
    id: "emulator-catalog",
    currency: "EUR",
    products: [
      { id: "COFFEE-BEANS-1KG", name: "Coffee beans, 1 kg", price: 24.5 },
      { id: "MILK-FROTHER", name: "Milk frother", price: 39.9 },
      { id: "PAPER-FILTERS", name: "Paper filters (100)", price: 4.2 },
    ],
  };
  let deps = null; // { call, getChat, $ }
  let replyTo = null; // { id, text }

  function el(tag, { className, text, testid, attrs } = {}, children = []) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    if (testid) node.dataset.testid = testid;
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function svgNode(svg, className) {
    const node = el("div", { className });
    node.innerHTML = svg;
    return node;
  }

  const osmLink = (lat, lon) =>
    `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`;

  async function send(body) {
    const chat = deps.getChat();
    if (!chat) return;
    try {
      await deps.call("POST", `/customers/${chat.waId}/messages`, { name: chat.name, ...body });
    } catch (error) {
      deps.$("connection-banner").textContent = `Not sent: ${error.message}`;
      deps.$("connection-banner").hidden = false;
    }
  }

  // ---- what a bubble shows ----

  function locationCard(location) {
    const lat = Number(location.latitude).toFixed(5);
    const lon = Number(location.longitude).toFixed(5);
    return el("div", { className: "rich-card location-card", testid: "location-card" }, [
      svgNode(PIN_SVG, "location-pin"),
      el("div", {}, [
        el("div", { className: "card-title", text: location.name || "Location" }),
        location.address ? el("div", { className: "card-sub", text: location.address }) : null,
        el("div", { className: "card-sub mono", text: `${lat}, ${lon}` }),
        el("a", {
          className: "card-link",
          text: "Open in OpenStreetMap",
          attrs: { href: osmLink(lat, lon), target: "_blank", rel: "noopener noreferrer" },
        }),
      ]),
    ]);
  }

  function contactCards(contacts) {
    return el(
      "div",
      { className: "rich-contacts" },
      contacts.map((contact) =>
        el("div", { className: "rich-card contact-card", testid: "contact-card" }, [
          svgNode(PERSON_SVG, "contact-avatar"),
          el("div", {}, [
            el("div", { className: "card-title", text: contact.name?.formatted_name || "Contact" }),
            ...(contact.phones || []).map((p) => el("div", { className: "card-sub", text: p.phone })),
            ...(contact.emails || []).map((e) => el("div", { className: "card-sub", text: e.email })),
            contact.org?.company ? el("div", { className: "card-sub", text: contact.org.company }) : null,
          ]),
        ]),
      ),
    );
  }

  function interactiveQuestion(item, interactive) {
    const parts = [];
    if (interactive.header?.type === "text") parts.push(el("div", { className: "card-title", text: interactive.header.text }));
    parts.push(el("div", { className: "interactive-body", text: interactive.body?.text || "" }));
    if (interactive.footer?.text) parts.push(el("div", { className: "interactive-footer", text: interactive.footer.text }));
    const actions = el("div", { className: "interactive-actions" });
    if (interactive.type === "location_request_message") {
      const share = el("button", { className: "interactive-button", testid: "send-location-button", attrs: { type: "button" } }, [
        svgNode(PIN_SVG, "button-pin"),
        el("span", { text: "Send location" }),
      ]);
      share.addEventListener("click", () => openLocationSheet(item.id));
      actions.append(share);
    } else if (interactive.type === "list") {
      const open = el("button", {
        className: "interactive-button",
        testid: "list-open-button",
        text: `☰ ${interactive.action.button}`,
        attrs: { type: "button" },
      });
      open.addEventListener("click", () => openListSheet(item, interactive));
      actions.append(open);
    } else {
      for (const button of interactive.action.buttons || []) {
        const tap = el("button", {
          className: "interactive-button",
          testid: "reply-button",
          text: `↩ ${button.reply.title}`,
          attrs: { type: "button", "data-button-id": button.reply.id },
        });
        tap.addEventListener("click", () =>
          send({
            type: "interactive",
            interactive: { type: "button_reply", button_reply: { id: button.reply.id, title: button.reply.title } },
            reply_to: item.id,
          }),
        );
        actions.append(tap);
      }
    }
    return el("div", { className: "interactive" }, [...parts, actions]);
  }

  function answer(item) {
    const chosen = item.content?.[item.content?.type] || {};
    return el("div", { className: "interactive-answer" }, [
      el("div", { className: "card-title", text: chosen.title || item.text || "" }),
      chosen.description ? el("div", { className: "card-sub", text: chosen.description }) : null,
    ]);
  }

  function orderCard(order) {
    const items = order.product_items || [];
    const total = items.reduce((sum, item) => sum + item.quantity * item.item_price, 0);
    return el("div", { className: "rich-card order-card", testid: "order-card" }, [
      el("div", {}, [
        el("div", { className: "card-title", text: `Order · ${items.reduce((n, item) => n + item.quantity, 0)} items` }),
        ...items.map((item) => el("div", { className: "card-sub", text: `${item.quantity} × ${item.product_retailer_id}` })),
        el("div", { className: "card-sub", text: `Total ${total.toFixed(2)} ${items[0]?.currency || ""}` }),
        order.text ? el("div", { className: "card-sub", text: order.text }) : null,
      ]),
    ]);
  }

  function renderContent(item) {
    const content = item.content;
    if (!content) return null;
    if (item.type === "order") return orderCard(content);
    if (item.type === "location") return locationCard(content);
    if (item.type === "contacts") return contactCards(content);
    if (item.type === "interactive") {
      return item.direction === "to_customer" ? interactiveQuestion(item, content) : answer(item);
    }
    return null;
  }

  // ---- decorating a new bubble ----

  function enrichBubble(current, bubble, item) {
    const body = renderContent(item);
    const text = bubble.querySelector('[data-testid="message-text"]');
    if (body) text.replaceChildren(body);
    if (item.reply_to) {
      const quoted = current.bubbles.get(item.reply_to);
      const quotedText = quoted ? quoted.dataset.summary : "";
      bubble.prepend(el("div", { className: "quote", testid: "quote", text: quotedText || "Earlier message" }));
    }
    bubble.dataset.summary = summaryOf(item);
    bubble.append(el("span", { className: "reactions", testid: "reactions" }));
    const actions = el("span", { className: "bubble-actions" });
    const reply = el("button", { text: "↩", testid: "bubble-reply", attrs: { type: "button", title: "Reply" } });
    reply.addEventListener("click", () => startReply(item, bubble));
    const react = el("button", { text: "☺", testid: "bubble-react", attrs: { type: "button", title: "React" } });
    react.addEventListener("click", () => toggleReactionPicker(bubble, item));
    actions.append(reply, react);
    if (item.direction === "to_business" && item.type === "text") {
      const edit = el("button", { text: "✎", testid: "bubble-edit", attrs: { type: "button", title: "Edit" } });
      edit.addEventListener("click", () => openEditSheet(item, bubble));
      const remove = el("button", { text: "✕", testid: "bubble-delete", attrs: { type: "button", title: "Delete for everyone" } });
      remove.addEventListener("click", () => send({ type: "revoke", revoke: { original_message_id: item.id } }));
      actions.append(edit, remove);
    }
    bubble.append(actions);
  }

  // An edit or a deletion of the customer's own message, as WhatsApp shows it on their phone.
  function applyChanges(bubble, item) {
    const text = bubble.querySelector('[data-testid="message-text"]');
    if (item.deleted) {
      bubble.classList.add("is-deleted");
      text.textContent = "⊘ You deleted this message";
      bubble.querySelector(".bubble-actions")?.remove();
      return;
    }
    if (!item.edited || item.type !== "text") return;
    text.textContent = item.text;
    bubble.dataset.summary = item.text;
    const meta = bubble.querySelector(".meta");
    if (meta && !meta.querySelector(".edited-mark")) meta.prepend(el("span", { className: "edited-mark", testid: "edited-mark", text: "Edited" }));
  }

  function openEditSheet(item, bubble) {
    const input = el("textarea", { attrs: { name: "text", rows: "3", required: "" } });
    input.value = bubble.dataset.summary || item.text || "";
    const form = el("form", { className: "sheet-form", testid: "edit-form" }, [
      input,
      el("button", { className: "sheet-send", testid: "edit-send", text: "Save", attrs: { type: "submit" } }),
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!input.value.trim()) return;
      closeSheet();
      send({
        type: "edit",
        edit: { original_message_id: item.id, message: { type: "text", text: { body: input.value } } },
      });
    });
    showSheet("Edit message", form);
    input.focus();
  }

  function openOrderSheet() {
    const form = el("form", { className: "sheet-form", testid: "order-form" });
    for (const product of CATALOG.products) {
      form.append(
        el("label", { className: "sheet-field" }, [
          el("span", { text: `${product.name} · ${product.price.toFixed(2)} ${CATALOG.currency}` }),
          el("input", {
            testid: "order-quantity",
            attrs: { name: product.id, type: "number", min: "0", max: "99", value: "0", inputmode: "numeric" },
          }),
        ]),
      );
    }
    form.append(
      el("label", { className: "sheet-field" }, [el("span", { text: "Note (optional)" }), el("input", { attrs: { name: "text" } })]),
      el("button", { className: "sheet-send", testid: "order-send", text: "Place order", attrs: { type: "submit" } }),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const items = CATALOG.products
        .map((product) => ({ product, quantity: Number.parseInt(String(data.get(product.id)), 10) || 0 }))
        .filter(({ quantity }) => quantity > 0)
        .map(({ product, quantity }) => ({
          product_retailer_id: product.id,
          quantity,
          item_price: product.price,
          currency: CATALOG.currency,
        }));
      if (!items.length) return;
      closeSheet();
      send({ type: "order", order: { catalog_id: CATALOG.id, text: String(data.get("text")).trim(), product_items: items } });
    });
    showSheet("Order from the catalog", form);
  }

  function summaryOf(item) {
    const content = item.content || {};
    if (item.type === "location") return `Location: ${content.name || content.address || "shared"}`;
    if (item.type === "contacts") return `Contact: ${(content || []).map((c) => c.name?.formatted_name).join(", ")}`;
    if (item.type === "order") return "Order";
    if (item.type === "interactive" && item.direction === "to_customer") return content.body?.text || "";
    return item.text || `[${item.type}]`;
  }

  // ---- reactions: shown on the bubble they target, never as bubbles ----

  function foldsIntoAnother(item) {
    return item.type === "reaction";
  }

  function applyReaction(current, item) {
    const target = current.bubbles.get(item.content?.message_id);
    if (!target) return;
    const side = item.direction;
    const holder = target.querySelector(".reactions");
    holder.querySelector(`[data-side="${side}"]`)?.remove();
    if (item.content.emoji) {
      holder.append(
        el("span", {
          className: "reaction-chip",
          testid: "reaction-chip",
          text: item.content.emoji,
          attrs: { "data-side": side, title: side === "to_business" ? "Your reaction" : "The business reacted" },
        }),
      );
    }
  }

  function toggleReactionPicker(bubble, item) {
    const existing = bubble.querySelector(".reaction-picker");
    if (existing) {
      existing.remove();
      return;
    }
    const mine = bubble.querySelector('.reaction-chip[data-side="to_business"]')?.textContent || "";
    const picker = el("span", { className: "reaction-picker", testid: "reaction-picker" });
    for (const emoji of REACTIONS) {
      const choice = el("button", {
        text: emoji,
        testid: "reaction-choice",
        className: emoji === mine ? "is-mine" : "",
        attrs: { type: "button", title: emoji === mine ? "Remove your reaction" : `React ${emoji}` },
      });
      choice.addEventListener("click", () => {
        picker.remove();
        send({ type: "reaction", reaction: { message_id: item.id, emoji: emoji === mine ? "" : emoji } });
      });
      picker.append(choice);
    }
    bubble.append(picker);
  }

  // ---- replying to a message ----

  function startReply(item, bubble) {
    replyTo = { id: item.id, text: bubble.dataset.summary };
    deps.$("reply-preview-text").textContent = replyTo.text;
    deps.$("reply-preview").hidden = false;
    deps.$("composer-input").focus();
  }

  function clearReply() {
    replyTo = null;
    deps.$("reply-preview").hidden = true;
  }

  function outgoingExtras() {
    return replyTo ? { reply_to: replyTo.id } : {};
  }

  // ---- sheets: the list picker and the attach menu ----

  function showSheet(title, content) {
    const sheet = deps.$("sheet");
    deps.$("sheet-title").textContent = title;
    deps.$("sheet-body").replaceChildren(content);
    sheet.hidden = false;
  }

  function closeSheet() {
    deps.$("sheet").hidden = true;
    deps.$("sheet-body").replaceChildren();
  }

  function openListSheet(item, interactive) {
    const form = el("form", { className: "list-sheet", testid: "list-sheet" });
    for (const section of interactive.action.sections) {
      if (section.title) form.append(el("div", { className: "sheet-section", text: section.title }));
      for (const row of section.rows) {
        const radio = el("input", { attrs: { type: "radio", name: "row", value: row.id } });
        form.append(
          el("label", { className: "list-row", testid: "list-row", attrs: { "data-row-id": row.id } }, [
            el("span", {}, [
              el("span", { className: "card-title", text: row.title }),
              row.description ? el("span", { className: "card-sub", text: row.description }) : null,
            ]),
            radio,
          ]),
        );
      }
    }
    const submit = el("button", { className: "sheet-send", testid: "list-send", text: "Send", attrs: { type: "submit" } });
    form.append(submit);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const picked = form.querySelector("input:checked");
      if (!picked) return;
      const row = interactive.action.sections.flatMap((s) => s.rows).find((r) => r.id === picked.value);
      closeSheet();
      send({
        type: "interactive",
        interactive: {
          type: "list_reply",
          list_reply: { id: row.id, title: row.title, description: row.description || "" },
        },
        reply_to: item.id,
      });
    });
    showSheet(interactive.action.button, form);
  }

  function field(label, name, attrs = {}) {
    return el("label", { className: "sheet-field" }, [
      el("span", { text: label }),
      el("input", { attrs: { name, autocomplete: "off", ...attrs } }),
    ]);
  }

  // `answering`: the id of the business's location request this location answers (its context), if any.
  function openLocationSheet(answering = null) {
    const extras = typeof answering === "string" ? { reply_to: answering } : {};
    const wrap = el("div", { className: "attach-sheet" });
    for (const place of PLACES) {
      const pick = el("button", {
        className: "sheet-option",
        testid: "location-preset",
        attrs: { type: "button" },
      }, [el("span", { className: "card-title", text: place.name }), el("span", { className: "card-sub", text: place.address })]);
      pick.addEventListener("click", () => {
        closeSheet();
        send({ type: "location", location: place, ...extras });
      });
      wrap.append(pick);
    }
    const form = el("form", { className: "sheet-form", testid: "location-form" }, [
      el("div", { className: "sheet-section", text: "Or type the coordinates" }),
      field("Latitude", "latitude", { inputmode: "decimal", placeholder: "51.5007", required: "" }),
      field("Longitude", "longitude", { inputmode: "decimal", placeholder: "-0.1246", required: "" }),
      field("Name (optional)", "name", { placeholder: "Home" }),
      field("Address (optional)", "address"),
      el("p", { className: "sheet-error", testid: "location-error", attrs: { hidden: "" } }),
      el("button", { className: "sheet-send", text: "Share location", attrs: { type: "submit" } }),
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const latitude = Number(data.get("latitude"));
      const longitude = Number(data.get("longitude"));
      const error = form.querySelector(".sheet-error");
      if (!Number.isFinite(latitude) || Math.abs(latitude) > 90 || !Number.isFinite(longitude) || Math.abs(longitude) > 180) {
        error.textContent = "Latitude is between -90 and 90, longitude between -180 and 180.";
        error.hidden = false;
        return;
      }
      const location = { latitude, longitude };
      for (const key of ["name", "address"]) if (String(data.get(key)).trim()) location[key] = String(data.get(key)).trim();
      closeSheet();
      send({ type: "location", location, ...extras });
    });
    wrap.append(form);
    showSheet("Share a location", wrap);
  }

  function openContactSheet() {
    const form = el("form", { className: "sheet-form", testid: "contact-form" }, [
      field("Name", "name", { required: "", placeholder: "Ravi Kumar" }),
      field("Phone", "phone", { inputmode: "tel", placeholder: "+44 7700 900123" }),
      field("Email", "email", { type: "email" }),
      field("Company", "company"),
      el("button", { className: "sheet-send", text: "Share contact", attrs: { type: "submit" } }),
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]));
      if (!data.name) return;
      const [first, ...rest] = data.name.split(/\s+/);
      const contact = { name: { formatted_name: data.name, first_name: first } };
      if (rest.length) contact.name.last_name = rest.join(" ");
      if (data.phone) contact.phones = [{ phone: data.phone, type: "CELL" }];
      if (data.email) contact.emails = [{ email: data.email, type: "HOME" }];
      if (data.company) contact.org = { company: data.company };
      closeSheet();
      send({ type: "contacts", contacts: [contact] });
    });
    showSheet("Share a contact", form);
  }

  function openAttachMenu() {
    const menu = el("div", { className: "attach-sheet" });
    const location = el("button", { className: "sheet-option", testid: "share-location", text: "Location", attrs: { type: "button" } });
    location.addEventListener("click", () => openLocationSheet());
    const contact = el("button", { className: "sheet-option", testid: "share-contact", text: "Contact", attrs: { type: "button" } });
    contact.addEventListener("click", openContactSheet);
    const order = el("button", { className: "sheet-option", testid: "share-order", text: "Order", attrs: { type: "button" } });
    order.addEventListener("click", openOrderSheet);
    menu.append(location, contact, order);
    showSheet("Share", menu);
  }

  function init(dependencies) {
    deps = dependencies;
    deps.$("share-button").addEventListener("click", openAttachMenu);
    deps.$("sheet-close").addEventListener("click", closeSheet);
    deps.$("reply-preview-close").addEventListener("click", clearReply);
  }

  return { init, enrichBubble, applyChanges, foldsIntoAnother, applyReaction, outgoingExtras, clearReply, closeSheet };
})();
