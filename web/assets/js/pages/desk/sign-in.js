// #/staff/sign-in?next=: staff sign in to their own pool (staff-auth.js) — username and password, then the step
// the pool asks for: a new password (an invited member's first sign-in), setting up an authenticator app, or the
// app's 6-digit code. The steps are drawn in this one page; the step in progress lives in memory only.
import { ApiError } from "../../api.js";
import { session, takeSessionEnd } from "../../auth.js";
import { passwordHint, passwordProblem } from "../../accounts.js";
import { t } from "../../i18n.js";
import { go } from "../../router.js";
import { h, page, errorSummary, clearErrors, fieldId, link, notice, busy, summaryList } from "../../ui.js";
import { localErrors, textField } from "../citizen/common.js";
import { landing, nextQuery, safeNext } from "../citizen/sign-in.js";
import {
  STAFF_PASSWORD_POLICY,
  TOTP_ISSUER,
  answerTotp,
  beginTotpSetup,
  chooseNewPassword,
  cleanCode,
  finishTotpSetup,
  groupSecret,
  staffSignInConfigured,
  startStaffSignIn,
} from "../../staff-auth.js";

// The pool's Session for a step lasts 3 minutes (its AuthSessionValidity): an older step is not shown again.
const STEP_LIFETIME_MS = 3 * 60 * 1000;

let step = null;
let typedUsername = "";

export function staffSignInPage(params, query) {
  const next = safeNext(query.next);
  if (step && Date.now() - step.at > STEP_LIFETIME_MS) step = null;
  if (step) draw(next, false);
  else credentials(next);
}

function title() {
  return t("auth.staff.title");
}

function submitButton(label) {
  return h("button", { type: "submit", class: "govuk-button" }, label);
}

// "Start again": back to the username and password (the pool's Session is dropped).
function startAgain(next) {
  return h("p", { class: "govuk-body" }, h("button", { type: "button", class: "app-link-button", onClick: () => restart(next) }, t("auth.staff.start_again")));
}

function restart(next, why) {
  step = null;
  credentials(next, why);
}

function credentials(next, why) {
  const s = session();
  const ended = takeSessionEnd();
  const user = textField(fieldId("username"), t("auth.username"), {
    hint: t("auth.staff.username_hint"),
    value: typedUsername,
    attrs: { class: "govuk-input govuk-input--width-20", autocomplete: "username", spellcheck: "false", autocapitalize: "none" },
  });
  const pass = textField(fieldId("password"), t("auth.password"), { attrs: { class: "govuk-input govuk-input--width-20", type: "password", autocomplete: "current-password" } });
  const submit = submitButton(t("auth.sign_in_button"));

  async function onSubmit(ev) {
    ev.preventDefault();
    clearErrors();
    const username = user.input.value.trim();
    const errors = [];
    if (!username) errors.push({ field: "username", message: t("auth.username_required") });
    if (!pass.input.value) errors.push({ field: "password", message: t("auth.password_required") });
    if (errors.length) {
      errorSummary(localErrors(errors));
      return;
    }
    typedUsername = username;
    try {
      await advance(busy(startStaffSignIn(username, pass.input.value), { button: submit }), next);
    } catch (err) {
      pass.input.value = "";
      errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("auth.failed") }));
    }
  }

  page(
    title(),
    ended ? notice(t("auth.session_ended")) : null,
    s ? notice(t("citizen.sign_in.already", { name: s.name })) : null,
    s ? h("p", { class: "govuk-body" }, link(`#${next || landing()}`, t("citizen.sign_in.continue"))) : null,
    h("p", { class: "govuk-body" }, t("auth.staff.intro")),
    staffSignInConfigured()
      ? h("form", { novalidate: true, onSubmit }, user.group, pass.group, submit)
      : h("p", { class: "govuk-inset-text" }, t("auth.staff.not_configured")),
    h(
      "section",
      { class: "app-section", "aria-labelledby": "citizens-title" },
      h("h2", { class: "govuk-heading-m", id: "citizens-title" }, t("auth.staff.citizens")),
      h("p", { class: "govuk-body" }, link(`#/sign-in${nextQuery(next)}`, t("auth.staff.citizens_link"))),
    ),
  );
  if (why) errorSummary(why);
}

// Waits for the pool's next answer: the session has started (on to `next` or the desk), or a step to show.
async function advance(promise, next) {
  const answer = await promise;
  if (answer.done) {
    step = null;
    typedUsername = "";
    go(next || landing());
    return;
  }
  step = answer;
  await draw(next, true);
}

// A step's failure: a wrong answer stays on the step (its field says what is wrong); a spent Session starts again.
function failed(err, next, input) {
  if (err instanceof ApiError && err.code === "auth.restart") {
    restart(next, err);
    return;
  }
  if (input) input.value = "";
  errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("auth.failed") }));
}

