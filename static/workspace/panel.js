// The customer panel on the right: who the customer is, their window, the facts and the sections features add
// (the queue, consent, …). Its collapsed or open state is the agent's choice, kept in localStorage.

import { element, paintAvatar } from "./dom.js";
import { registry } from "./extend.js";
import { STATE_LABELS, customerName, dateAndTime, formatNumber, interactionLabel, parseDate, serviceWindow } from "./format.js";

const PREFERENCE_KEY = "whatsdesk.panel";

export function createPanel({ dom }) {
  // Each registered section gets its own element, in registration order, after the facts (made on first use:
  // features register theirs once the core is built).
  let sections = null;
  function panelSections() {
    sections ||= registry.panelSections.map((section) => {
      const root = element("section", {
        className: section.className,
        testid: section.testid,
        attrs: { id: section.id, "aria-label": section.label },
      });
      dom.panel.append(root);
      return { root, render: section.render };
    });
    return sections;
  }

  // Each registered fact gets a row of the facts list, in registration order (made on first use, as sections).
  let facts = null;
  function panelFacts() {
    facts ||= registry.panelFacts.map((fact) => {
      const value = element("dd", { testid: fact.testid });
      const row = element("div", {}, [element("dt", { text: fact.label }), value]);
      dom.panelFacts.append(row);
      return { row, value, render: fact.render };
    });
    return facts;
  }

  function render(interaction) {
    const now = new Date();
    paintAvatar(dom.panelAvatar, interaction);
    dom.panelName.textContent = customerName(interaction);
    dom.panelChannel.textContent = interaction.channel ? interaction.channel.label : interaction.channel_user.channel;
    dom.panelNumber.textContent = formatNumber(interaction.channel_user.external_id);
    dom.panelInteraction.textContent = `${interactionLabel(interaction)} · ${STATE_LABELS[interaction.state] || interaction.state}`;
    dom.panelOpened.textContent = dateAndTime(parseDate(interaction.opened_at));
    dom.panelLastInbound.textContent = dateAndTime(parseDate(interaction.channel_user.last_inbound_at));
    const window = serviceWindow(interaction, now);
    dom.panelWindow.replaceChildren(
      element("span", { className: `window-chip window-${window.tone}`, text: window.open ? "Open" : "Closed" }),
      element("span", {
        className: "panel-window-detail",
        text: window.open
          ? `closes ${dateAndTime(window.closesAt)} (${window.label})`
          : window.closesAt
            ? `closed ${dateAndTime(window.closesAt)}`
            : "customer has not written yet",
      }),
    );
    for (const fact of panelFacts()) fact.row.hidden = !fact.render(fact.value, interaction);
    for (const section of panelSections()) section.render(section.root, interaction);
  }

  function applyPreference() {
    const collapsed = localStorage.getItem(PREFERENCE_KEY) === "collapsed";
    dom.workspace.classList.toggle("panel-collapsed", collapsed);
    dom.panelToggle.setAttribute("aria-expanded", String(!collapsed));
  }

  dom.panelToggle.addEventListener("click", () => {
    const collapsed = !dom.workspace.classList.contains("panel-collapsed");
    localStorage.setItem(PREFERENCE_KEY, collapsed ? "collapsed" : "open");
    applyPreference();
  });
  applyPreference();

  return { render };
}
