// The user pools' public API (the one a browser may call without credentials): one JSON call per operation.
// Two pools, two app clients: citizens' (`userPoolClientId`) and staff's (`staffPoolClientId`, TOTP required).
import { ApiError } from "./api.js";
import { t } from "./i18n.js";

function config() {
  return window.MOTCUA_CONFIG || {};
}

// The citizens' app client.
export function clientId() {
  return config().userPoolClientId;
}

// The staff pool's app client, or undefined where the config names none.
export function staffClientId() {
  return config().staffPoolClientId;
}

// These take a Session or an access token, never a client id (the pool may refuse a parameter it does not know).
const WITHOUT_CLIENT = new Set(["AssociateSoftwareToken", "VerifySoftwareToken"]);

// cognitoCall(operation, body, {clientId}): the app client is the citizens' unless one is given (the staff pool's,
// or the one a session was made with). A refused call is thrown as an ApiError whose `code` is
// "auth.<Cognito's exception name>" (e.g. "auth.UsernameExistsException") and whose `detail` is Cognito's own
// (English) message; callers turn the codes they expect into words of their own.
export async function cognitoCall(operation, body, { clientId: client } = {}) {
  const payload = WITHOUT_CLIENT.has(operation) ? { ...body } : { ClientId: client || clientId(), ...body };
  let res;
  try {
    res = await fetch(`${(config().cognitoUrl || "").replace(/\/+$/, "")}/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(payload),
    });
  } catch {
    throw new ApiError({ status: 0, code: "network", title: t("error.network"), detail: t("error.network_detail") });
  }
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) {
    const type = String(answer.__type || res.headers.get("X-Amzn-ErrorType") || "").split("#").pop().split(":")[0];
    throw new ApiError({ status: res.status, code: `auth.${type || "failed"}`, title: t("auth.failed"), detail: answer.message || "" });
  }
  return answer;
}
