// The queue a conversation is in, by name, among the customer panel's facts: the names come from
// GET /api/v1/routing/queues/, read once, again after a resync, and again when a conversation names a queue not
// among them (one added since). A server without routing (or a user it is not for) shows no queue.

import { feature } from "./extend.js";
import { queueName, routingAbsent } from "./routing_state.js";

const view = { queues: null, loading: null, absent: false, shown: null, askedAbout: new Set() };

feature("queue-fact", (ws) => {
  ws.panelFact({ label: "Queue", testid: "customer-queue", render: (node, interaction) => render(ws, node, interaction) });
  ws.onLive("live.resync", () => load(ws));
});

function render(ws, node, interaction) {
  const key = interaction.queue;
  view.shown = { node, key };
  node.textContent = queueName(key, view.queues);
  const unknown = key && view.queues !== null && !view.queues.some((queue) => queue.key === key);
  if (unknown && !view.askedAbout.has(key)) {
    view.askedAbout.add(key); // once: a queue deleted since stays shown by its key
    load(ws);
  } else if (view.queues === null && !view.absent) {
    load(ws);
  }
  return !view.absent;
}

function load(ws) {
  view.loading ||= ws
    .api("routing/queues/", { optional: true })
    .then((queues) => {
      view.queues = queues;
    })
    .catch((failure) => {
      view.absent = routingAbsent(failure);
      if (!view.absent) console.warn("could not load the queues", failure);
    })
    .finally(() => {
      view.loading = null;
      const { node, key } = view.shown || {};
      if (!node) return;
      node.textContent = queueName(key, view.queues);
      node.parentNode.hidden = view.absent;
    });
  return view.loading;
}
