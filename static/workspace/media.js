// Media messages (images, stickers, video, audio and voice notes, documents), link preview cards, and the
// composer's attachment (picker, drag and drop, preview). Files are only ever loaded from our own /media/ views,
// which check who asks; customer text (captions, file names, page titles) goes in through textContent only.

import { ApiError, api } from "./api.js";
import { element, richText } from "./dom.js";
import { feature } from "./extend.js";
import { workspaceProperties } from "./properties.js";

const KIND_LABELS = { image: "Photo", video: "Video", audio: "Audio", document: "Document", sticker: "Sticker" };
const FILE_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 2.8h8l4.2 4.2V20a1.2 1.2 0 0 1-1.2 1.2H6A1.2 1.2 0 0 1 4.8 20V4A1.2 1.2 0 0 1 6 2.8z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/><path d="M13.8 2.8V7.2h4.4" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/></svg>';
const MIC_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><rect x="9" y="3" width="6" height="11" rx="3" fill="currentColor"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>';
const DOWNLOAD_ICON =
  '<svg viewBox="0 0 20 20" aria-hidden="true"><path d="M10 3v9m0 0-3.5-3.5M10 12l3.5-3.5M4 15.5h12" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"/></svg>';

export function humanSize(bytes) {
  if (bytes === null || bytes === undefined) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}

function svg(markup, className) {
  const node = element("span", { className });
  node.innerHTML = markup; // our own constant markup, never customer text
  return node;
}

function fileTypeLabel(attachment) {
  const name = attachment.filename || "";
  const extension = name.includes(".") ? name.split(".").pop() : (attachment.mime_type || "").split("/").pop();
  return (extension || "file").slice(0, 8).toUpperCase();
}

// ------------------------------------------------------------------------------------------ the lightbox

let lightbox = null;

function openLightbox(url, alt, captionText) {
  if (!lightbox) {
    lightbox = element("dialog", { className: "lightbox", testid: "media-lightbox" });
    lightbox.addEventListener("click", (event) => {
      if (event.target === lightbox) lightbox.close();
    });
    document.body.append(lightbox);
  }
  const close = element("button", {
    className: "lightbox-close",
    testid: "media-lightbox-close",
    text: "\u00d7",
    attrs: { type: "button", "aria-label": "Close" },
  });
  close.addEventListener("click", () => lightbox.close());
  const open = element("a", {
    className: "lightbox-download",
    text: "Open original",
    attrs: { href: url, target: "_blank", rel: "noopener" },
  });
  lightbox.replaceChildren(
    close,
    element("img", { className: "lightbox-image", attrs: { src: url, alt } }),
    element("div", { className: "lightbox-foot" }, [
      element("span", { className: "lightbox-caption", text: captionText || "" }),
      open,
    ]),
  );
  lightbox.showModal();
}

// ------------------------------------------------------------------------------------------ renderers

// A photo or video gets its height only once loaded; a timeline that was following the newest message keeps
// following it instead of stopping where the empty box ended.
function followWhenLoaded(node, eventName = "load") {
  node.addEventListener(eventName, () => {
    const timeline = node.closest(".timeline");
    if (!timeline) return;
    const gap = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight;
    if (gap < node.getBoundingClientRect().height + 120) timeline.scrollTop = timeline.scrollHeight;
  });
  return node;
}

function captionNode(message) {
  if (!message.text) return null;
  const node = element("div", { className: "message-text media-caption", testid: "message-text" });
  node.append(richText(message.text));
  return node;
}

function stateNote(message) {
  const attachment = message.attachment;
  const label = KIND_LABELS[message.kind] || "File";
  if (!attachment || attachment.state === "pending") {
    return element("div", { className: "media-status", testid: "media-pending" }, [
      element("span", { className: "spinner", attrs: { "aria-hidden": "true" } }),
      element("span", { text: `${label} downloading…` }),
    ]);
  }
  if (attachment.state === "removed") {
    return element("div", { className: "media-status media-removed", testid: "media-removed", attrs: { role: "note" } }, [
      svg(FILE_ICON, "media-status-icon"),
      element("span", { text: `${label} removed under the retention policy` }),
    ]);
  }
  return element(
    "div",
    { className: "media-status media-unavailable", testid: "media-unavailable", attrs: { role: "note" } },
    [
      svg(FILE_ICON, "media-status-icon"),
      element("span", {}, [
        element("strong", { text: `${label} unavailable` }),
        element("span", { className: "media-reason", text: attachment.failure_reason || "The file could not be fetched." }),
      ]),
    ],
  );
}

