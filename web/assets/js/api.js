// The documented API: JSON in and out, problems thrown as ApiError.
import { lang, t } from "./i18n.js";
import { freshSession, sessionEnded, signOut } from "./auth.js";

export class ApiError extends Error {
  constructor({ status = 0, type = "", code = "", title = "", detail = "", errors = [] } = {}) {
    super(detail || title || code || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.type = type;
    this.code = code;
    this.title = title;
    this.detail = detail;
    this.errors = Array.isArray(errors) ? errors : [];
  }
}

function config() {
  return window.MOTCUA_CONFIG || {};
}

export function apiUrl(path, query) {
  const base = (config().apiUrl || "").replace(/\/+$/, "");
  const url = new URL(base + path, window.location.href);
  for (const [k, v] of Object.entries(query || {})) {
    // Empty filters are left out: the API refuses unknown or empty-valued parameters in places.
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
  }
  return url.toString();
}

async function problemFrom(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON: a gateway or proxy answered */
  }
  if (body && typeof body === "object") {
    return new ApiError({ ...body, status: res.status });
  }
  return new ApiError({ status: res.status, code: `http_${res.status}`, title: t("error.http", { status: res.status }) });
}

// request(method, path, {query, body, headers, as, full}):
//   as: "json" (default), "blob" or "text"; full: true returns {status, headers, body} instead of the body;
//   body: sent as JSON, or as it is when a Blob (a File).
export async function request(method, path, { query, body, headers = {}, as = "json", full = false } = {}) {
  const h = { Accept: "application/json", "Accept-Language": lang() === "en" ? "en" : "vi", ...headers };
  // A token near its end is renewed first (staff tokens last 15 minutes): the call goes with a good one. A renewal
  // refused ends the session and the app takes the user to the sign-in page, which says so: until it has, calls
  // are not sent without the token the page meant to send.
  const s = await freshSession();
  if (!s && sessionEnded()) throw new ApiError({ status: 401, code: "session_ended", title: t("error.sign_in_needed"), detail: t("auth.session_ended") });
  if (s) h.Authorization = `Bearer ${s.idToken}`;
  // Revalidate every time: answers depend on the language and the session, and a shared cache may not
  // be told so (a Vary header can be lost on the way).
  const init = { method, headers: h, cache: "no-cache" };
  if (body instanceof Blob) {
    // A file goes as it is (e.g. a PDF to verify), typed by the caller's Content-Type or its own.
    h["Content-Type"] = headers["Content-Type"] || body.type || "application/octet-stream";
    init.body = body;
  } else if (body !== undefined) {
    h["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(apiUrl(path, query), init);
  } catch {
    throw new ApiError({ status: 0, code: "network", title: t("error.network"), detail: t("error.network_detail") });
  }
  if (!res.ok) {
    const err = await problemFrom(res);
    // A refused token (expired or revoked) means the session is over: show the signed-out header.
    if (res.status === 401 && s) signOut();
    throw err;
  }
  let data = null;
  if (res.status !== 204) {
    if (as === "blob") data = await res.blob();
    else if (as === "text") data = await res.text();
    else {
      const text = await res.text();
      data = text ? JSON.parse(text) : null;
    }
  }
  return full ? { status: res.status, headers: res.headers, body: data } : data;
}

let openapiDoc = null;
let openapiPromise = null;

export const api = {
  get: (path, opts = {}) => request("GET", path, opts),
  post: (path, body, opts = {}) => request("POST", path, { ...opts, body: body ?? {} }),
  put: (path, body, opts = {}) => request("PUT", path, { ...opts, body: body ?? {} }),
  request,
  url: apiUrl,
  // The contract, fetched once per page load.
  openapi() {
    if (!openapiPromise) {
      openapiPromise = request("GET", "/openapi.json").then(
        (doc) => (openapiDoc = doc),
        (err) => {
          openapiPromise = null;
          throw err;
        },
      );
    }
    return openapiPromise;
  },
  // The cached contract or null when api.openapi() has not finished yet.
  openapiCached: () => openapiDoc,
};

export default api;
