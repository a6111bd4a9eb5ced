// The session: sign-in against a user pool's public API (InitiateAuth, USER_PASSWORD_AUTH; staff through
// staff-auth.js, with a TOTP code), or an ID token of the national identity (national.js). Tokens live in
// sessionStorage only; a pool's session keeps its refresh token there too and renews the ID token before it expires
// (staff tokens last 15 minutes), so a person at work is not signed out while the session lasts.
import { ApiError } from "./api.js";
import { cognitoCall, staffClientId } from "./cognito.js";
import { t } from "./i18n.js";

const STORE_KEY = "motcua.session";
const ENDED_KEY = "motcua.session_ended";
const STAFF_GROUPS = ["officer", "leader", "specialist", "admin"];
// Renew the ID token when less than this is left of it: an API call never leaves with one about to expire.
export const REFRESH_MARGIN_MS = 2 * 60 * 1000;
// The timer never spins: at least this long between two tries.
const MIN_WAIT_MS = 5000;

let refreshing = null;
let timer = null;

function emit() {
  window.dispatchEvent(new CustomEvent("motcua:session", { detail: session() }));
}

// The JWT's payload is base64url JSON (UTF-8: names carry Vietnamese letters).
export function decodeJwt(token) {
  const part = String(token).split(".")[1] || "";
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function read() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
  } catch {
    return null;
  }
}

function store(s) {
  sessionStorage.setItem(STORE_KEY, JSON.stringify(s));
}

// {username, name, groups, idToken, expiresAt (ms since epoch), provider, refreshToken?, clientId?} or null when
// signed out. A pool's session whose ID token has expired is still one while it holds a refresh token: the next
// API call (freshSession) renews the token or ends the session.
export function session() {
  const s = read();
  if (!s || !s.idToken) return null;
  if (s.expiresAt > Date.now() || s.refreshToken) return s;
  return null;
}

export function isStaff() {
  const s = session();
  return !!s && s.groups.some((g) => STAFF_GROUPS.includes(g));
}

// Anyone signed in whom no staff group names is a citizen, as the API sees it (docs/identity.md): a self-made
// account has no group at all, nor has a national identity's token.
export function isCitizen() {
  const s = session();
  return !!s && !s.groups.some((g) => STAFF_GROUPS.includes(g));
}

export function hasGroup(group) {
  const s = session();
  return !!s && s.groups.includes(group);
}

// Wrong password and unknown user get the same answer: do not reveal which accounts exist.
export function wrongCredentials(err) {
  if (!["auth.NotAuthorizedException", "auth.UserNotFoundException"].includes(err && err.code)) return err;
  return new ApiError({
    status: err.status,
    code: "auth.wrong_credentials",
    title: t("auth.wrong_credentials"),
    detail: t("auth.wrong_credentials_detail"),
    errors: [{ field: "password", code: "auth.wrong_credentials", message: t("auth.wrong_credentials") }],
  });
}

