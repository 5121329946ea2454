// Whose conversation it is. Where the server keeps a conversation its agent's (its audience policy's
// `only_assignee_acts`, sent with the page), a colleague who sees it through a shared queue reads along and adds
// internal notes: no reply, reaction, retry, hold, close or transfer, and the composer becomes a read-only bar.
// The server refuses those acts itself (403); this only keeps the workspace from offering them.

// The name of the colleague who has `interaction`, or null when the signed-in user may act in it (theirs,
// nobody's yet: writing claims it, or a desk where colleagues help out).
export function colleagueHolding(interaction, { userId, onlyAssigneeActs }) {
  if (!onlyAssigneeActs || !interaction) return null;
  const holderId = interaction.assigned_to_id;
  if (holderId === null || holderId === undefined || holderId === userId) return null;
  return interaction.assigned_to || "Another agent";
}

export const readAlongReason = (holder) =>
  `${holder} has this conversation: you can read along and add internal notes, but not write to the customer.`;

// Whether the signed-in user may act in the conversation for the customer (an agent, and not a colleague's).
export const mayActIn = (interaction, config) => Boolean(config.maySend) && colleagueHolding(interaction, config) === null;
