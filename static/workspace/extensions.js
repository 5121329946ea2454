// Hooks through which feature modules (rich_messages.js, rich_composer.js) plug into workspace.js without it
// knowing them: decorate a message node, hear live events, add to an outgoing reply, and reach the workspace's
// own functions (the API, the selected interaction, the live socket).

const decorators = [];
const liveListeners = [];
const outgoingTransforms = [];
const composerListeners = [];
let workspaceApi = null;

export function provideWorkspace(api) {
  workspaceApi = api;
}

export function workspace() {
  return workspaceApi;
}

// fn(message, node): called on every freshly built timeline node.
export function registerMessageDecorator(fn) {
  decorators.push(fn);
}

export function decorateMessage(message, node) {
  for (const decorate of decorators) decorate(message, node);
}

// fn(event): every live event, before the workspace handles it.
export function registerLiveListener(fn) {
  liveListeners.push(fn);
}

export function notifyLiveEvent(event) {
  for (const listen of liveListeners) listen(event);
}

// fn(body) -> body: what a text reply carries besides its text (e.g. the message it quotes).
export function registerOutgoingTransform(fn) {
  outgoingTransforms.push(fn);
}

export function transformOutgoing(body) {
  return outgoingTransforms.reduce((current, transform) => transform(current), body);
}

// fn(what): "input" while the agent types, "sent" after a reply went out, "selected" on another interaction.
export function registerComposerListener(fn) {
  composerListeners.push(fn);
}

export function notifyComposer(what) {
  for (const listen of composerListeners) listen(what);
}
