// #/sign-up (email, full name, password) and #/sign-up/verify?email= (the code the user pool emails): a citizen
// makes their own account, no administrator involved, and is signed in as soon as the code is accepted.
import { ApiError } from "../../api.js";
import { signIn, session } from "../../auth.js";
import { confirmSignUp, forgetPending, passwordHint, passwordProblem, pendingFor, rememberPending, resendCode, signUp, usernameFor } from "../../accounts.js";
import { t, lang } from "../../i18n.js";
import { go } from "../../router.js";
import { h, page, errorSummary, clearErrors, fieldId, link, notice, busy, button } from "../../ui.js";
import { localErrors, textField } from "./common.js";
import { landing, nextQuery, safeNext } from "./sign-in.js";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function alreadySignedIn(title, next) {
  const s = session();
  if (!s) return false;
  page(title, notice(t("citizen.sign_in.already", { name: s.name })), h("p", { class: "govuk-body" }, link(`#${next || landing()}`, t("citizen.sign_in.continue"))));
  return true;
}

function emailProblem(value) {
  if (!value) return t("auth.sign_up.email_required");
  return EMAIL.test(value) ? null : t("auth.sign_up.invalid_email");
}

export function signUpPage(params, query) {
  const next = safeNext(query.next);
  const title = t("auth.sign_up.title");
  if (alreadySignedIn(title, next)) return;
  const email = textField(fieldId("email"), t("auth.sign_up.email"), {
    hint: t("auth.sign_up.email_hint"),
    attrs: { type: "email", autocomplete: "email", spellcheck: "false", autocapitalize: "none", maxlength: 254 },
  });
  const name = textField(fieldId("name"), t("auth.sign_up.name"), { hint: t("auth.sign_up.name_hint"), attrs: { autocomplete: "name", maxlength: 200 } });
  const password = textField(fieldId("password"), t("auth.password"), { hint: passwordHint(), attrs: { type: "password", autocomplete: "new-password", maxlength: 99 } });
  const submit = h("button", { type: "submit", class: "govuk-button" }, t("auth.sign_up.submit"));

  async function onSubmit(ev) {
    ev.preventDefault();
    clearErrors();
    const values = { email: email.input.value.trim(), name: name.input.value.trim(), password: password.input.value };
    const errors = [];
    const wrongEmail = emailProblem(values.email);
    if (wrongEmail) errors.push({ field: "email", message: wrongEmail });
    if (!values.name) errors.push({ field: "name", message: t("auth.sign_up.name_required") });
    const weak = passwordProblem(values.password);
    if (weak) errors.push({ field: "password", message: weak });
    if (errors.length) {
      errorSummary(localErrors(errors));
      return;
    }
    try {
      const made = await busy(signUp({ ...values, locale: lang() }), { button: submit });
      if (made.confirmed) {
        await busy(signIn(made.username, values.password), { button: submit });
        go(next || "/my/dossiers");
        return;
      }
      rememberPending(made.username, values.password, next, made.destination);
      go(`/sign-up/verify?email=${encodeURIComponent(made.username)}${nextQuery(next, "&")}`);
    } catch (err) {
      errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("auth.failed") }));
    }
  }

  page(
    title,
    h("p", { class: "govuk-body" }, t("auth.sign_up.intro")),
    h("p", { class: "govuk-body" }, t("auth.sign_up.have_account"), " ", link(`#/sign-in${nextQuery(next)}`, t("nav.sign_in"))),
    h("form", { novalidate: true, onSubmit }, email.group, name.group, password.group, submit),
  );
}

export function verifyPage(params, query) {
  const next = safeNext(query.next);
  const title = t("auth.verify.title");
  if (alreadySignedIn(title, next)) return;
  const known = usernameFor(query.email);
  const pending = known ? pendingFor(known) : null;
  // Arriving without the address (a later visit): ask for it.
  const email = known ? null : textField(fieldId("email"), t("auth.sign_up.email"), { attrs: { type: "email", autocomplete: "email", spellcheck: "false", autocapitalize: "none", maxlength: 254 } });
  const code = textField(fieldId("code"), t("auth.verify.code"), {
    hint: t("auth.verify.code_hint"),
    attrs: { class: "govuk-input govuk-input--width-10", inputmode: "numeric", autocomplete: "one-time-code", spellcheck: "false", maxlength: 10 },
  });
  const submit = h("button", { type: "submit", class: "govuk-button" }, t("auth.verify.submit"));
  const resend = button(t("auth.verify.resend"), onResend, { secondary: true });
  const status = h("div", { "aria-live": "polite" });
  const address = () => known || usernameFor(email.input.value);

  function addressProblem() {
    const wrong = known ? null : emailProblem(email.input.value.trim());
    return wrong ? { field: "email", message: wrong } : null;
  }

  async function onSubmit(ev) {
    ev.preventDefault();
    clearErrors();
    status.replaceChildren();
    const errors = [addressProblem()].filter(Boolean);
    if (!code.input.value.trim()) errors.push({ field: "code", message: t("auth.verify.code_required") });
    if (errors.length) {
      errorSummary(localErrors(errors));
      return;
    }
    try {
      await busy(confirmSignUp(address(), code.input.value), { button: submit });
      const kept = pendingFor(address());
      if (!kept) {
        go(`/sign-in?verified=1&username=${encodeURIComponent(address())}${nextQuery(next, "&")}`);
        return;
      }
      await busy(signIn(kept.username, kept.password), { button: submit });
      forgetPending();
      go(next || kept.next || "/my/dossiers");
    } catch (err) {
      errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("auth.failed") }));
    }
  }

  async function onResend() {
    clearErrors();
    status.replaceChildren();
    const wrong = addressProblem();
    if (wrong) {
      errorSummary(localErrors([wrong]));
      return;
    }
    try {
      const sent = await busy(resendCode(address()), { button: resend });
      status.replaceChildren(notice(t("auth.verify.resent", { destination: sent.destination }), "success"));
    } catch (err) {
      errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("auth.failed") }));
    }
  }

  const sentTo = pending && pending.destination ? pending.destination : known;
  page(
    title,
    query.unconfirmed ? notice(t("auth.verify.unconfirmed")) : null,
    h("p", { class: "govuk-body" }, sentTo ? t("auth.verify.intro_sent", { destination: sentTo }) : t("auth.verify.intro")),
    status,
    h(
      "form",
      { novalidate: true, onSubmit },
      email ? email.group : null,
      code.group,
      h("div", { class: "govuk-button-group" }, submit, resend),
    ),
    h("p", { class: "govuk-body" }, t("auth.verify.wrong_address"), " ", link(`#/sign-up${nextQuery(next)}`, t("auth.verify.start_again"))),
  );
}
