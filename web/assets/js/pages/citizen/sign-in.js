// #/sign-in: citizens' username and password against their user pool, or the national identity; then back where the
// user was (`next`) or to their start. Citizens without an account are offered #/sign-up; staff are sent to their
// own sign-in, #/staff/sign-in (pages/desk/sign-in.js: another pool, with a TOTP code).
import { ApiError } from "../../api.js";
import { signIn, session, isStaff, isCitizen, takeSessionEnd } from "../../auth.js";
import { rememberPending } from "../../accounts.js";
import { nationalConfigured, startNationalSignIn, takeNationalError } from "../../national.js";
import { t } from "../../i18n.js";
import { go } from "../../router.js";
import { h, page, errorSummary, clearErrors, fieldId, link, notice, busy } from "../../ui.js";
import { localErrors } from "./common.js";

export function landing() {
  if (isStaff()) return "/desk";
  if (isCitizen()) return "/my/dossiers";
  return "/";
}

// Only a path of this client: "/my/new/1.001978", never another site nor the sign-in or sign-up pages themselves.
export function safeNext(next) {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//")) return null;
  if (/^\/(staff\/)?sign-(in|up)([/?]|$)/.test(next)) return null;
  return next;
}

// "?next=..." to carry the way back on to another sign-in step, or "".
export function nextQuery(next, joiner = "?") {
  return next ? `${joiner}next=${encodeURIComponent(next)}` : "";
}

// The national identity's button, for citizens: off to the provider; an error (the provider unreachable) stays here.
function nationalSection(next) {
  if (!nationalConfigured()) return null;
  const start = h("button", { type: "button", class: "govuk-button govuk-button--secondary", id: "national-sign-in", onClick }, t("auth.national.button"));
  async function onClick() {
    clearErrors();
    try {
      await busy(startNationalSignIn(next || ""), { button: start });
    } catch (err) {
      errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("auth.national.failed") }));
    }
  }
  return h("section", { class: "app-section", "aria-labelledby": "national-title" }, h("h2", { class: "govuk-heading-m", id: "national-title" }, t("auth.national.title")), h("p", { class: "govuk-body" }, t("auth.national.intro")), start);
}

// Staff sign in elsewhere (their own pool, a TOTP code): a clearly separate way, after everything for citizens.
function staffSection(next) {
  return h(
    "section",
    { class: "app-section", "aria-labelledby": "staff-title" },
    h("h2", { class: "govuk-heading-m", id: "staff-title" }, t("auth.staff.link_title")),
    h("p", { class: "govuk-body" }, t("auth.staff.link_intro")),
    h("p", { class: "govuk-body" }, link(`#/staff/sign-in${nextQuery(next)}`, t("auth.staff.link"), { id: "staff-sign-in" })),
  );
}

export function signInPage(params, query) {
  const next = safeNext(query.next);
  const s = session();
  const user = h("input", {
    class: "govuk-input govuk-input--width-20",
    id: fieldId("username"),
    name: "username",
    autocomplete: "username",
    spellcheck: "false",
    autocapitalize: "none",
    "aria-describedby": `${fieldId("username")}-hint`,
  });
  user.value = query.username || "";
  const pass = h("input", {
    class: "govuk-input govuk-input--width-20",
    id: fieldId("password"),
    name: "password",
    type: "password",
    autocomplete: "current-password",
  });
  const submit = h("button", { type: "submit", class: "govuk-button" }, t("auth.sign_in_button"));
  const form = h(
    "form",
    { novalidate: true, onSubmit },
    h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label", for: user.id }, t("auth.username")), h("div", { class: "govuk-hint", id: `${user.id}-hint` }, t("auth.username_hint")), user),
    h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label", for: pass.id }, t("auth.password")), pass),
    submit,
  );

  async function onSubmit(ev) {
    ev.preventDefault();
    clearErrors();
    const errors = [];
    if (!user.value.trim()) errors.push({ field: "username", message: t("auth.username_required") });
    if (!pass.value) errors.push({ field: "password", message: t("auth.password_required") });
    if (errors.length) {
      errorSummary(localErrors(errors));
      return;
    }
    submit.disabled = true;
    try {
      await signIn(user.value.trim(), pass.value);
      go(next || landing());
    } catch (err) {
      if (err instanceof ApiError && err.code === "auth.UserNotConfirmedException") {
        // Made but never verified: the code step, which signs them in once the code is accepted.
        rememberPending(user.value.trim(), pass.value, next);
        go(`/sign-up/verify?email=${encodeURIComponent(user.value.trim())}&unconfirmed=1${nextQuery(next, "&")}`);
        return;
      }
      pass.value = "";
      errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("auth.failed") }));
    } finally {
      submit.disabled = false;
    }
  }

  const ended = takeSessionEnd();
  page(
    t("nav.sign_in"),
    ended ? notice(t("auth.session_ended")) : null,
    s ? notice(t("citizen.sign_in.already", { name: s.name })) : null,
    s ? h("p", { class: "govuk-body" }, link(`#${next || landing()}`, t("citizen.sign_in.continue"))) : null,
    !s && query.verified ? notice(t("auth.verify.done_sign_in"), "success") : null,
    next && !s ? h("p", { class: "govuk-body" }, t("citizen.sign_in.needed")) : null,
    h("p", { class: "govuk-body" }, t("auth.sign_in_intro")),
    form,
    nationalSection(next),
    h(
      "section",
      { class: "app-section", "aria-labelledby": "sign-up-title" },
      h("h2", { class: "govuk-heading-m", id: "sign-up-title" }, t("auth.sign_up.no_account")),
      h("p", { class: "govuk-body" }, link(`#/sign-up${nextQuery(next)}`, t("auth.sign_up.link"))),
    ),
    staffSection(next),
  );
  // The way back from the national identity ended in a refusal: say so here, where the citizen can try again.
  const refused = takeNationalError();
  if (refused) errorSummary(refused);
}
