// The supervisor page's "Channels" card: each account's facts (token, quality, webhook traffic, outbox) and its
// alerts, as the server's channel health tells them (channel_health/poll.js).

import { onChannelHealth } from "./poll.js";

const root = document.querySelector("[data-channel-health-summary]");

function text(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = content;
  return node;
}

function account(item) {
  const card = document.createElement("li");
  card.className = `channel-account${item.severity ? ` is-${item.severity}` : ""}`;
  card.dataset.testid = "channel-account";
  const head = text("div", "channel-account-head", "");
  head.append(text("strong", "", item.account_label));
  head.append(text("span", `channel-account-state${item.severity ? ` is-${item.severity}` : ""}`, item.severity === "problem" ? "Problem" : item.severity === "warning" ? "Needs a look" : "Healthy"));
  card.append(head);
  const facts = document.createElement("dl");
  facts.className = "channel-account-facts";
  for (const fact of item.facts) {
    facts.append(text("dt", "", fact.label));
    facts.append(text("dd", fact.severity ? `is-${fact.severity}` : "", fact.value));
  }
  card.append(facts);
  if (item.admin_url) {
    const link = text("a", "channel-alert-link", "Open the health panel");
    link.href = item.admin_url;
    card.append(link);
  }
  return card;
}

if (root) {
  const list = root.querySelector("[data-channel-health-accounts]");
  onChannelHealth((health) => {
    const accounts = health.accounts || [];
    list.replaceChildren(...accounts.map(account));
    root.querySelector("[data-channel-health-empty]").hidden = accounts.length > 0;
  });
}
