// The reply box: why it is blocked (the window, an opt-out, a closed interaction, a manager's read-only view, a
// colleague's conversation read along), the channel's length limit and counter, drafts kept per interaction,
// sending (text, or a file with its caption), and the places features add to it: toolbar actions, sections above
// the box (the template offer), the attachment.

import { ApiError } from "./api.js";
import { element, glyph, showMessage } from "./dom.js";
import { notifyComposer, registry, sendRefusal, transformOutgoing } from "./extend.js";
import { isOpen, optedOutSilence, serviceWindow } from "./format.js";
import { colleagueHolding, readAlongReason } from "./holding.js";
import { sendKeys } from "./send_keys.js";

// The limits are the channel's, sent with each interaction (`channel`), never restated here.
const COUNTER_FROM_SHARE = 0.88; // the counter shows once this share of the limit is used
const MAX_HEIGHT_PX = 220;
const LOADING = "Loading…";

// Until a feature provides attachments (media.js), the composer sends text only.
const NO_ATTACHMENTS = { file: null, clear() {}, setEnabled() {}, loadRules() {} };

export function composerBlockedReason(interaction, config) {
  if (!config.maySend) return "Managers can read but not send";
  if (!interaction) return LOADING;
  if (!isOpen(interaction)) return "Interaction is closed";
  const holder = colleagueHolding(interaction, config);
  if (holder) return readAlongReason(holder);
  const silence = optedOutSilence(interaction);
  if (silence) return silence.reason; // says when they opted out, and that it lasts until they write or opt in
  const window = serviceWindow(interaction);
  return window.open ? null : window.reason;
}

export function createComposer({ store, dom, config, api, errorText }) {
  const { state } = store;
  const drafts = new Map();
  let sending = false;
  const keys = sendKeys(); // a reply sent again after a failure goes out once
  const attachments = () => registry.attachments || NO_ATTACHMENTS;
  const blockedReason = () => composerBlockedReason(store.selected(), config);

  // A text message, or the caption of the attached file: each has the channel's own limit.
  function limit(interaction) {
    const channel = (interaction && interaction.channel) || {};
    return (attachments().file ? channel.caption_limit : channel.text_limit) || Infinity;
  }

  function render() {
    const interaction = store.selected();
    const reason = blockedReason();
    const blocked = reason !== null;
    dom.composer.classList.toggle("is-blocked", blocked);
    // A colleague's conversation: no box at all, only the bar saying whose it is (notes are in the panel).
    dom.composer.classList.toggle("is-read-only", blocked && colleagueHolding(interaction, config) !== null);
    dom.timeline.classList.toggle("is-blocked", blocked); // hides reply / react on the messages
    dom.composerDisabledReason.hidden = !blocked || reason === LOADING;
    dom.composerDisabledText.textContent = blocked ? reason : "";
    dom.composerInput.disabled = blocked;
    dom.composerInput.placeholder = blocked ? "Replying is not possible right now" : "Write a reply…";
    const length = dom.composerInput.value.length;
    const empty = dom.composerInput.value.trim().length === 0 && !attachments().file;
    attachments().setEnabled(!blocked);
    if (interaction && !blocked) attachments().loadRules(interaction.id, interaction.channel.label);
    const max = limit(interaction);
    if (interaction) dom.composerInput.maxLength = interaction.channel.text_limit;
    dom.composerSend.disabled = blocked || sending || empty || length > max;
    dom.composerCounter.hidden = length < max * COUNTER_FROM_SHARE;
    dom.composerCounter.textContent = `${length.toLocaleString()} / ${max.toLocaleString()}`;
    dom.composerCounter.classList.toggle("is-limit", length >= max);
    const windowOpen = Boolean(interaction && serviceWindow(interaction).open);
    for (const section of registry.composerSections) section(interaction, { windowOpen });
  }

  function autosize() {
    const input = dom.composerInput;
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, MAX_HEIGHT_PX)}px`;
  }

  const showError = (text) => showMessage(dom.composerError, text);
  const hideError = () => showMessage(dom.composerError, null);

  function focus() {
    if (!dom.composerInput.disabled) dom.composerInput.focus({ preventScroll: true });
  }

  // Another interaction is selected: the draft typed so far stays with the one left.
  function switchTo(previousId, id) {
    if (previousId !== null) drafts.set(previousId, dom.composerInput.value);
    dom.composerInput.value = id === null ? "" : drafts.get(id) || "";
    attachments().clear();
    hideError();
  }

  async function send() {
    const interaction = store.selected();
    const text = dom.composerInput.value.trim();
    const file = attachments().file;
    if (!interaction || sending || (!text && !file) || blockedReason() !== null) return;
    if (text.length > limit(interaction)) return;
    const refusal = sendRefusal(text); // e.g. a canned response's placeholder still to be replaced
    if (refusal) {
      showError(refusal);
      return;
    }
    sending = true;
    hideError();
    render();
    try {
      const body = transformOutgoing({ text });
      let message;
      if (file) {
        const form = new FormData();
        form.append("file", file, file.name);
        form.append("caption", text);
        if (body.reply_to) form.append("reply_to", body.reply_to);
        message = await api(`interactions/${interaction.id}/attachments/`, { method: "POST", body: form });
      } else {
        const key = keys.keyFor(interaction.id, JSON.stringify(body));
        message = await api(`interactions/${interaction.id}/messages/`, {
          method: "POST",
          body,
          headers: { "Idempotency-Key": key },
        });
        keys.sent(interaction.id);
      }
      // Typed or swapped while the send was out: kept.
      if (state.selectedId === interaction.id) {
        if (dom.composerInput.value.trim() === text) dom.composerInput.value = "";
        if (file && attachments().file === file) attachments().clear();
        autosize();
      } else if ((drafts.get(interaction.id) || "").trim() === text) {
        drafts.delete(interaction.id);
      }
      store.receiveSentMessage(message);
      notifyComposer("sent");
    } catch (error) {
      if (state.selectedId === interaction.id) showError(errorText(error, "The reply was not sent"));
      // A refusal usually means our picture of the window is stale.
      if (error instanceof ApiError && error.status === 409) store.refreshInteractions();
    } finally {
      sending = false;
      render();
      focus();
    }
  }

  // The toolbar of the actions features registered (a location, a list picker, …), usable while replying is.
  function renderToolbar() {
    if (!registry.composerActions.length) return;
    const toolbar = element(
      "div",
      { className: "composer-tools", attrs: { role: "toolbar", "aria-label": "Rich messages" } },
      registry.composerActions.map((action) => {
        const button = element(
          "button",
          { className: "composer-tool", testid: action.testid, attrs: { type: "button", title: action.title } },
          [glyph(action.icon, "composer-tool-icon"), element("span", { text: action.label })],
        );
        button.addEventListener("click", () => {
          if (blockedReason() === null) action.run();
        });
        return button;
      }),
    );
    dom.composer.querySelector(".composer-foot").prepend(toolbar);
  }

  // The attachment changed (picked, dropped, removed).
  function attachmentChanged() {
    hideError();
    render();
    focus();
  }

  dom.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  dom.composerInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.altKey) {
      event.preventDefault();
      send();
    }
  });
  dom.composerInput.addEventListener("input", () => {
    autosize();
    render();
    if (!dom.composerError.hidden) hideError();
    notifyComposer("input");
  });

  return { render, autosize, showError, hideError, focus, switchTo, renderToolbar, attachmentChanged, blockedReason };
}
