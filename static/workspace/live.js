// The live connection: one WebSocket to /ws/workspace/. The server greets with `hello` (after every (re)connect:
// the pushes missed meanwhile are gone, so the page catches up) and may say `live.resync` when its own
// subscription was interrupted. A ping every 25 s finds a half-open connection; a lost one is reopened with
// backoff and the banner says so. A 4403 close means the session is gone: the banner offers to sign in again.

import { element } from "./dom.js";
import { backoffDelay } from "./format.js";

const PING_EVERY_MS = 25 * 1000;
const PONG_TIMEOUT_MS = 10 * 1000;
const RECONNECT = { base: 500, max: 10 * 1000 };
const SIGNED_OUT_CLOSE_CODE = 4403;

// onEvent(event) hears every pushed event but the connection's own (hello, pong, live.resync);
// onResync() is called whenever what was pushed meanwhile may have been lost.
export function createLiveConnection({ banner, bannerText, onEvent, onResync }) {
  const live = { socket: null, attempts: 0, reconnectTimer: null, pingTimer: null, pongTimer: null, signedOut: false };

  function showBanner(content, tone = "warn") {
    bannerText.replaceChildren(typeof content === "string" ? document.createTextNode(content) : content);
    banner.dataset.tone = tone;
    banner.hidden = false;
  }

  function showSignedOut() {
    if (live.signedOut) return;
    live.signedOut = true;
    clearTimeout(live.reconnectTimer);
    const next = encodeURIComponent(`${location.pathname}${location.hash}`);
    const message = document.createDocumentFragment();
    message.append(
      document.createTextNode("You are signed out. "),
      element("a", { text: "Sign in again", attrs: { href: `/login/?next=${next}` } }),
    );
    showBanner(message, "error");
  }

  function connect() {
    clearTimeout(live.reconnectTimer);
    if (live.signedOut) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/workspace/`);
    live.socket = socket;
    socket.addEventListener("message", (event) => {
      if (live.socket !== socket) return;
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      // Answers to our commands come one per frame; pushes come as a list of the events of the last few moments.
      for (const each of Array.isArray(data) ? data : [data]) receive(each);
    });
    socket.addEventListener("close", (event) => {
      if (live.socket !== socket) return;
      live.socket = null;
      stopHeartbeat();
      if (event.code === SIGNED_OUT_CLOSE_CODE) {
        showSignedOut();
        return;
      }
      scheduleReconnect();
    });
  }

  function receive(event) {
    switch (event.type) {
      case "hello":
        live.attempts = 0;
        banner.hidden = true;
        startHeartbeat();
        onResync();
        break;
      case "pong":
        clearTimeout(live.pongTimer);
        break;
      case "live.resync": // the server's subscription was interrupted: pushes may have been lost
        onResync();
        break;
      default:
        onEvent(event);
    }
  }

  function scheduleReconnect() {
    clearTimeout(live.reconnectTimer);
    const delay = backoffDelay(live.attempts, RECONNECT);
    live.attempts += 1;
    showBanner("Connection lost. Reconnecting…");
    live.reconnectTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (live.socket || live.signedOut) return;
    live.attempts = 0;
    connect();
  }

  function startHeartbeat() {
    stopHeartbeat();
    live.pingTimer = setInterval(() => {
      const socket = live.socket;
      if (!socket || socket.readyState !== WebSocket.OPEN) return;
      socket.send(JSON.stringify({ type: "ping" }));
      clearTimeout(live.pongTimer);
      live.pongTimer = setTimeout(() => {
        // A half-open connection never reports its own death; drop it and start again.
        if (live.socket !== socket) return;
        live.socket = null;
        stopHeartbeat();
        socket.close();
        scheduleReconnect();
      }, PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  function stopHeartbeat() {
    clearInterval(live.pingTimer);
    clearTimeout(live.pongTimer);
  }

  function send(data) {
    if (live.socket && live.socket.readyState === WebSocket.OPEN) live.socket.send(JSON.stringify(data));
  }

  return {
    connect,
    reconnectNow,
    send,
    showSignedOut,
    get connected() {
      return live.socket !== null;
    },
  };
}
