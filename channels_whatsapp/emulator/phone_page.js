// The customer's phone: talks only to the emulator's control API under /_emulator/.
// Message text always goes through textContent, never innerHTML.
"use strict";

const API = "/_emulator";
const POLL_SECONDS = 25;
const TICKS = { sent: "\u2713", delivered: "\u2713\u2713", read: "\u2713\u2713" };

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
const params = new URLSearchParams(location.search);
const businessQuery = params.get("phone_number_id") ? { phone_number_id: params.get("phone_number_id") } : {};

let chat = null; // { waId, name, epoch, cursor, bubbles: Map(id -> li), generation }
let generation = 0;
let typingTimer = null;

async function call(method, path, body, query = {}) {
  const url = `${API}${path}?${new URLSearchParams({ ...businessQuery, ...query })}`;
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify({ ...businessQuery, ...body });
  }
  const response = await fetch(url, options);
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(payload.error || `HTTP ${response.status}`);
  return payload;
}

// --- start screen ---

async function showStart() {
  generation += 1;
  chat = null;
  history.replaceState(null, "", location.pathname + (businessQuery.phone_number_id ? `?${new URLSearchParams(businessQuery)}` : ""));
  $("chat-screen").hidden = true;
  $("start-screen").hidden = false;
  try {
    const [{ businesses }, { customers }] = await Promise.all([call("GET", "/businesses"), call("GET", "/customers")]);
    const business = businesses.find((b) => b.phone_number_id === businessQuery.phone_number_id) || businesses[0];
    $("business-number").textContent = business.display_phone_number;
    renderKnownCustomers(customers);
  } catch (error) {
    showStartError(`The emulator does not answer (${error.message}).`);
  }
}

function renderKnownCustomers(customers) {
  const list = $("known-customers");
  list.replaceChildren();
  for (const customer of customers.filter((c) => c.on_whatsapp)) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.testid = "known-customer";
    button.dataset.waId = customer.wa_id;
    const avatar = document.createElement("span");
    avatar.className = "known-avatar";
    const label = document.createElement("span");
    const name = document.createElement("div");
    name.className = "known-name";
    name.textContent = customer.name;
    const number = document.createElement("div");
    number.className = "known-number";
    number.textContent = `+${customer.wa_id}`;
    label.append(name, number);
    button.append(avatar, label);
    button.addEventListener("click", () => openChat(customer.wa_id, customer.name));
    const item = document.createElement("li");
    item.append(button);
    list.append(item);
  }
  $("known-customers-empty").hidden = list.children.length > 0;
}

function showStartError(text) {
  $("start-error").textContent = text;
  $("start-error").hidden = !text;
}

$("start-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const waId = $("customer-number").value.replace(/\D/g, "");
  if (waId.length < 6 || waId.length > 15) {
    showStartError("Type the number in international format, digits only, e.g. 16505551234.");
    return;
  }
  showStartError("");
  openChat(waId, $("customer-name").value.trim() || `Customer ${waId.slice(-4)}`);
});

// --- chat screen ---

async function openChat(waId, name) {
  generation += 1;
  chat = { waId, name, epoch: null, cursor: 0, bubbles: new Map(), generation };
  history.replaceState(null, "", `${location.pathname}?${new URLSearchParams({ ...businessQuery, wa_id: waId, name })}`);
  $("start-screen").hidden = true;
  $("chat-screen").hidden = false;
  $("message-list").replaceChildren();
  PhoneRich.clearReply();
  PhoneRich.closeSheet();
  $("chat-title").textContent = "";
  $("chat-subtitle").textContent = `You are ${name} (+${waId})`;
  showTyping(0);
  $("composer-input").focus();
  try {
    await call("POST", "/customers", { wa_id: waId, name });
  } catch {
    // The feed loop below shows the connection banner and keeps retrying.
  }
  pollFeed(chat);
}

async function pollFeed(current) {
  let backoff = 1;
  while (current.generation === generation) {
    try {
      const query = { after: current.cursor, timeout: POLL_SECONDS };
      if (current.epoch) query.epoch = current.epoch;
      const feed = await call("GET", `/conversations/${current.waId}`, undefined, query);
      if (current.generation !== generation) return;
      showBanner("");
      backoff = 1;
      applyFeed(current, feed);
    } catch {
      if (current.generation !== generation) return;
      showBanner("Reconnecting to the emulator…");
      await new Promise((resolve) => setTimeout(resolve, backoff * 1000));
      backoff = Math.min(backoff * 2, 5);
    }
  }
}

