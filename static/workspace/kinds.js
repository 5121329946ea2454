// How each message kind's body shows in a timeline bubble. Modules for rich kinds register a renderer here
// (a function from the message to a DOM node); text is the default, and a kind with no renderer shows as a note.

const renderers = new Map();

export function registerKindRenderer(kind, render) {
  renderers.set(kind, render);
}

export function kindRenderer(kind) {
  return renderers.get(kind);
}

// Messages shown on another one rather than as their own bubble (a reaction, on the message it targets).
const folds = [];

export function registerFoldedMessage(predicate) {
  folds.push(predicate);
}

export function messageIsFolded(message) {
  return folds.some((predicate) => predicate(message));
}
