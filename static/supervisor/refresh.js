// The snapshot is refetched on a hint, not patched from events: a burst of events within `delayMs` costs one
// fetch, never one per event, and an event during a fetch asks for exactly one more after it.

export function createRefresher(fetchSnapshot, { delayMs, setTimer = setTimeout, clearTimer = clearTimeout }) {
  let timer = null;
  let running = false;
  let again = false;

  async function run() {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await fetchSnapshot();
    } finally {
      running = false;
      if (again) {
        again = false;
        request();
      }
    }
  }

  function request() {
    if (timer === null) timer = setTimer(run, delayMs);
  }

  function now() {
    if (timer !== null) clearTimer(timer);
    return run();
  }

  return { request, now };
}
