// Citizens make their own account in the user pool (docs/identity.md): SignUp, ConfirmSignUp with the code the pool
// emails, ResendConfirmationCode; then auth.signIn. Cognito's refusals become errors at the field they concern.
import { ApiError } from "./api.js";
import { cognitoCall } from "./cognito.js";
import { t } from "./i18n.js";

// The pool's password policy (infra/resources.yaml UserPool Policies.PasswordPolicy): checked here first so the
// citizen hears every rule at once, in their language; the pool checks it again.
export const PASSWORD_POLICY = { minLength: 10, lowercase: true, uppercase: true, numbers: true, symbols: false };

// What the password lacks, in one sentence ("The password needs at least 10 characters, a number"), or null.
// `policy`: the citizens' pool's by default; the staff pool has its own (staff-auth.js).
export function passwordProblem(password, policy = PASSWORD_POLICY) {
  const p = String(password || "");
  const missing = [];
  if (p.length < policy.minLength) missing.push("auth.password_rule.length");
  if (policy.lowercase && !/[a-z]/.test(p)) missing.push("auth.password_rule.lowercase");
  if (policy.uppercase && !/[A-Z]/.test(p)) missing.push("auth.password_rule.uppercase");
  if (policy.numbers && !/[0-9]/.test(p)) missing.push("auth.password_rule.number");
  if (!missing.length) return null;
  return t("auth.password_rule.missing", { rules: missing.map((key) => t(key, { n: policy.minLength })).join(", ") });
}

export function passwordHint(policy = PASSWORD_POLICY) {
  return t("auth.password_rule.hint", { n: policy.minLength });
}

// The username is the email, in lower case (the pool compares usernames without case anyway).
export function usernameFor(email) {
  return String(email || "").trim().toLowerCase();
}

// Which field a Cognito refusal is about, and what to tell the citizen; null leaves the refusal as it came.
const FIELD_ERRORS = {
  "auth.UsernameExistsException": ["email", "auth.sign_up.email_taken"],
  "auth.AliasExistsException": ["email", "auth.sign_up.email_taken"],
  "auth.InvalidPasswordException": ["password", "auth.sign_up.password_refused"],
  "auth.CodeMismatchException": ["code", "auth.verify.code_wrong"],
  "auth.ExpiredCodeException": ["code", "auth.verify.code_expired"],
  "auth.TooManyFailedAttemptsException": ["code", "auth.verify.too_many"],
  "auth.UserNotFoundException": ["email", "auth.verify.no_account"],
  "auth.CodeDeliveryFailureException": ["email", "auth.sign_up.delivery_failed"],
};
const GENERAL_ERRORS = {
  "auth.LimitExceededException": "auth.too_many_requests",
  "auth.TooManyRequestsException": "auth.too_many_requests",
};

// InvalidParameterException names the parameter only in its English message: "Invalid email address format."
function parameterField(detail) {
  const text = String(detail || "").toLowerCase();
  if (text.includes("password")) return "password";
  if (text.includes("email") || text.includes("username")) return "email";
  if (text.includes("name")) return "name";
  return null;
}

export function explain(err) {
  if (!(err instanceof ApiError)) return err;
  let [field, key] = FIELD_ERRORS[err.code] || [null, null];
  if (!field && err.code === "auth.InvalidParameterException") {
    field = parameterField(err.detail);
    key = field ? `auth.sign_up.invalid_${field}` : null;
  }
  if (field) {
    const message = t(key, { n: PASSWORD_POLICY.minLength });
    return new ApiError({ status: 400, code: err.code, title: t("ui.error_summary_title"), errors: [{ field, code: err.code, message }] });
  }
  const general = GENERAL_ERRORS[err.code];
  if (general) return new ApiError({ status: err.status, code: err.code, title: t(general), detail: t(`${general}_detail`) });
  return err;
}

async function call(operation, body) {
  try {
    return await cognitoCall(operation, body);
  } catch (err) {
    throw explain(err);
  }
}

// Returns {confirmed, destination}: whether the pool confirmed the account at once, and where the code went
// (the pool's masked address, e.g. "l***@e***").
export async function signUp({ email, name, password, locale }) {
  const username = usernameFor(email);
  const answer = await call("SignUp", {
    Username: username,
    Password: password,
    UserAttributes: [
      { Name: "email", Value: username },
      { Name: "name", Value: String(name || "").trim() },
      { Name: "locale", Value: locale || "vi" },
    ],
  });
  const delivery = answer.CodeDeliveryDetails || {};
  return { username, confirmed: !!answer.UserConfirmed, destination: delivery.Destination || username };
}

// True once confirmed; an account confirmed already counts as confirmed.
export async function confirmSignUp(email, code) {
  try {
    await call("ConfirmSignUp", { Username: usernameFor(email), ConfirmationCode: String(code || "").trim() });
  } catch (err) {
    if (err.code === "auth.NotAuthorizedException" && /confirmed/i.test(err.detail || "")) return true;
    throw err;
  }
  return true;
}

export async function resendCode(email) {
  const answer = await call("ResendConfirmationCode", { Username: usernameFor(email) });
  const delivery = answer.CodeDeliveryDetails || {};
  return { destination: delivery.Destination || usernameFor(email) };
}

// The password of an account being made, kept in this page's memory only (never in storage) so that the
// citizen is signed in as soon as the code is accepted; a reload forgets it and they sign in themselves.
let pending = null;

export function rememberPending(username, password, next, destination) {
  pending = { username: usernameFor(username), password, next: next || "", destination: destination || "" };
}

export function pendingFor(username) {
  return pending && pending.username === usernameFor(username) ? pending : null;
}

export function forgetPending() {
  pending = null;
}
