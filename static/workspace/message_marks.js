// What the timeline shows on a customer's message besides its content: that they edited it (with the text as
// first sent), that they deleted it for everyone (agents still see what it said), and the ad they came from.
// Customer text and ad text go in through textContent only; an ad's address is a link only if it is http(s).

import { element } from "./dom.js";
import { feature } from "./extend.js";
import { fullFormat } from "./format.js";

function webAddress(value) {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function referralNode(referral) {
  const href = webAddress(referral.source_url || "");
  const source = href
    ? element("a", { text: referral.source_url, attrs: { href, target: "_blank", rel: "noopener noreferrer nofollow" } })
    : referral.source_url
      ? element("span", { text: referral.source_url })
      : null;
  return element("div", { className: "message-referral", testid: "message-referral", attrs: { title: referral.body || "" } }, [
    element("span", { className: "mark-label", text: "Came from ad: " }),
    element("span", { className: "referral-headline", text: referral.headline || referral.source_type || "an ad" }),
    source ? document.createTextNode(" · ") : null,
    source,
  ]);
}

function editedNode(message) {
  const at = new Date(message.edited_at);
  return element("details", { className: "message-edited", testid: "message-edited" }, [
    element("summary", { text: "edited", attrs: { title: `Edited · ${fullFormat.format(at)}` } }),
    element("div", { className: "message-original" }, [
      element("span", { className: "mark-label", text: "Originally: " }),
      element("span", { testid: "message-original", text: message.original_text }),
    ]),
  ]);
}

function deletedNode(message) {
  return element("div", {
    className: "message-deleted",
    testid: "message-deleted",
    text: "Deleted by the customer",
    attrs: { title: `The customer deleted this message for everyone · ${fullFormat.format(new Date(message.deleted_by_customer_at))}` },
  });
}

function markMessage(message, node) {
  const bubble = node.querySelector(".bubble");
  if (!bubble || message.direction !== "inbound") return;
  if (message.content?.referral) bubble.prepend(referralNode(message.content.referral));
  const meta = bubble.querySelector(".message-meta");
  if (message.edited_at && !message.content_removed_at) bubble.insertBefore(editedNode(message), meta);
  if (message.deleted_by_customer_at) {
    node.classList.add("is-deleted-by-customer");
    bubble.insertBefore(deletedNode(message), meta);
  }
}

feature("message-marks", (ws) => ws.decorateMessage(markMessage));
