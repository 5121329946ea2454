// Telling the agent something new needs them: a short chime made with WebAudio (no sound file), and a browser
// notification when the tab is hidden. Browsers allow both only after the agent has interacted with the page, so
// the audio is unlocked on their first click or key, and notification permission is asked for on a click.

let audio = null;

function unlockAudio() {
  try {
    audio ||= new AudioContext();
    if (audio.state === "suspended") audio.resume();
  } catch {
    audio = null; // no WebAudio: the notification (or the card itself) has to do
  }
}
document.addEventListener("pointerdown", unlockAudio, { once: true, capture: true });
document.addEventListener("keydown", unlockAudio, { once: true, capture: true });

export const notificationsUndecided = () => "Notification" in window && Notification.permission === "default";

// Call from a click handler: asks once, the browser remembers the answer.
export function askForNotifications() {
  unlockAudio();
  if (notificationsUndecided()) return Notification.requestPermission();
  return Promise.resolve("Notification" in window ? Notification.permission : "denied");
}

// Two rising notes, a quarter second each.
export function chime() {
  if (!audio || audio.state !== "running") return;
  const start = audio.currentTime;
  [659.25, 987.77].forEach((frequency, index) => {
    const at = start + index * 0.16;
    const tone = audio.createOscillator();
    const volume = audio.createGain();
    tone.type = "sine";
    tone.frequency.value = frequency;
    volume.gain.setValueAtTime(0.0001, at);
    volume.gain.exponentialRampToValueAtTime(0.18, at + 0.02);
    volume.gain.exponentialRampToValueAtTime(0.0001, at + 0.3);
    tone.connect(volume).connect(audio.destination);
    tone.start(at);
    tone.stop(at + 0.32);
  });
}

// Shown only while the tab is hidden (a visible page shows the card itself); a click brings the tab forward.
export function notifyWhenHidden({ title, body, tag, onClick }) {
  if (document.visibilityState === "visible" || !("Notification" in window) || Notification.permission !== "granted") return;
  const notification = new Notification(title, { body, tag, icon: "/static/favicon.svg" });
  notification.addEventListener("click", () => {
    window.focus();
    notification.close();
    onClick?.();
  });
}
