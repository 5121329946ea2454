// The Idempotency-Key of each message being sent. Sending the same message again after a failure (no answer, a
// 5xx from a server that may have committed it) reuses its key, so the server sends it once; a new message, or the
// same words once they went out, gets a new key.
export function sendKeys(newKey = randomKey) {
  const pending = new Map(); // interaction id -> { request, key }
  return {
    keyFor(interactionId, request) {
      const earlier = pending.get(interactionId);
      if (earlier && earlier.request === request) return earlier.key;
      const key = newKey();
      pending.set(interactionId, { request, key });
      return key;
    },
    sent(interactionId) {
      pending.delete(interactionId);
    },
  };
}

function randomKey() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID(); // secure contexts (https, localhost)
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}
