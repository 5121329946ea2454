// The customer's phone: photos, videos, voice notes, documents and stickers, both ways.
// Picks or records a file, previews it above the composer, and sends it as the customer through the control API;
// shows the media in the bubbles. Names and captions go in through textContent only.
"use strict";

const PhoneMedia = (() => {
  const LABELS = { image: "Photo", video: "Video", audio: "Audio", document: "Document", sticker: "Sticker" };
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  let pending = null; // { file: Blob, name, type, kind, voice }
  let recorder = null;

  function kindOf(type, name) {
    if (type === "image/webp") return "sticker";
    if (type === "image/jpeg" || type === "image/png") return "image";
    if (type.startsWith("video/")) return "video";
    if (type.startsWith("audio/") || /\.(m4a|ogg|opus|mp3|aac|amr)$/i.test(name)) return "audio";
    return "document";
  }

  function typeOf(file) {
    if (file.type === "audio/x-m4a" || /\.m4a$/i.test(file.name)) return "audio/mp4";
    if (file.type) return file.type.split(";")[0];
    if (/\.txt$/i.test(file.name)) return "text/plain";
    return "application/octet-stream";
  }

  function size(bytes) {
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
    return `${(bytes / 1048576).toFixed(1)} MB`;
  }

  function showPending() {
    const tray = $("attachment-preview");
    tray.hidden = !pending;
    tray.replaceChildren();
    $("composer-input").placeholder = pending ? "Add a caption" : "Message";
    if (!pending) return;
    const label = document.createElement("span");
    label.className = "pending-label";
    label.textContent = `${LABELS[pending.kind]}: ${pending.voice ? "voice message" : pending.name} · ${size(pending.file.size)}`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "pending-remove";
    remove.dataset.testid = "attachment-remove";
    remove.setAttribute("aria-label", "Remove");
    remove.textContent = "\u00d7";
    remove.addEventListener("click", () => {
      pending = null;
      showPending();
    });
    if (pending.kind === "image" || pending.kind === "sticker") {
      const img = document.createElement("img");
      img.className = "pending-thumb";
      img.src = URL.createObjectURL(pending.file);
      tray.append(img);
    }
    tray.append(label, remove);
  }

  function choose(file, voice = false) {
    const type = typeOf(file);
    pending = { file, name: file.name || "voice-note", type, kind: kindOf(type, file.name || ""), voice };
    showPending();
    $("composer-input").focus();
  }

  async function toBase64(blob) {
    const buffer = new Uint8Array(await blob.arrayBuffer());
    let binary = "";
    for (let i = 0; i < buffer.length; i += 0x8000) binary += String.fromCharCode(...buffer.subarray(i, i + 0x8000));
    return btoa(binary);
  }

  // Voice notes: WhatsApp records OGG/Opus; Chromium's recorder writes Opus or AAC in MP4 (M4A), also accepted.
  async function toggleRecording() {
    const button = $("record-button");
    if (recorder) {
      recorder.stop();
      return;
    }
    const type = ["audio/ogg;codecs=opus", "audio/mp4"].find((t) => window.MediaRecorder?.isTypeSupported(t));
    if (!type || !navigator.mediaDevices?.getUserMedia) {
      PhoneMedia.onError("This browser cannot record audio here; pick an audio file instead.");
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      PhoneMedia.onError("No microphone (or no permission); pick an audio file instead.");
      return;
    }
    const parts = [];
    recorder = new MediaRecorder(stream, { mimeType: type });
    recorder.ondataavailable = (event) => parts.push(event.data);
    recorder.onstop = () => {
      stream.getTracks().forEach((track) => track.stop());
      recorder = null;
      button.classList.remove("is-recording");
      const base = type.split(";")[0];
      const file = new File(parts, base === "audio/ogg" ? "voice.ogg" : "voice.m4a", { type: base });
      choose(file, true);
    };
    recorder.start();
    button.classList.add("is-recording");
  }

  function setup() {
    const input = $("file-input");
    $("attach-button").addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      if (input.files.length) choose(input.files[0]);
      input.value = "";
    });
    $("record-button").addEventListener("click", toggleRecording);
  }

  // The control API body for the pending file, or null when nothing is attached.
  async function takePendingBody(caption) {
    if (!pending) return null;
    const chosen = pending;
    const body = {
      type: chosen.kind,
      media: { data: await toBase64(chosen.file), mime_type: chosen.type, filename: chosen.name },
      voice: chosen.voice,
    };
    if (caption && ["image", "video", "document"].includes(chosen.kind)) body.caption = caption;
    return {
      body,
      sent: () => {
        if (pending === chosen) pending = null;
        showPending();
      },
    };
  }

  // Media gets its height once loaded: a chat that showed the newest message keeps showing it.
  function follow(node, eventName) {
    node.addEventListener(eventName, () => {
      const list = $("message-list");
      if (list.scrollHeight - list.scrollTop - list.clientHeight < node.getBoundingClientRect().height + 120) {
        list.scrollTop = list.scrollHeight;
      }
    });
  }

  function render(item) {
    const media = item.media;
    const box = document.createElement("div");
    box.className = `media media-${item.type}`;
    box.dataset.testid = "message-media";
    box.dataset.kind = item.type;
    if (!media.url) {
      box.classList.add("media-missing");
      box.textContent = `${LABELS[item.type] || "File"} not available: ${media.error || "the file could not be sent"}`;
      return box;
    }
    let node;
    if (item.type === "image" || item.type === "sticker") {
      node = document.createElement("img");
      node.src = media.url;
      node.alt = item.type === "sticker" ? "Sticker" : "Photo";
      node.loading = "lazy";
      node.addEventListener("click", () => window.open(media.url, "_blank"));
      follow(node, "load");
    } else if (item.type === "video") {
      node = document.createElement("video");
      node.src = media.url;
      node.controls = true;
      node.preload = "metadata";
      follow(node, "loadedmetadata");
    } else if (item.type === "audio") {
      node = document.createElement("div");
      node.className = "media-audio";
      const label = document.createElement("span");
      label.textContent = media.voice ? "Voice message" : "Audio";
      const audio = document.createElement("audio");
      audio.src = media.url;
      audio.controls = true;
      audio.preload = "metadata";
      node.append(label, audio);
    } else {
      node = document.createElement("a");
      node.className = "media-document";
      node.href = media.url;
      node.download = media.filename || "document";
      node.textContent = `${media.filename || "Document"} \u2193`;
    }
    node.dataset.testid = `media-${item.type}`;
    box.append(node);
    return box;
  }

  return { setup, takePendingBody, render, onError: () => {} };
})();
