// The customer's earlier conversations as pure functions (no DOM; node --test), from
// GET /api/v1/interactions/?channel_user=<id>.

const pageRows = (data) => (Array.isArray(data) ? data : data?.results || []);

// Every conversation of the customer but the one on screen, newest first.
export function otherConversations(data, currentId) {
  return pageRows(data)
    .filter((interaction) => interaction.id !== currentId)
    .sort((a, b) => String(b.opened_at || "").localeCompare(String(a.opened_at || "")) || b.id - a.id);
}

// The last message as a line of text ("You: …" when the business wrote it).
export function lastMessageLine(interaction) {
  const last = interaction.last_message;
  if (!last) return "No messages";
  const text = (last.text || "").replace(/\s+/g, " ").trim() || `${last.kind || "a"} message`;
  return last.direction === "outbound" ? `You: ${text}` : text;
}
