// The HTTP client: JSON in and out, the CSRF token on every write, one error type with the server's reasons.
// Paths are relative to /api/v1/ unless they start with "/".

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `Request failed (${status})`);
    this.status = status;
    this.body = body || {};
  }
}

let fallbackCsrfToken = "";
let signedOutHandler = () => {};

// The page's token (rendered with it) and what to do when a read finds the session gone.
export function configureApi({ csrfToken, onSignedOut }) {
  fallbackCsrfToken = csrfToken;
  signedOutHandler = onSignedOut;
}

function currentCsrfToken() {
  // The cookie is current even if another tab signed in again since this page was rendered.
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : fallbackCsrfToken;
}

export const apiUrl = (path) => (path.startsWith("/") ? path : `/api/v1/${path}`);

// `optional`: an endpoint this server or this user may not have (a feature not deployed, a role it is not for);
// its 401/403 is the caller's to handle, not taken as the session being gone.
export async function api(path, { method = "GET", body, optional = false, headers: extra = {} } = {}) {
  const headers = { Accept: "application/json", ...extra };
  const form = body instanceof FormData; // a file: the browser writes the multipart Content-Type itself
  if (method !== "GET") {
    headers["X-CSRFToken"] = currentCsrfToken();
    if (!form) headers["Content-Type"] = "application/json";
  }
  const response = await fetch(apiUrl(path), {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined || form ? body : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    if ((response.status === 401 || response.status === 403) && method === "GET" && !optional) signedOutHandler();
    throw new ApiError(response.status, data);
  }
  return data;
}

// What to tell the agent: the server's reason (its detail, or every field's message), else what failed.
export function errorText(error, fallback) {
  if (!(error instanceof ApiError)) return `${fallback}: the server could not be reached.`;
  const body = error.body || {};
  if (typeof body.detail === "string") return body.detail;
  const fieldMessages = Object.values(body).flat().filter((value) => typeof value === "string");
  return fieldMessages.length ? fieldMessages.join(" ") : `${fallback} (error ${error.status}).`;
}
