// Every call goes to the Dashboard's own /proxy, which adds the credentials on the server (a shared dashboard,
// js/share.js, reads through /share/<token>/api instead).
let csrfToken = "";
let apiBase = "/proxy/api";

export function setApiBase(base) {
  apiBase = base;
}

export function setCsrfToken(token) {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The server answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }
}

async function send(method, url, body, raw = null) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") {
    headers["X-CSRF-TOKEN"] = csrfToken;
    headers["Content-Type"] = raw?.type || "application/json";
  }
  let response;
  try {
    const payload = raw ? raw.body : body === undefined ? undefined : JSON.stringify(body);
    response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, { detail: "The dashboard server cannot be reached." });
  }
  if (response.status === 401) {
    location.assign(`/login?returnUrl=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, { detail: "Signed out." });
  }
  const text = await response.text();
  const json = text ? safeParse(text) : null;
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export const apiUrl = (path, params = {}) => `${apiBase}/${path}?${new URLSearchParams(params)}`;
export const getJson = (path, params = {}) => send("GET", apiUrl(path, params));
export const postJson = (path, body) => send("POST", `/proxy/api/${path}`, body ?? {});
/** A read asked with a body (a funnel's or the cohorts' answer): through the proxy, or a shared dashboard's link. */
export const askJson = (path, body) => send("POST", `${apiBase}/${path}`, body ?? {});
/** POST /api/v2/query (Stats API v2) through the proxy, or through a share link's read-only forwarder. */
export const queryJson = (body) => send("POST", `${apiBase}/v2/query`, body);
export const patchJson = (path, body) => send("PATCH", `/proxy/api/${path}`, body);
export const putJson = (path, body) => send("PUT", `/proxy/api/${path}`, body);
export const deleteJson = (path) => send("DELETE", `/proxy/api/${path}`);
/** POSTs a file (a Blob) as the request body, with its own content type. */
export const postFile = (path, params, file) =>
  send("POST", `/proxy/api/${path}?${new URLSearchParams(params)}`, undefined, { body: file, type: file.type || "application/octet-stream" });
export const session = () => send("GET", "/account/session");
export const account = (method, path, body) => send(method, `/account/${path}`, body);
export const logout = () => send("POST", "/account/logout");
export const logoutEverywhere = () => send("POST", "/account/sessions/revoke");
