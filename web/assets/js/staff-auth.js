// Staff sign in to a pool of their own (docs/identity.md "Staff sign-in"): a password, then a code from an
// authenticator app (TOTP) at every sign-in. The pool answers InitiateAuth with challenges, each answered with the
// Session it gave: NEW_PASSWORD_REQUIRED (an invited member's first sign-in), MFA_SETUP (no authenticator yet:
// AssociateSoftwareToken, VerifySoftwareToken, then the challenge answered), SOFTWARE_TOKEN_MFA (the code).
// Every function returns the next step: {challenge, username, session, ...} or {done: true, session: <the tab's
// session>}. The pool's Session lives a few minutes; a step refused for it is an ApiError coded "auth.restart".
import { ApiError } from "./api.js";
import { signedIn, wrongCredentials } from "./auth.js";
import { cognitoCall, staffClientId } from "./cognito.js";
import { t } from "./i18n.js";

// infra/resources.yaml StaffUserPool Policies.PasswordPolicy (stricter than the citizens').
export const STAFF_PASSWORD_POLICY = { minLength: 12, lowercase: true, uppercase: true, numbers: true, symbols: false };
// What the authenticator app shows the account as: "MotCua (officer.hanoi)".
export const TOTP_ISSUER = "MotCua";
export const CHALLENGES = ["NEW_PASSWORD_REQUIRED", "MFA_SETUP", "SOFTWARE_TOKEN_MFA"];

// Cognito's refusals of a step, as the field they concern and the words to say ([field, key]); a wrong code is
// CodeMismatchException (EnableSoftwareTokenMFAException when a set-up's first code is wrong in AWS).
const FIELD_ERRORS = {
  "auth.CodeMismatchException": ["code", "auth.staff.code_wrong"],
  "auth.EnableSoftwareTokenMFAException": ["code", "auth.staff.code_wrong"],
  "auth.ExpiredCodeException": ["code", "auth.staff.code_used"],
  "auth.InvalidPasswordException": ["new_password", "auth.staff.password_refused"],
};
// The step's Session is gone (expired, spent, unknown): the sign-in starts again.
const RESTART = new Set(["auth.NotAuthorizedException", "auth.ResourceNotFoundException", "auth.ExpiredTokenException"]);
const GENERAL = {
  "auth.TooManyFailedAttemptsException": "auth.staff.too_many",
  "auth.LimitExceededException": "auth.too_many_requests",
  "auth.TooManyRequestsException": "auth.too_many_requests",
};

export function explainStep(err) {
  if (!(err instanceof ApiError)) return err;
  const field = FIELD_ERRORS[err.code];
  if (field) {
    const message = t(field[1], { n: STAFF_PASSWORD_POLICY.minLength });
    return new ApiError({ status: 400, code: err.code, title: t("ui.error_summary_title"), errors: [{ field: field[0], code: err.code, message }] });
  }
  if (RESTART.has(err.code)) return new ApiError({ status: 401, code: "auth.restart", title: t("auth.staff.restart"), detail: t("auth.staff.restart_detail") });
  const general = GENERAL[err.code];
  if (general) return new ApiError({ status: err.status, code: err.code, title: t(general), detail: t(`${general}_detail`) });
  return err;
}

async function call(operation, body) {
  try {
    return await cognitoCall(operation, body, { clientId: staffClientId() });
  } catch (err) {
    throw explainStep(err);
  }
}

// The pool's answer as the next step: tokens (the session starts) or a challenge this client answers.
async function next(answer, username) {
  const result = answer.AuthenticationResult;
  if (result && result.IdToken) return { done: true, session: await signedIn(result, { username, clientId: staffClientId() }) };
  const challenge = answer.ChallengeName;
  if (!CHALLENGES.includes(challenge)) {
    throw new ApiError({ status: 400, code: "auth.challenge", title: t("auth.challenge"), detail: challenge || "" });
  }
  const params = answer.ChallengeParameters || {};
  // The pool's own name for the account (USER_ID_FOR_SRP) answers its challenges; what was typed otherwise.
  return { challenge, username: params.USER_ID_FOR_SRP || params.USERNAME || username, session: answer.Session, at: Date.now() };
}

export function staffSignInConfigured() {
  return !!staffClientId();
}

export async function startStaffSignIn(username, password) {
  let answer;
  try {
    answer = await cognitoCall("InitiateAuth", { AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: username, PASSWORD: password } }, { clientId: staffClientId() });
  } catch (err) {
    throw explainStep(wrongCredentials(err));
  }
  return next(answer, username);
}

// NEW_PASSWORD_REQUIRED: the password the member chose replaces the one the administrator's invitation gave.
export async function chooseNewPassword(step, newPassword) {
  const answer = await call("RespondToAuthChallenge", {
    ChallengeName: "NEW_PASSWORD_REQUIRED",
    Session: step.session,
    ChallengeResponses: { USERNAME: step.username, NEW_PASSWORD: newPassword },
  });
  return next(answer, step.username);
}

// MFA_SETUP, first half: the pool makes the authenticator's secret. The step gains `secret` and `uri` (the
// otpauth:// address an authenticator app opens) and the Session to verify with.
export async function beginTotpSetup(step) {
  const answer = await call("AssociateSoftwareToken", { Session: step.session });
  return { ...step, secret: answer.SecretCode, uri: otpauthUri(step.username, answer.SecretCode), session: answer.Session || step.session };
}

// MFA_SETUP, second half: the app's first code proves it holds the secret; then the challenge is answered with the
// Session the verification gave (the one before it is spent).
export async function finishTotpSetup(step, code) {
  const verified = await call("VerifySoftwareToken", { Session: step.session, UserCode: code, FriendlyDeviceName: TOTP_ISSUER });
  const session = verified.Session || step.session;
  const answer = await call("RespondToAuthChallenge", { ChallengeName: "MFA_SETUP", Session: session, ChallengeResponses: { USERNAME: step.username } });
  return next(answer, step.username);
}

// SOFTWARE_TOKEN_MFA: the code the app shows now. A wrong one leaves the step as it was, to try again.
export async function answerTotp(step, code) {
  const answer = await call("RespondToAuthChallenge", {
    ChallengeName: "SOFTWARE_TOKEN_MFA",
    Session: step.session,
    ChallengeResponses: { USERNAME: step.username, SOFTWARE_TOKEN_MFA_CODE: code },
  });
  return next(answer, step.username);
}

// A base32 secret as authenticator apps expect it: no spaces, capitals (base32 ignores case; capitals read better).
function base32(secret) {
  return String(secret || "").replace(/\s+/g, "").toUpperCase();
}

// "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP": easier to copy by eye into an app.
export function groupSecret(secret) {
  return base32(secret).match(/.{1,4}/g)?.join(" ") || "";
}

// otpauth://totp/MotCua:<username>?secret=...&issuer=MotCua, which an authenticator app opens.
export function otpauthUri(username, secret) {
  const label = encodeURIComponent(`${TOTP_ISSUER}:${username}`).replace(/%3A/g, ":");
  return `otpauth://totp/${label}?secret=${encodeURIComponent(base32(secret))}&issuer=${encodeURIComponent(TOTP_ISSUER)}`;
}

// What was typed as a code, without spaces ("123 456" is how some apps show it); null when not six digits.
export function cleanCode(value) {
  const code = String(value || "").replace(/[\s-]/g, "");
  return /^\d{6}$/.test(code) ? code : null;
}