function mediaBody(message) {
  const attachment = message.attachment;
  const url = attachment && attachment.state === "stored" ? attachment.url : null;
  if (!url) return stateNote(message);
  const incoming = message.direction === "inbound";
  switch (message.kind) {
    case "image": {
      const alt = message.text || (incoming ? "Photo from the customer" : "Photo sent to the customer");
      const button = element("button", {
        className: "media-thumb",
        testid: "media-image",
        attrs: { type: "button", "aria-label": "Open the photo" },
      }, [followWhenLoaded(element("img", { attrs: { src: url, alt, decoding: "async" } }))]);
      button.addEventListener("click", () => openLightbox(url, alt, message.text));
      return button;
    }
    case "sticker": {
      const button = element("button", {
        className: "media-sticker",
        testid: "media-sticker",
        attrs: { type: "button", "aria-label": "Open the sticker" },
      }, [followWhenLoaded(element("img", { attrs: { src: url, alt: "Sticker" } }))]);
      button.addEventListener("click", () => openLightbox(url, "Sticker", ""));
      return button;
    }
    case "video":
      return followWhenLoaded(
        element("video", {
          className: "media-video",
          testid: "media-video",
          attrs: { src: url, controls: "", preload: "metadata", playsinline: "" },
        }),
        "loadedmetadata",
      );
    case "audio": {
      if (!workspaceProperties.inline_audio) return downloadLink(message, attachment, url); // the "Inline audio" property
      const voice = Boolean(message.content && message.content.voice);
      return element("div", { className: `media-audio${voice ? " is-voice" : ""}` }, [
        voice ? svg(MIC_ICON, "media-audio-icon") : null,
        element("div", { className: "media-audio-body" }, [
          element("span", { className: "media-audio-label", text: voice ? "Voice message" : "Audio" }),
          element("audio", { testid: "media-audio", attrs: { src: url, controls: "", preload: "metadata" } }),
        ]),
      ]);
    }
    default:
      return downloadLink(message, attachment, url);
  }
}

// A document, or any file the page does not play: its name, type and size, and a download.
function downloadLink(message, attachment, url) {
  const name = attachment.filename || `${KIND_LABELS[message.kind] || "File"}.${fileTypeLabel(attachment).toLowerCase()}`;
  return element(
    "a",
    {
      className: "media-document",
      testid: "media-document",
      attrs: { href: `${url}?download=1`, download: name, title: `Download ${name}` },
    },
    [
      svg(FILE_ICON, "media-document-icon"),
      element("span", { className: "media-document-body" }, [
        element("span", { className: "media-document-name", text: name }),
        element("span", {
          className: "media-document-meta",
          text: [fileTypeLabel(attachment), humanSize(attachment.size)].filter(Boolean).join(" · "),
        }),
      ]),
      svg(DOWNLOAD_ICON, "media-document-download"),
    ],
  );
}

function renderMediaMessage(message) {
  const attachment = message.attachment;
  return element(
    "div",
    {
      className: `media media-${message.kind}`,
      testid: "message-media",
      attrs: { "data-kind": message.kind, "data-state": attachment ? attachment.state : "pending" },
    },
    [mediaBody(message), captionNode(message)],
  );
}


// ------------------------------------------------------------------------------------------ link previews

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/i; // the same links dom.js makes clickable
const previews = new Map(); // url -> preview as the API gives it
const previewSlots = new Map(); // url -> Set of slots waiting for it
const requested = new Set(); // message ids asked about

function fillPreviewSlot(slot, preview) {
  if (!preview || preview.state !== "ready") {
    slot.replaceChildren();
    slot.hidden = true;
    return;
  }
  const card = element(
    "a",
    {
      className: "link-preview",
      testid: "link-preview",
      attrs: { href: preview.url, target: "_blank", rel: "noopener noreferrer nofollow" },
    },
    [
      preview.image_url
        ? element("img", { className: "link-preview-image", attrs: { src: preview.image_url, alt: "", loading: "lazy" } })
        : null,
      element("span", { className: "link-preview-body" }, [
        element("span", { className: "link-preview-site", text: preview.site_name || new URL(preview.url).hostname }),
        preview.title ? element("span", { className: "link-preview-title", testid: "link-preview-title", text: preview.title }) : null,
        preview.description ? element("span", { className: "link-preview-description", text: preview.description }) : null,
      ]),
    ],
  );
  slot.replaceChildren(card);
  slot.hidden = false;
}

function receiveLinkPreview(preview) {
  const known = previews.get(preview.url);
  if (known && known.state !== "pending" && preview.state === "pending") return; // an older answer
  previews.set(preview.url, preview);
  for (const slot of previewSlots.get(preview.url) || []) {
    if (slot.isConnected || preview.state === "pending") fillPreviewSlot(slot, preview);
  }
  if (preview.state !== "pending") previewSlots.delete(preview.url);
}

async function askForPreview(message) {
  if (requested.has(message.id)) return;
  requested.add(message.id);
  try {
    const preview = await api(`messages/${message.id}/link-preview/`, { optional: true });
    receiveLinkPreview(preview);
    // The push that follows a pending answer may be dropped: the next draw of the message asks again.
    if (preview.state === "pending") requested.delete(message.id);
  } catch (error) {
    if (error instanceof ApiError) return; // the server's answer: no preview for this one
    requested.delete(message.id); // unreachable: asked again the next time the message is drawn
  }
}