async function draw(next, focus) {
  let input = null;
  if (step.challenge === "NEW_PASSWORD_REQUIRED") input = newPasswordStep(next);
  else if (step.challenge === "MFA_SETUP") input = await setupStep(next);
  else input = codeStep(next);
  // A new step is news to a screen reader: its first field, labelled, takes the focus.
  if (focus && input) input.focus();
}

function codeField(label) {
  return textField(fieldId("code"), label, {
    hint: t("auth.staff.code.hint"),
    attrs: { class: "govuk-input govuk-input--width-5", inputmode: "numeric", autocomplete: "one-time-code", spellcheck: "false", autocapitalize: "none", maxlength: 7 },
  });
}

// The code as typed, or the local error that it is missing or not six digits (shown, null returned).
function codeOrError(input) {
  const code = cleanCode(input.value);
  if (code) return code;
  const message = input.value.trim() ? t("auth.staff.code_format") : t("auth.staff.code_required");
  errorSummary(localErrors([{ field: "code", message }]));
  return null;
}

function newPasswordStep(next) {
  const hint = passwordHint(STAFF_PASSWORD_POLICY);
  const fresh = textField(fieldId("new_password"), t("auth.staff.new_password.label"), { hint, attrs: { type: "password", autocomplete: "new-password", maxlength: 99 } });
  const again = textField(fieldId("confirm_password"), t("auth.staff.new_password.confirm"), { attrs: { type: "password", autocomplete: "new-password", maxlength: 99 } });
  const submit = submitButton(t("auth.staff.new_password.submit"));

  async function onSubmit(ev) {
    ev.preventDefault();
    clearErrors();
    const value = fresh.input.value;
    const errors = [];
    const weak = value ? passwordProblem(value, STAFF_PASSWORD_POLICY) : t("auth.staff.new_password.required");
    if (weak) errors.push({ field: "new_password", message: weak });
    else if (again.input.value !== value) errors.push({ field: "confirm_password", message: t("auth.staff.new_password.mismatch") });
    if (errors.length) {
      errorSummary(localErrors(errors));
      return;
    }
    try {
      await advance(busy(chooseNewPassword(step, value), { button: submit }), next);
    } catch (err) {
      again.input.value = "";
      failed(err, next, null);
    }
  }

  page(
    t("auth.staff.new_password.title"),
    h("p", { class: "govuk-body" }, t("auth.staff.new_password.intro")),
    h("form", { novalidate: true, onSubmit }, fresh.group, again.group, submit),
    startAgain(next),
  );
  return fresh.input;
}

async function setupStep(next) {
  if (!step.secret) {
    page(t("auth.staff.setup.title"), h("p", { class: "govuk-body" }, t("auth.staff.setup.preparing")));
    try {
      step = await busy(beginTotpSetup(step));
    } catch (err) {
      failed(err, next, null);
      return null;
    }
  }
  const code = codeForm(t("auth.staff.setup.submit"), finishTotpSetup, next);

  page(
    t("auth.staff.setup.title"),
    h("p", { class: "govuk-body" }, t("auth.staff.setup.intro")),
    h(
      "ol",
      { class: "govuk-list govuk-list--number" },
      h("li", {}, t("auth.staff.setup.step_app")),
      h("li", {}, t("auth.staff.setup.step_key")),
      h("li", {}, t("auth.staff.setup.step_code")),
    ),
    summaryList([
      [t("auth.staff.setup.account"), `${TOTP_ISSUER}: ${step.username}`],
      [t("auth.staff.setup.secret"), h("code", { class: "app-secret", id: "totp-secret" }, groupSecret(step.secret))],
    ]),
    h("p", { class: "govuk-body" }, link(step.uri, t("auth.staff.setup.open_app"), { id: "totp-link" })),
    h("div", { class: "govuk-warning-text" }, h("strong", { class: "govuk-warning-text__text" }, t("auth.staff.setup.keep_secret"))),
    code.form,
    startAgain(next),
  );
  return code.input;
}

// A 6-digit code's form, whose answer (`answer(step, code)`: the set-up's or the sign-in's) moves the sign-in on.
function codeForm(submitLabel, answer, next) {
  const code = codeField(t("auth.staff.code.label"));
  const submit = submitButton(submitLabel);

  async function onSubmit(ev) {
    ev.preventDefault();
    clearErrors();
    const value = codeOrError(code.input);
    if (!value) return;
    try {
      await advance(busy(answer(step, value), { button: submit }), next);
    } catch (err) {
      failed(err, next, code.input);
    }
  }

  return { input: code.input, form: h("form", { novalidate: true, onSubmit }, code.group, submit) };
}

function codeStep(next) {
  const code = codeForm(t("auth.staff.code.submit"), answerTotp, next);

  page(
    t("auth.staff.code.title"),
    h("p", { class: "govuk-body" }, t("auth.staff.code.intro", { username: step.username })),
    code.form,
    startAgain(next),
  );
  return code.input;
}
