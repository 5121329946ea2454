// The pure logic of the composer's `/` menu: when the menu is asked for, what it shows for the letters typed, and
// which placeholders a filled-in response still holds (the server leaves one it cannot fill as `{name}`, and the
// composer will not send it until the agent has replaced it). No DOM here, so node tests it.

const MENU_SIZE = 8;
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

// The letters of the `/word` that starts the composer, while the caret is in that word; else null.
export function slashQuery(text, caret = text.length) {
  const word = /^\/(\S*)/.exec(text);
  if (!word || caret < 1 || caret > word[0].length) return null;
  return word[1].toLowerCase();
}

// How well an item answers the letters typed: 0 the shortcut (or key) starts with them, 1 a word of the title
// starts with them, 2 anywhere in the title or body; null no match.
function rank(item, query) {
  if (!query) return 0;
  if (item.shortcut.toLowerCase().startsWith(query)) return 0;
  const title = item.title.toLowerCase();
  if (title.split(/\s+/).some((word) => word.startsWith(query))) return 1;
  if (title.includes(query) || (item.text || "").toLowerCase().includes(query)) return 2;
  return null;
}

// The menu for `query`: canned responses then quick actions, each group in the server's order within a rank
// (the customer's language and the agent's own come first there).
export function menuItems({ responses, actions }, query, size = MENU_SIZE) {
  const items = [
    ...responses.map((response) => ({ ...response, type: "response", id: `response-${response.id}`, response })),
    ...actions.map((action) => ({ ...action, type: "action", id: `action-${action.key}`, shortcut: action.key })),
  ];
  return items
    .map((item, order) => ({ item, order, rank: rank(item, query) }))
    .filter((entry) => entry.rank !== null)
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .slice(0, size)
    .map((entry) => entry.item);
}

// The next active row for an arrow key, wrapping at either end; -1 when there are none.
export function moveActive(index, delta, count) {
  if (count === 0) return -1;
  if (index < 0) return delta > 0 ? 0 : count - 1;
  return (index + delta + count) % count;
}

// Where the placeholders in `names` still stand in `text`: [{name, start, end}] in order.
export function unfilledPlaceholders(text, names) {
  const wanted = new Set(names);
  return [...text.matchAll(PLACEHOLDER)]
    .filter((match) => wanted.has(match[1]))
    .map((match) => ({ name: match[1], start: match.index, end: match.index + match[0].length }));
}

// `text` in pieces for display, the placeholders in `names` marked: [{text, placeholder}].
export function highlightSegments(text, names) {
  const segments = [];
  let last = 0;
  for (const { start, end } of unfilledPlaceholders(text, names)) {
    if (start > last) segments.push({ text: text.slice(last, start), placeholder: false });
    segments.push({ text: text.slice(start, end), placeholder: true });
    last = end;
  }
  if (last < text.length || segments.length === 0) segments.push({ text: text.slice(last), placeholder: false });
  return segments;
}

// The composer's text once a response is picked: it replaces the `/word` typed, and keeps anything after it.
export function insertResponse(composerText, responseText) {
  const rest = composerText.replace(/^\/\S*\s*/, "");
  return rest ? `${responseText} ${rest}` : responseText;
}

// Why a text may not be sent yet: the placeholders it still holds, named; null when it may.
export function unfilledRefusal(text, names) {
  const left = [...new Set(unfilledPlaceholders(text, names).map((placeholder) => `{${placeholder.name}}`))];
  if (!left.length) return null;
  return `Replace ${left.join(", ")} before sending: nothing fills ${left.length === 1 ? "it" : "them"} in this conversation.`;
}