// Citizens' sign-in (their pool). Staff sign in through staff-auth.js.
export async function signIn(username, password) {
  let body;
  try {
    body = await cognitoCall("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: username, PASSWORD: password } });
  } catch (err) {
    throw wrongCredentials(err);
  }
  if (!(body.AuthenticationResult && body.AuthenticationResult.IdToken)) {
    // A challenge (e.g. a new password required) cannot be answered here.
    throw new ApiError({ status: 400, code: "auth.challenge", title: t("auth.challenge"), detail: body.ChallengeName || "" });
  }
  return signedIn(body.AuthenticationResult, { username });
}

// Tokens a pool handed out (its AuthenticationResult) become the tab's session, with the platform's roles.
export function signedIn(result, { username = "", clientId } = {}) {
  const started = startSession(result.IdToken, { provider: "pool", username, refreshToken: result.RefreshToken, clientId });
  return withPlatformRoles(started);
}

// What the caller may do is the platform's staff directory's, not the token's groups (docs/identity.md): GET /me
// gives the roles the pages are shown by. Without an answer the token's groups stand (the API decides anyway).
export async function withPlatformRoles(s) {
  const base = ((window.MOTCUA_CONFIG || {}).apiUrl || "").replace(/\/+$/, "");
  try {
    const res = await fetch(`${base}/me`, { headers: { Authorization: `Bearer ${s.idToken}`, Accept: "application/json" } });
    if (!res.ok) return s;
    const me = await res.json();
    const updated = { ...s, groups: Array.isArray(me.roles) ? me.roles : s.groups, name: me.name || s.name };
    store(updated);
    emit();
    return updated;
  } catch {
    return s;
  }
}

// Keeps an ID token as the tab's session, whoever issued it: a user pool (`provider: "pool"`, with its refresh
// token and the app client it was issued to, citizens' by default) or the national identity (`provider:
// "national"`, no groups: its holders are citizens; no refresh). The API checks the token itself.
export function startSession(idToken, { provider = "pool", username = "", refreshToken, clientId } = {}) {
  const claims = decodeJwt(idToken);
  const national = provider === "national";
  const name = national ? claims.name || claims.citizen_id || claims.sub : claims.name || claims["cognito:username"] || username;
  const s = {
    username: national ? `vneid:${claims.citizen_id || claims.sub}` : claims["cognito:username"] || username,
    name,
    groups: national ? [] : claims["cognito:groups"] || [],
    idToken,
    expiresAt: Number(claims.exp) * 1000,
    provider,
  };
  if (!national && refreshToken) Object.assign(s, { refreshToken, clientId: clientId || (window.MOTCUA_CONFIG || {}).userPoolClientId });
  sessionStorage.removeItem(ENDED_KEY);
  store(s);
  schedule();
  emit();
  return s;
}

// True when the session was made in the staff pool (its sign-in page is #/staff/sign-in).
export function isStaffPoolSession(s = read()) {
  return !!s && !!s.clientId && s.clientId === staffClientId();
}

// The session with an ID token good for more than REFRESH_MARGIN_MS, renewed through its pool (REFRESH_TOKEN_AUTH
// with the app client the session was made with) when nearer its end; one renewal at a time. Null when signed out,
// or when the pool refused the renewal: the session has ended (takeSessionEnd() says so to the sign-in page).
export async function freshSession() {
  const s = session();
  if (!s || !s.refreshToken || s.expiresAt - Date.now() > REFRESH_MARGIN_MS) return s;
  if (!refreshing) refreshing = renew(s).finally(() => (refreshing = null));
  return refreshing;
}

async function renew(s) {
  let result;
  try {
    const body = await cognitoCall("InitiateAuth", { AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: s.refreshToken } }, { clientId: s.clientId });
    result = body.AuthenticationResult || {};
  } catch (err) {
    // The pool out of reach or busy: the token in hand serves while it lasts (the API judges it), and the timer
    // tries again. Any other refusal (the refresh token expired or revoked) ends the session.
    if (transient(err)) {
      schedule();
      return s;
    }
    result = {};
  }
  const current = read();
  // Signed out, or someone else signed in, while the renewal was on its way: leave their session alone.
  if (!current || current.refreshToken !== s.refreshToken) return session();
  if (!result.IdToken) {
    endSession("expired");
    return null;
  }
  const renewed = { ...current, idToken: result.IdToken, expiresAt: Number(decodeJwt(result.IdToken).exp) * 1000, refreshToken: result.RefreshToken || current.refreshToken };
  store(renewed);
  schedule();
  return renewed;
}

const TRANSIENT = new Set(["network", "auth.TooManyRequestsException", "auth.LimitExceededException", "auth.InternalErrorException"]);

function transient(err) {
  return err instanceof ApiError && (TRANSIENT.has(err.code) || err.status >= 500);
}

// A timer renews the token shortly before the margin, so the session lives on between API calls too.
function schedule() {
  clearTimeout(timer);
  timer = null;
  const s = read();
  if (!s || !s.refreshToken) return;
  const wait = Math.max(s.expiresAt - REFRESH_MARGIN_MS - Date.now() - 1000, MIN_WAIT_MS);
  timer = setTimeout(() => freshSession().finally(schedule), wait);
}

// The session is over without the user signing out (its renewal refused): signed out, the reason kept for the
// sign-in page, and `motcua:session-ended` fired ({reason, staff}) so the app can take the user there.
function endSession(reason) {
  const staff = isStaffPoolSession();
  signOut();
  sessionStorage.setItem(ENDED_KEY, reason);
  window.dispatchEvent(new CustomEvent("motcua:session-ended", { detail: { reason, staff } }));
}

// True from the end of a session by itself until the sign-in page has said so (takeSessionEnd).
export function sessionEnded() {
  return sessionStorage.getItem(ENDED_KEY) !== null;
}

// Why the last session ended by itself ("expired"), once, or null.
export function takeSessionEnd() {
  const reason = sessionStorage.getItem(ENDED_KEY);
  sessionStorage.removeItem(ENDED_KEY);
  return reason;
}

export function signOut() {
  const had = read() !== null;
  sessionStorage.removeItem(STORE_KEY);
  sessionStorage.removeItem(ENDED_KEY);
  clearTimeout(timer);
  timer = null;
  if (had) emit();
}

// A session kept from before a reload renews itself as well.
schedule();