function renderTextMessage(message) {
  const fragment = document.createDocumentFragment();
  const text = element("div", { className: "message-text", testid: "message-text" });
  text.append(richText(message.text));
  fragment.append(text);
  const found = message.text.match(URL_PATTERN);
  if (found) {
    const url = found[0];
    const slot = element("div", { className: "link-preview-slot", attrs: { hidden: "" } });
    // The timeline brings the previews already fetched; only a link seen for the first time is asked about.
    if (message.link_preview) receiveLinkPreview(message.link_preview);
    const known = previews.get(url);
    if (known && known.state !== "pending") {
      fillPreviewSlot(slot, known);
    } else {
      if (!previewSlots.has(url)) previewSlots.set(url, new Set());
      previewSlots.get(url).add(slot);
      askForPreview(message);
    }
    fragment.append(slot);
  }
  return fragment;
}



// ------------------------------------------------------------------------------------------ the composer

// Picks, drops and previews one file for the composer; the caption is the composer's text. The channel's limits
// come from the server (GET …/attachments/) so they are checked before a large upload starts, and again on send.
function createAttachmentComposer({ dropZone, tray, pickButton, fileInput, onChange, onRefused }) {
  let file = null;
  let objectUrl = null;
  let rules = null;
  let rulesFor = null;
  let channelLabel = "The channel";
  let enabled = true;

  async function loadRules(interactionId, label) {
    if (rulesFor === interactionId) return rules;
    rulesFor = interactionId;
    channelLabel = label || "The channel";
    rules = null;
    try {
      rules = (await api(`interactions/${interactionId}/attachments/`, { optional: true })).rules;
    } catch {
      rules = null; // the server checks again on send
    }
    return rules;
  }

  // Only the size is judged here, and only for a type the rules name: what a file really is, the server
  // decides from its bytes (a browser's type comes from the file name).
  function refusalFor(candidate) {
    if (candidate.size === 0) return "The file is empty.";
    const type = (candidate.type || "").toLowerCase();
    const rule = (rules || []).find((r) => r.mime_types.includes(type));
    if (rule && candidate.size > rule.max_bytes) {
      return `The ${rule.kind} is ${humanSize(candidate.size)}; the largest ${rule.kind} sent on ${channelLabel} is ${humanSize(rule.max_bytes)}.`;
    }
    return null;
  }

  function render() {
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = null;
    tray.hidden = !file;
    if (!file) {
      tray.replaceChildren();
      return;
    }
    let preview;
    if (file.type.startsWith("image/")) {
      objectUrl = URL.createObjectURL(file);
      preview = element("img", { className: "attachment-thumb", attrs: { src: objectUrl, alt: "" } });
    } else if (file.type.startsWith("video/")) {
      objectUrl = URL.createObjectURL(file);
      preview = element("video", { className: "attachment-thumb", attrs: { src: objectUrl, muted: "", preload: "metadata" } });
    } else {
      preview = svg(file.type.startsWith("audio/") ? MIC_ICON : FILE_ICON, "attachment-thumb attachment-icon");
    }
    const remove = element("button", {
      className: "attachment-remove",
      testid: "attachment-remove",
      text: "\u00d7",
      attrs: { type: "button", "aria-label": "Remove the attachment" },
    });
    remove.addEventListener("click", () => set(null));
    tray.replaceChildren(
      element("div", { className: "attachment-card", testid: "attachment-preview" }, [
        preview,
        element("span", { className: "attachment-body" }, [
          element("span", { className: "attachment-name", text: file.name }),
          element("span", {
            className: "attachment-meta",
            text: `${humanSize(file.size)} · the text below is sent as its caption`,
          }),
        ]),
        remove,
      ]),
    );
  }

  function set(candidate) {
    if (candidate) {
      const refusal = refusalFor(candidate);
      if (refusal) {
        onRefused(refusal);
        return;
      }
    }
    file = candidate;
    render();
    onChange();
  }

  pickButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    if (fileInput.files.length) set(fileInput.files[0]);
    fileInput.value = "";
  });
  const hasFiles = (event) => enabled && [...(event.dataTransfer?.types || [])].includes("Files");
  dropZone.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dropZone.classList.add("is-dropping");
  });
  dropZone.addEventListener("dragleave", (event) => {
    if (!dropZone.contains(event.relatedTarget)) dropZone.classList.remove("is-dropping");
  });
  dropZone.addEventListener("drop", (event) => {
    dropZone.classList.remove("is-dropping");
    if (!hasFiles(event)) return;
    event.preventDefault();
    if (event.dataTransfer.files.length) set(event.dataTransfer.files[0]);
  });

  return {
    get file() {
      return file;
    },
    clear: () => set(null),
    setEnabled(value) {
      enabled = value;
      pickButton.disabled = !value;
    },
    loadRules,
  };
}

feature("media", (ws) => {
  for (const kind of Object.keys(KIND_LABELS)) ws.renderKind(kind, renderMediaMessage);
  ws.renderKind("text", renderTextMessage);
  ws.onLive("link_preview.changed", (event) => receiveLinkPreview(event.preview));
  ws.composerAttachments(
    createAttachmentComposer({
      dropZone: ws.slot("conversation"),
      tray: ws.slot("attachment-tray"),
      pickButton: ws.slot("attach-button"),
      fileInput: ws.slot("file-input"),
      onChange: ws.attachmentChanged,
      onRefused: ws.showComposerError,
    }),
  );
});
