// Sign-in with the national identity (docs/identity.md): OpenID Connect's authorization code flow with PKCE (S256)
// for a public client. The provider sends the browser back to this page's address with ?code=&state=, which
// app.js hands to completeNationalSignIn before the router starts; the ID token becomes the session's token.
import { ApiError } from "./api.js";
import { decodeJwt, startSession } from "./auth.js";
import { t, lang } from "./i18n.js";

const PENDING_KEY = "motcua.national";
const SCOPE = "openid profile email phone";

function config() {
  return window.MOTCUA_CONFIG || {};
}

// The button shows only where the stack names a provider and this client's id there.
export function nationalConfigured() {
  return !!(config().citizenIdpUrl && config().citizenIdpClientId);
}

function issuer() {
  return String(config().citizenIdpUrl || "").replace(/\/+$/, "");
}

// The address the provider sends the browser back to: this page without its query or hash (a redirect URI
// has no fragment, so the route to land on waits in sessionStorage).
export function redirectUri() {
  return `${window.location.origin}${window.location.pathname}`;
}

function base64url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function randomString(bytes = 32) {
  return base64url(window.crypto.getRandomValues(new Uint8Array(bytes)));
}

// RFC 7636 §4.2: BASE64URL(SHA-256(ASCII(code_verifier))).
export async function s256(verifier) {
  const digest = await window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function failure(code, detail = "") {
  return new ApiError({ status: 400, code: `auth.national.${code}`, title: t("auth.national.failed"), detail: detail || t(`auth.national.${code}`) });
}

async function getJson(url, init) {
  let res;
  try {
    res = await fetch(url, { cache: "no-cache", ...init });
  } catch {
    throw new ApiError({ status: 0, code: "network", title: t("auth.national.unreachable"), detail: t("error.network_detail") });
  }
  const body = await res.json().catch(() => ({}));
  return { ok: res.ok, status: res.status, body };
}

async function discovery() {
  const { ok, body } = await getJson(`${issuer()}/.well-known/openid-configuration`);
  // OpenID Connect Discovery §4.3: the document must name the very issuer it was fetched for.
  if (!ok || body.issuer !== issuer() || !body.authorization_endpoint || !body.token_endpoint) throw failure("discovery");
  return body;
}

// Off to the provider's sign-in page; `next` is the route to show once back (kept in sessionStorage with the
// state, nonce and code verifier of this one attempt).
export async function startNationalSignIn(next) {
  const doc = await discovery();
  const pending = { state: randomString(), nonce: randomString(), verifier: randomString(), next: next || "", issuer: issuer(), tokenEndpoint: doc.token_endpoint, redirectUri: redirectUri() };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(doc.authorization_endpoint);
  const params = {
    response_type: "code",
    client_id: config().citizenIdpClientId,
    redirect_uri: pending.redirectUri,
    scope: SCOPE,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await s256(pending.verifier),
    code_challenge_method: "S256",
    ui_locales: lang(),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  window.location.assign(url.toString());
}

// The provider's answer in the address (?code=&state= or ?error=&state=), taken out of it so that a reload or
// the back button never sends the same code twice; null when the address carries none.
export function takeCallback() {
  const query = new URLSearchParams(window.location.search);
  if (!query.has("state") || !(query.has("code") || query.has("error"))) return null;
  window.history.replaceState(null, "", `${window.location.pathname}${window.location.hash}`);
  return { code: query.get("code"), state: query.get("state"), error: query.get("error") };
}

function takePending() {
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || "null");
  } catch {
    pending = null;
  }
  sessionStorage.removeItem(PENDING_KEY); // one attempt, one answer
  return pending;
}

// Checks the answer against the attempt this tab started, trades the code for the tokens (public client: the
// code verifier instead of a secret), checks the ID token's nonce, issuer, audience and expiry, and starts the
// session. Returns {next}; throws an ApiError saying what went wrong. The API checks the signature.
export async function completeNationalSignIn(callback) {
  const pending = takePending();
  if (!pending || !callback.state || callback.state !== pending.state) throw failure("state");
  if (callback.error) throw failure(callback.error === "access_denied" ? "cancelled" : "refused");
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    code: callback.code || "",
    redirect_uri: pending.redirectUri,
    client_id: config().citizenIdpClientId,
    code_verifier: pending.verifier,
  });
  const { ok, body } = await getJson(pending.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: form,
  });
  if (!ok || !body.id_token) throw failure("refused");
  let claims;
  try {
    claims = decodeJwt(body.id_token);
  } catch {
    throw failure("token");
  }
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  // The nonce ties the token to this attempt: a token injected from another sign-in is refused here.
  if (!claims.nonce || claims.nonce !== pending.nonce) throw failure("nonce");
  if (claims.iss !== pending.issuer || !audience.includes(config().citizenIdpClientId)) throw failure("token");
  // An expired token would be a session over before it starts.
  if (!(Number(claims.exp) * 1000 > Date.now())) throw failure("token");
  startSession(body.id_token, { provider: "national" });
  return { next: pending.next };
}

// What went wrong on the way back from the provider, for the sign-in page to show once.
let lastError = null;

export function rememberNationalError(err) {
  lastError = err;
}

export function takeNationalError() {
  const err = lastError;
  lastError = null;
  return err;
}
