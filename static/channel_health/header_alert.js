// The header's channel alert, for supervisors (managers and admins): a button that says how many channel problems
// there are, opening the list of them with what to do and, for admins, a link to the number's health panel.

import { onChannelHealth } from "./poll.js";

const root = document.querySelector("[data-channel-alert]");

function text(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = content;
  return node;
}

function item(alert) {
  const row = document.createElement("li");
  row.className = `channel-alert-item is-${alert.severity}`;
  row.dataset.testid = "channel-alert-item";
  row.append(text("strong", "channel-alert-title", alert.title));
  row.append(text("span", "channel-alert-account", alert.account_label));
  if (alert.detail) row.append(text("p", "channel-alert-detail", alert.detail));
  if (alert.admin_url) {
    const link = text("a", "channel-alert-link", "Open the health panel");
    link.href = alert.admin_url;
    row.append(link);
  }
  return row;
}

function render(health) {
  const alerts = health.alerts || [];
  const button = root.querySelector("[data-channel-alert-button]");
  const list = root.querySelector("[data-channel-alert-list]");
  root.hidden = alerts.length === 0;
  const problems = alerts.filter((alert) => alert.severity === "problem").length;
  root.classList.toggle("is-problem", problems > 0);
  const count = alerts.length === 1 ? "1 channel alert" : `${alerts.length} channel alerts`;
  button.querySelector("[data-channel-alert-count]").textContent = count;
  button.title = alerts.map((alert) => `${alert.account_label}: ${alert.title}`).join("\n");
  list.replaceChildren(...alerts.map(item));
  if (alerts.length === 0) list.hidden = true;
}

if (root) {
  const button = root.querySelector("[data-channel-alert-button]");
  const list = root.querySelector("[data-channel-alert-list]");
  button.addEventListener("click", () => {
    list.hidden = !list.hidden;
    button.setAttribute("aria-expanded", String(!list.hidden));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !list.hidden) {
      list.hidden = true;
      button.setAttribute("aria-expanded", "false");
    }
  });
  onChannelHealth(render, { url: root.dataset.url });
}