function applyFeed(current, feed) {
  if (feed.epoch !== current.epoch) {
    // The emulator restarted or was reset: what we show belongs to a forgotten past.
    current.epoch = feed.epoch;
    current.bubbles.clear();
    $("message-list").replaceChildren();
  }
  current.cursor = feed.cursor;
  $("chat-title").textContent = feed.business.display_phone_number;
  const list = $("message-list");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  for (const item of feed.items) upsertBubble(current, item);
  if (atBottom || feed.items.some((item) => item.direction === "to_business")) list.scrollTop = list.scrollHeight;
  showTyping(feed.business_typing_seconds);
  markReadIfSeen();
}

function upsertBubble(current, item) {
  if (PhoneRich.foldsIntoAnother(item)) {
    PhoneRich.applyReaction(current, item);
    return;
  }
  let bubble = current.bubbles.get(item.id);
  if (!bubble) {
    bubble = document.createElement("li");
    bubble.className = "bubble";
    bubble.dataset.testid = "message-bubble";
    bubble.dataset.id = item.id;
    bubble.dataset.seq = item.seq;
    bubble.dataset.direction = item.direction;
    const text = document.createElement("span");
    text.dataset.testid = "message-text";
    text.textContent = item.text ?? (item.media ? "" : `[${item.type}]`);
    if (item.media) bubble.append(PhoneMedia.render(item));
    const meta = document.createElement("span");
    meta.className = "meta";
    const time = document.createElement("time");
    time.textContent = new Date(item.timestamp * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    meta.append(time);
    if (item.direction === "to_business") {
      const ticks = document.createElement("span");
      ticks.className = "ticks";
      ticks.dataset.testid = "message-ticks";
      meta.append(ticks);
    }
    bubble.append(text, meta);
    PhoneRich.enrichBubble(current, bubble, item);
    const later = [...current.bubbles.values()].find((other) => Number(other.dataset.seq) > item.seq);
    $("message-list").insertBefore(bubble, later || null);
    current.bubbles.set(item.id, bubble);
  }
  bubble.dataset.status = item.status;
  PhoneRich.applyChanges(bubble, item);
  const ticks = bubble.querySelector(".ticks");
  if (ticks) {
    ticks.textContent = TICKS[item.status] || "";
    ticks.title = item.status;
  }
}

function showBanner(text) {
  $("connection-banner").textContent = text;
  $("connection-banner").hidden = !text;
}

function showTyping(seconds) {
  clearTimeout(typingTimer);
  const typing = seconds > 0;
  $("typing-indicator").hidden = !typing;
  if (chat) $("chat-subtitle").textContent = typing ? "typing…" : `You are ${chat.name} (+${chat.waId})`;
  if (typing) typingTimer = setTimeout(() => showTyping(0), seconds * 1000);
}

let reading = false;

async function markReadIfSeen() {
  // The customer has read what is on screen: this is what turns the agent's ticks blue.
  if (!chat || reading || document.visibilityState !== "visible") return;
  const unread = [...chat.bubbles.values()].some(
    (bubble) => bubble.dataset.direction === "to_customer" && bubble.dataset.status !== "read",
  );
  if (!unread) return;
  reading = true;
  try {
    await call("POST", `/customers/${chat.waId}/read`, {});
  } catch {
    // Retried on the next feed update or when the page becomes visible again.
  } finally {
    reading = false;
  }
}

document.addEventListener("visibilitychange", markReadIfSeen);
$("back-button").addEventListener("click", showStart);

// One send at a time: a second Enter while a file is being read or posted would send it again.
let sending = false;

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("composer-input");
  const text = input.value;
  if (!chat || sending) return;
  sending = true;
  try {
    const attachment = await PhoneMedia.takePendingBody(text.trim());
    if (!attachment && !text.trim()) return;
    input.value = "";
    try {
      await call("POST", `/customers/${chat.waId}/messages`, {
        ...(attachment ? attachment.body : { text }),
        name: chat.name,
        ...PhoneRich.outgoingExtras(),
      });
      attachment?.sent();
      PhoneRich.clearReply();
    } catch (error) {
      input.value = text;
      showBanner(`Not sent: ${error.message}`);
    }
    input.focus();
  } finally {
    sending = false;
  }
});

PhoneRich.init({ call, getChat: () => chat, $ });
PhoneMedia.onError = (text) => showBanner(text);
PhoneMedia.setup();

if (params.get("wa_id")) {
  openChat(params.get("wa_id").replace(/\D/g, ""), params.get("name") || `Customer ${params.get("wa_id").slice(-4)}`);
} else {
  showStart();
}
