// The selected conversation's frame: the placeholder when none is (with a notice when one had to be closed), the
// header (customer, numbers, state, assignee), the Close menu (the one way to close it: complete or abandoned, with
// an optional reason) and the error line under the header. The panel and composer render with it.

import { element, paintAvatar, showMessage } from "./dom.js";
import { STATE_LABELS, customerName, formatNumber, interactionLabel, isOpen } from "./format.js";
import { mayActIn } from "./holding.js";

export function createConversation({ store, dom, config, api, errorText, panel, composer }) {
  const { state } = store;

  function render() {
    const interaction = store.selected();
    const selected = state.selectedId !== null;
    dom.placeholder.hidden = selected;
    dom.main.hidden = !selected;
    dom.panel.hidden = !selected;
    if (!interaction) {
      if (selected) {
        dom.headerName.textContent = "Loading…";
        for (const node of [dom.headerNumber, dom.headerInteractionNumber, dom.headerAssignee]) node.textContent = "";
        dom.headerState.hidden = true;
      }
      composer.render();
      return;
    }
    paintAvatar(dom.headerAvatar, interaction);
    dom.headerName.textContent = customerName(interaction);
    dom.headerNumber.textContent = formatNumber(interaction.channel_user.external_id);
    dom.headerInteractionNumber.textContent = interactionLabel(interaction);
    dom.headerState.hidden = false;
    dom.headerState.textContent = STATE_LABELS[interaction.state] || interaction.state;
    dom.headerState.className = `state-pill state-${interaction.state}`;
    dom.headerAssignee.replaceChildren(
      element("span", { className: "assignee-label", text: "Assigned to " }),
      element("strong", { text: interaction.assigned_to || "nobody yet" }),
    );
    dom.closeMenu.hidden = !mayActIn(interaction, config) || !isOpen(interaction);
    panel.render(interaction);
    composer.render();
  }

  const showActionError = (text) => showMessage(dom.actionError, text);
  const hideActionError = () => showMessage(dom.actionError, null);

  // Said where the conversation was, once it is closed because it cannot be shown: `lost`, the last picture of one
  // taken from us (reassigned, transferred), is no error; an address that never named one of ours is.
  function showNotice(lost) {
    dom.notice.dataset.tone = lost ? "info" : "error";
    showMessage(
      dom.notice,
      lost
        ? `The conversation with ${customerName(lost)} (${interactionLabel(lost)}) was reassigned or transferred: ` +
            "it is no longer visible to you."
        : "That interaction does not exist or is not visible to you.",
    );
  }
  const hideNotice = () => showMessage(dom.notice, null);

  function closeCloseMenu() {
    dom.closeOptions.hidden = true;
    dom.closeButton.setAttribute("aria-expanded", "false");
  }

  async function closeInteraction(closedState) {
    const id = state.selectedId;
    closeCloseMenu();
    dom.closeButton.disabled = true;
    hideActionError();
    const body = { state: closedState, state_reason: dom.closeReason.value };
    try {
      store.receiveInteraction(await api(`interactions/${id}/close/`, { method: "POST", body }));
      dom.closeReason.value = "";
    } catch (error) {
      showActionError(errorText(error, "The interaction could not be closed"));
    } finally {
      dom.closeButton.disabled = false;
    }
  }

  dom.closeButton.addEventListener("click", (event) => {
    event.stopPropagation();
    const opening = dom.closeOptions.hidden;
    dom.closeOptions.hidden = !opening;
    dom.closeButton.setAttribute("aria-expanded", String(opening));
    if (opening) dom.closeReason.focus();
  });
  for (const option of dom.closeOptions.querySelectorAll("[data-close-state]")) {
    option.addEventListener("click", () => closeInteraction(option.dataset.closeState));
  }
  document.addEventListener("click", (event) => {
    if (!dom.closeMenu.contains(event.target)) closeCloseMenu();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeCloseMenu();
  });

  return { render, showActionError, hideActionError, showNotice, hideNotice, closeCloseMenu };
}
