// The system properties the workspace follows (README, "System properties"), as the page had them when it loaded:
// a change made in the admin shows on the agent's next page load. Outside a page (node --test): the defaults.

const DEFAULTS = { inline_audio: true, window_warning_minutes: 60 };

function fromPage() {
  const node = typeof document === "undefined" ? null : document.getElementById("workspace-properties");
  return node ? { ...DEFAULTS, ...JSON.parse(node.textContent) } : DEFAULTS;
}

export const workspaceProperties = Object.freeze(fromPage());
