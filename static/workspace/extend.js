// The one way a feature plugs into the workspace. A feature module calls
//
//   feature("name", (ws) => { ws.renderKind("location", render); ws.onLive("offer.changed", receive); … });
//
// and main.js imports it; once the core is built, every feature's setup runs with the same `ws`: the workspace's
// services (the API, the selected interaction, sending, opening an interaction) and these extension points:
//   renderKind(kind, render)           a timeline body for a message kind (message -> node)
//   foldMessage(predicate)             messages shown on another one rather than as their own bubble
//   decorateMessage(fn)                fn(message, node) on every freshly built timeline node
//   onLive(type, fn)                   a live (WebSocket) event, after the core has applied it; "live.resync"
//                                      when pushes may have been missed (reconnect, resync, tab shown again)
//   composerAction({…, run})           a button in the composer's toolbar
//   transformOutgoing(fn)              what a reply carries besides its text (fn(body) -> body)
//   sendGuard(fn)                      fn(text) -> why the reply may not go yet (shown to the agent), or null
//   onComposer(fn)                     fn(what): "input", "sent", "selected"
//   composerSection(fn)                fn(interaction | null, {windowOpen}) on every composer render
//   composerAttachments(attachments)   the composer's file (one provider)
//   panelSection({…, render})          a section of the customer panel, render(root, interaction)
//   panelFact({label, testid, render}) a fact in the panel's list (after the core's), render(node, interaction)
//                                      fills its value and returns whether the fact is shown
//   slot(name)                         a place in the page a feature fills (main.js names them)
//   on(name, fn) / emit(name, detail)  messages between features ("reply-to", "consent-changed", …)
// The core reads the registries below; nothing else is exported to features.

const features = [];

export function feature(name, setup) {
  features.push({ name, setup });
}

export const registry = {
  kinds: new Map(),
  folds: [],
  decorators: [],
  live: new Map(), // type -> [fn]
  composerActions: [],
  outgoing: [],
  sendGuards: [],
  composerListeners: [],
  composerSections: [],
  attachments: null,
  panelSections: [],
  panelFacts: [],
  events: new Map(), // name -> [fn]
};

const append = (map, key, fn) => {
  if (!map.has(key)) map.set(key, []);
  map.get(key).push(fn);
};

// The extension points every feature gets, bound to the page's `slots` (name -> element).
export function extensionPoints(slots) {
  return {
    renderKind: (kind, render) => registry.kinds.set(kind, render),
    foldMessage: (predicate) => registry.folds.push(predicate),
    decorateMessage: (fn) => registry.decorators.push(fn),
    onLive: (type, fn) => append(registry.live, type, fn),
    composerAction: (action) => registry.composerActions.push(action),
    transformOutgoing: (fn) => registry.outgoing.push(fn),
    sendGuard: (fn) => registry.sendGuards.push(fn),
    onComposer: (fn) => registry.composerListeners.push(fn),
    composerSection: (fn) => registry.composerSections.push(fn),
    composerAttachments: (attachments) => {
      registry.attachments = attachments;
    },
    panelSection: (section) => registry.panelSections.push(section),
    panelFact: (fact) => registry.panelFacts.push(fact),
    slot: (name) => {
      if (!(name in slots)) throw new Error(`The workspace has no slot "${name}"`);
      return slots[name]; // null where this page leaves it out (a manager has no "New" button)
    },
    on: (name, fn) => append(registry.events, name, fn),
    emit: (name, detail) => {
      for (const fn of registry.events.get(name) || []) fn(detail);
    },
  };
}

// Runs every registered feature's setup; one that throws is reported and leaves the others working.
export function startFeatures(ws) {
  for (const { name, setup } of features) {
    try {
      setup(ws);
    } catch (error) {
      console.error(`the workspace feature "${name}" failed to start`, error);
    }
  }
}

// ------------------------------------------------------------------------------ what the core calls

export const kindRenderer = (kind) => registry.kinds.get(kind);
export const messageIsFolded = (message) => registry.folds.some((predicate) => predicate(message));

export function decorateMessage(message, node) {
  for (const decorate of registry.decorators) decorate(message, node);
}

export function dispatchLive(event) {
  for (const fn of registry.live.get(event.type) || []) fn(event);
}

export const transformOutgoing = (body) => registry.outgoing.reduce((current, transform) => transform(current), body);

export function sendRefusal(text) {
  for (const guard of registry.sendGuards) {
    const reason = guard(text);
    if (reason) return reason;
  }
  return null;
}

export function notifyComposer(what) {
  for (const listen of registry.composerListeners) listen(what);
}
