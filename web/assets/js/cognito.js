// The user pool's public API (the one a browser may call without credentials): one JSON call per operation.
import { ApiError } from "./api.js";
import { t } from "./i18n.js";

function config() {
  return window.MOTCUA_CONFIG || {};
}

export function clientId() {
  return config().userPoolClientId;
}

// A refused call is thrown as an ApiError whose `code` is "auth.<Cognito's exception name>" (e.g.
// "auth.UsernameExistsException") and whose `detail` is Cognito's own (English) message; callers turn the
// codes they expect into words of their own.
export async function cognitoCall(operation, body) {
  let res;
  try {
    res = await fetch(`${(config().cognitoUrl || "").replace(/\/+$/, "")}/`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify({ ClientId: clientId(), ...body }),
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
