// Tells the agent plainly, above the reply box, when the conversation's business number cannot send now and why
// (a revoked token, a locked account): the server's channel health says so (channel_health/poll.js).

import { onChannelHealth, sendingBlockedFor } from "../channel_health/poll.js";
import { element } from "./dom.js";
import { feature } from "./extend.js";

feature("channel-health", (ws) => {
  const notice = element("div", {
    className: "composer-channel-blocked",
    testid: "composer-channel-blocked",
    attrs: { role: "status" },
  });
  notice.hidden = true;
  ws.slot("composer").prepend(notice);
  let health = null;

  function render(interaction) {
    const customer = interaction && interaction.channel_user;
    const blocked = customer
      ? sendingBlockedFor(health, { channel: customer.channel, accountId: customer.account_id })
      : null;
    notice.hidden = blocked === null;
    notice.replaceChildren();
    if (blocked) {
      notice.append(element("strong", { text: `Messages cannot be sent from ${blocked.account_label} right now.` }));
      notice.append(` ${blocked.reason}`);
    }
  }

  ws.composerSection((interaction) => render(interaction));
  onChannelHealth((answer) => {
    health = answer;
    render(ws.selectedInteraction());
  });
});
