// The session: sign-in against the user pool's public API (InitiateAuth, USER_PASSWORD_AUTH), or an ID token of the
// national identity (national.js); tokens live in sessionStorage only.
import { ApiError } from "./api.js";
import { cognitoCall } from "./cognito.js";
import { t } from "./i18n.js";

const STORE_KEY = "motcua.session";
const STAFF_GROUPS = ["officer", "leader", "specialist", "admin"];

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

// {username, name, groups, idToken, expiresAt (ms since epoch), provider} or null when signed out or expired.
export function session() {
  const s = read();
  if (!s || !s.idToken || !(s.expiresAt > Date.now())) return null;
  return s;
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

export async function signIn(username, password) {
  let body;
  try {
    body = await cognitoCall("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: username, PASSWORD: password } });
  } catch (err) {
    // Wrong password and unknown user get the same answer: do not reveal which accounts exist.
    if (["auth.NotAuthorizedException", "auth.UserNotFoundException"].includes(err.code)) {
      throw new ApiError({
        status: err.status,
        code: "auth.wrong_credentials",
        title: t("auth.wrong_credentials"),
        detail: t("auth.wrong_credentials_detail"),
        errors: [{ field: "password", code: "auth.wrong_credentials", message: t("auth.wrong_credentials") }],
      });
    }
    throw err;
  }
  const idToken = body.AuthenticationResult && body.AuthenticationResult.IdToken;
  if (!idToken) {
    // A challenge (e.g. a new password required) cannot be answered here.
    throw new ApiError({ status: 400, code: "auth.challenge", title: t("auth.challenge"), detail: body.ChallengeName || "" });
  }
  const started = startSession(idToken, { provider: "pool", username });
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
    sessionStorage.setItem(STORE_KEY, JSON.stringify(updated));
    emit();
    return updated;
  } catch {
    return s;
  }
}

// Keeps an ID token as the tab's session, whoever issued it: the user pool (`provider: "pool"`) or the national
// identity (`provider: "national"`, no groups: its holders are citizens). The API checks the token itself.
export function startSession(idToken, { provider = "pool", username = "" } = {}) {
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
  sessionStorage.setItem(STORE_KEY, JSON.stringify(s));
  emit();
  return s;
}

export function signOut() {
  const had = read() !== null;
  sessionStorage.removeItem(STORE_KEY);
  if (had) emit();
}
