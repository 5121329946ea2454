// DOM helpers shared by the workspace modules. Customer text only ever goes in through textContent;
// the markup strings here are our own constants.

import { avatarColour, initials } from "./format.js";

export const ICONS = {
  queued:
    '<svg viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M8 4.8V8l2.2 1.4" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/></svg>',
  sent: '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="m3 8.4 3 3 7-7" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  delivered:
    '<svg viewBox="0 0 20 16" aria-hidden="true"><path d="M1.5 8.5 4.8 11.8 11.4 5.2M9.2 11.8 15.8 5.2M7.6 10.2l1.6 1.6" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  failed:
    '<svg viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="8" r="7" fill="currentColor"/><path d="M8 4.2v4.6" stroke="#fff" stroke-width="1.8" stroke-linecap="round"/><circle cx="8" cy="11.4" r="1.05" fill="#fff"/></svg>',
  outbound:
    '<svg viewBox="0 0 16 16" aria-hidden="true"><path d="M6 4 2.5 7.5 6 11M2.5 7.5H10a3.5 3.5 0 0 1 3.5 3.5v1" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  info: '<svg viewBox="0 0 16 16" aria-hidden="true"><circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" stroke-width="1.4"/><path d="M8 7.2v4" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/><circle cx="8" cy="4.9" r=".95" fill="currentColor"/></svg>',
};
ICONS.read = ICONS.delivered;

export function element(tag, { className, text, testid, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  if (testid) node.dataset.testid = testid;
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function icon(name, className = "icon") {
  const wrapper = element("span", { className });
  wrapper.innerHTML = ICONS[name]; // our own constant markup, never customer text
  return wrapper;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi; // any case, as the server and media.js read links

// Customer text as text nodes, with web addresses made into links (still only textContent inside).
export function richText(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    fragment.append(document.createTextNode(text.slice(last, match.index)));
    const link = element("a", {
      text: match[0],
      attrs: { href: match[0], target: "_blank", rel: "noopener noreferrer nofollow" },
    });
    fragment.append(link);
    last = match.index + match[0].length;
  }
  fragment.append(document.createTextNode(text.slice(last)));
  return fragment;
}


// Puts `nodes` into `parent` in order, moving only what is out of place (focus and scroll survive).
export function reconcileChildren(parent, nodes) {
  let current = parent.firstChild;
  for (const node of nodes) {
    if (node === current) {
      current = current.nextSibling;
    } else {
      parent.insertBefore(node, current);
    }
  }
  while (current) {
    const next = current.nextSibling;
    current.remove();
    current = next;
  }
}

// The constant markup of an icon we ship (never customer text) as a node.
export function glyph(markup, className) {
  const node = element("span", { className, attrs: { "aria-hidden": "true" } });
  node.innerHTML = markup;
  return node;
}

// An error line under a control: shown with its text, or hidden and emptied (null).
export function showMessage(node, text) {
  node.textContent = text ?? "";
  node.hidden = text === null || text === undefined;
}

export function paintAvatar(node, interaction) {
  node.textContent = initials(interaction);
  node.style.backgroundColor = avatarColour(interaction);
}
