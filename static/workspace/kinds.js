// How each message kind's body shows in a timeline bubble. Modules for rich kinds register a renderer here
// (a function from the message to a DOM node); text is the default, and a kind with no renderer shows as a note.

const renderers = new Map();

export function registerKindRenderer(kind, render) {
  renderers.set(kind, render);
}

export function kindRenderer(kind) {
  return renderers.get(kind);
}
