// The open conversations on the left: one row per interaction (kept and refilled, so focus and scroll survive),
// the count, the search, the next page as the agent scrolls near the end.

import { element, icon, paintAvatar, reconcileChildren } from "./dom.js";
import {
  activityAt,
  customerName,
  dateAndTime,
  formatNumber,
  fullFormat,
  interactionLabel,
  isOpen,
  optedOutSilence,
  relativeTime,
  serviceWindow,
} from "./format.js";
import { listedInteractions } from "./store.js";

const MORE_MARGIN_PX = 400;

export function createList({ store, dom, onSelect }) {
  const { state } = store;
  const items = new Map(); // id -> <li>

  function render() {
    const now = new Date();
    const interactions = listedInteractions(state.interactions, dom.filter.value.trim().toLowerCase());
    const shown = new Set(interactions.map((interaction) => interaction.id));
    const nodes = interactions.map((interaction) => {
      let item = items.get(interaction.id);
      if (!item) {
        const button = element("button", {
          className: "interaction-item",
          testid: "interaction-item",
          attrs: { type: "button", "data-interaction-id": interaction.id },
        });
        button.addEventListener("click", () => onSelect(interaction.id));
        item = element("li", {}, [button]);
        items.set(interaction.id, item);
      }
      fillItem(item.firstChild, interaction, now);
      return item;
    });
    for (const id of items.keys()) if (!shown.has(id)) items.delete(id);
    reconcileChildren(dom.list, nodes);

    const open = [...state.interactions.values()].filter(isOpen);
    // Until every open one is loaded (as the agent scrolls), the count says how many there are in all.
    dom.openCount.textContent = state.listTruncated ? `${open.length} of ${state.listTotal}` : String(open.length);
    dom.listEmpty.hidden = !state.listLoaded || interactions.length > 0;
    dom.listEmpty.querySelector(".list-empty-title").textContent = dom.filter.value.trim()
      ? "No matches"
      : "No open conversations";
    const unread = open.reduce((sum, interaction) => sum + interaction.unread_count, 0);
    document.title = `${unread ? `(${unread}) ` : ""}Workspace · WhatsDesk`;
  }

  function fillItem(button, interaction, now) {
    const selected = interaction.id === state.selectedId;
    button.classList.toggle("is-selected", selected);
    button.classList.toggle("is-unread", interaction.unread_count > 0);
    button.classList.toggle("is-fresh", state.freshIds.has(interaction.id));
    if (selected) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");

    const avatar = element("span", { className: "avatar", attrs: { "aria-hidden": "true" } });
    paintAvatar(avatar, interaction);

    const activity = activityAt(interaction);
    const top = element("span", { className: "item-row" }, [
      element("span", { className: "item-name", text: customerName(interaction) }),
      element("time", {
        className: "item-time",
        text: relativeTime(activity, now),
        attrs: { datetime: activity?.toISOString(), title: activity ? fullFormat.format(activity) : "" },
      }),
    ]);

    const named = Boolean(interaction.channel_user.display_name);
    const sub = element("span", { className: "item-row item-sub" }, [
      named ? element("span", { className: "mono", text: formatNumber(interaction.channel_user.external_id) }) : null,
      named ? element("span", { className: "dot", text: "·" }) : null,
      element("span", { className: "mono", text: interactionLabel(interaction) }),
    ]);

    const last = interaction.last_message;
    const preview = element("span", { className: "item-preview" });
    if (!last) {
      preview.classList.add("is-muted");
      preview.textContent = "No messages yet";
    } else {
      if (last.direction === "outbound") preview.append(icon("outbound", "icon preview-icon"));
      const previewText = element("span", { text: last.text.replace(/\s+/g, " ").trim() || `${last.kind} message` });
      if (last.kind !== "text") previewText.classList.add("is-note");
      preview.append(previewText);
    }
    const middle = element("span", { className: "item-row" }, [
      preview,
      interaction.unread_count > 0
        ? element("span", {
            className: "unread-badge",
            testid: "unread-badge",
            text: interaction.unread_count > 99 ? "99+" : String(interaction.unread_count),
            attrs: { "aria-label": `${interaction.unread_count} unread` },
          })
        : null,
    ]);

    const window = serviceWindow(interaction, now);
    const silence = optedOutSilence(interaction);
    const foot = element("span", { className: "item-row item-foot" }, [
      element("span", {
        className: `window-chip window-${silence ? "closed" : window.tone}`,
        testid: "window-indicator",
        text: silence ? "opted out" : window.label,
        attrs: {
          title: silence
            ? silence.reason
            : window.open
              ? window.closesAt
                ? `Free-form replies allowed until ${dateAndTime(window.closesAt)}`
                : "Free-form replies allowed"
              : "Outside the customer service window: only templates may be sent",
        },
      }),
      element("span", { className: "item-assignee", text: interaction.assigned_to || "Unassigned" }),
    ]);

    button.replaceChildren(avatar, element("span", { className: "item-body" }, [top, sub, middle, foot]));
  }

  // The next page, once the agent scrolls near the end of what is loaded (or it fills no screen).
  async function loadMoreIfNearEnd() {
    const list = dom.list;
    if (list.scrollTop + list.clientHeight < list.scrollHeight - MORE_MARGIN_PX) return;
    await store.loadMoreInteractions();
  }

  dom.filter.addEventListener("input", render);
  dom.list.addEventListener("scroll", loadMoreIfNearEnd, { passive: true });
  return { render, loadMoreIfNearEnd };
}
