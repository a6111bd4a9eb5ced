// Sign-in against the user pool's public API (InitiateAuth, USER_PASSWORD_AUTH); tokens live in sessionStorage only.
import { ApiError } from "./api.js";
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

// {username, name, groups, idToken, expiresAt (ms since epoch)} or null when signed out or expired.
export function session() {
  const s = read();
  if (!s || !s.idToken || !(s.expiresAt > Date.now())) return null;
  return s;
}

export function isStaff() {
  const s = session();
  return !!s && s.groups.some((g) => STAFF_GROUPS.includes(g));
}

export function isCitizen() {
  const s = session();
  return !!s && s.groups.includes("citizen");
}

export function hasGroup(group) {
  const s = session();
  return !!s && s.groups.includes(group);
}

export async function signIn(username, password) {
  const config = window.MOTCUA_CONFIG || {};
  let res;
  try {
    res = await fetch(`${(config.cognitoUrl || "").replace(/\/+$/, "")}/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
      },
      body: JSON.stringify({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: config.userPoolClientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    });
  } catch {
    throw new ApiError({ status: 0, code: "network", title: t("error.network"), detail: t("error.network_detail") });
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const type = String(body.__type || "").split("#").pop();
    // Wrong password and unknown user get the same answer: do not reveal which accounts exist.
    const known = ["NotAuthorizedException", "UserNotFoundException"].includes(type);
    throw new ApiError({
      status: res.status,
      code: known ? "auth.wrong_credentials" : `auth.${type || "failed"}`,
      title: known ? t("auth.wrong_credentials") : t("auth.failed"),
      detail: known ? t("auth.wrong_credentials_detail") : body.message || "",
      errors: known ? [{ field: "password", code: "auth.wrong_credentials", message: t("auth.wrong_credentials") }] : [],
    });
  }
  const idToken = body.AuthenticationResult && body.AuthenticationResult.IdToken;
  if (!idToken) {
    // A challenge (e.g. a new password required) cannot be answered here.
    throw new ApiError({ status: 400, code: "auth.challenge", title: t("auth.challenge"), detail: body.ChallengeName || "" });
  }
  const claims = decodeJwt(idToken);
  const s = {
    username: claims["cognito:username"] || username,
    name: claims.name || claims["cognito:username"] || username,
    groups: claims["cognito:groups"] || [],
    idToken,
    expiresAt: Number(claims.exp) * 1000,
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
