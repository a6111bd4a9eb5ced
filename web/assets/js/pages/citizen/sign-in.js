// #/sign-in: username and password against the user pool; then back where the user was (`next`) or to their start.
import { ApiError } from "../../api.js";
import { signIn, session, isStaff, isCitizen } from "../../auth.js";
import { t } from "../../i18n.js";
import { go } from "../../router.js";
import { h, page, errorSummary, clearErrors, fieldId, link, notice } from "../../ui.js";
import { localErrors } from "./common.js";

function landing() {
  if (isStaff()) return "/desk";
  if (isCitizen()) return "/my/dossiers";
  return "/";
}

// Only a path of this client: "/my/new/1.001978", never another site nor the sign-in page itself.
function safeNext(next) {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//")) return null;
  if (next === "/sign-in" || next.startsWith("/sign-in?")) return null;
  return next;
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
  });
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
    h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label", for: user.id }, t("auth.username")), user),
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
      pass.value = "";
      errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("auth.failed") }));
    } finally {
      submit.disabled = false;
    }
  }

  page(
    t("nav.sign_in"),
    s ? notice(t("citizen.sign_in.already", { name: s.name })) : null,
    s ? h("p", { class: "govuk-body" }, link(`#${next || landing()}`, t("citizen.sign_in.continue"))) : null,
    next && !s ? h("p", { class: "govuk-body" }, t("citizen.sign_in.needed")) : null,
    h("p", { class: "govuk-body" }, t("auth.sign_in_intro")),
    form,
  );
}
