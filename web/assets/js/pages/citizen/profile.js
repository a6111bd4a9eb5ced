// #/my/profile: the citizen's own details (GET/PUT /me/profile), which pre-fill their next submission. For an account
// of the national identity the name and citizen ID are the identity's: shown, not editable.
import { api, ApiError } from "../../api.js";
import { t, lang, fmtDateTime } from "../../i18n.js";
import { alive } from "../../router.js";
import { h, page, errorSummary, clearErrors, fieldId, summaryList, notice, loading, busy, link } from "../../ui.js";
import { dateField, radios, requireCitizen, textField } from "./common.js";

export const PROFILE_FIELDS = ["full_name", "citizen_id", "date_of_birth", "phone", "email", "address", "language"];
const FIXED_BY_NATIONAL_IDENTITY = ["full_name", "citizen_id"];

export function loadProfile() {
  return api.get("/me/profile");
}

// What PUT /me/profile takes: every field given (the profile is replaced), empty ones left out; the fields the
// national identity fixes are left out too (the API keeps the identity's).
export function profileBody(values, profile) {
  const out = {};
  for (const name of PROFILE_FIELDS) {
    if (profile && profile.national_identity && FIXED_BY_NATIONAL_IDENTITY.includes(name)) continue;
    const v = typeof values[name] === "string" ? values[name].trim() : values[name];
    if (v !== undefined && v !== null && v !== "") out[name] = v;
  }
  out.language = out.language || (profile && profile.language) || lang();
  return out;
}

// The date boxes send YYYY-MM-DD themselves: the API's word on that format would puzzle the citizen.
export function dateMessages(err, field) {
  if (!(err instanceof ApiError)) return new ApiError({ title: t("error.unexpected"), detail: String(err) });
  const errors = err.errors.map((e) => (e.field === field && e.code === "field.date" ? { ...e, message: t("citizen.applicant.date_of_birth_invalid") } : e));
  return Object.assign(new ApiError(err), { errors });
}

// Saves the details of a submission's person applicant (applicant.* values) on top of the profile they started from.
export function keepApplicant(applicant, profile) {
  const values = { ...(profile || {}) };
  for (const name of ["full_name", "citizen_id", "date_of_birth", "phone", "email", "address"]) values[name] = applicant[name] || null;
  return api.put("/me/profile", profileBody(values, profile));
}

function form(profile, onSaved) {
  const national = !!profile.national_identity;
  const text = (name, label, opts = {}) => textField(fieldId(name), t(label), { ...opts, hint: opts.hint && t(opts.hint), value: profile[name] || "" });
  const fields = {};
  if (!national) {
    fields.full_name = text("full_name", "citizen.applicant.full_name", { attrs: { autocomplete: "name", maxlength: 200 } });
    fields.citizen_id = text("citizen_id", "citizen.applicant.citizen_id", { hint: "citizen.applicant.citizen_id_hint", attrs: { class: "govuk-input govuk-input--width-20", inputmode: "numeric", autocomplete: "off", spellcheck: "false", maxlength: 12 } });
  }
  fields.date_of_birth = dateField("date_of_birth", t("citizen.applicant.date_of_birth"), t("citizen.applicant.date_of_birth_hint"), profile.date_of_birth || "");
  fields.phone = text("phone", "citizen.applicant.phone", { hint: "citizen.applicant.phone_hint", attrs: { class: "govuk-input govuk-input--width-20", type: "tel", autocomplete: "tel", maxlength: 20 } });
  fields.email = text("email", "citizen.applicant.email", { hint: "citizen.applicant.email_hint", attrs: { type: "email", autocomplete: "email", spellcheck: "false", maxlength: 254 } });
  fields.address = text("address", "citizen.applicant.address", { attrs: { autocomplete: "street-address", maxlength: 500 } });
  const language = radios(fieldId("language"), t("profile.language"), [["vi", t("lang.vi")], ["en", t("lang.en")]], { value: profile.language || "vi", hint: t("profile.language_hint") });
  const submit = h("button", { type: "submit", class: "govuk-button" }, t("profile.save"));

  async function onSubmit(ev) {
    ev.preventDefault();
    clearErrors();
    const values = { language: language.value() };
    for (const [name, f] of Object.entries(fields)) values[name] = f.input.value;
    try {
      onSaved(await busy(api.put("/me/profile", profileBody(values, profile)), { button: submit }));
    } catch (err) {
      errorSummary(dateMessages(err, "date_of_birth"));
    }
  }

  return h("form", { novalidate: true, onSubmit }, Object.values(fields).map((f) => f.group), language.el, submit);
}

function render(profile, saved) {
  const national = !!profile.national_identity;
  const m = page(
    t("profile.title"),
    saved ? notice(t("profile.saved"), "success") : null,
    h("p", { class: "govuk-body" }, t("profile.intro")),
    national
      ? [
          summaryList([
            [t("citizen.applicant.full_name"), profile.full_name],
            [t("citizen.applicant.citizen_id"), profile.citizen_id],
          ]),
          h("p", { class: "govuk-inset-text" }, t("profile.national_fixed")),
        ]
      : null,
    form(profile, (updated) => render(updated, true)),
    profile.updated_at ? h("p", { class: "govuk-body-s app-muted" }, t("profile.updated_at", { when: fmtDateTime(profile.updated_at) })) : null,
    h("p", { class: "govuk-body" }, link("#/my/dossiers", t("citizen.list.title"))),
  );
  if (saved) {
    // The saved page replaces the form: the citizen hears that it was kept, from the top.
    const banner = m.querySelector(".govuk-notification-banner");
    banner.setAttribute("tabindex", "-1");
    banner.focus();
  }
}

export async function profilePage() {
  const title = t("profile.title");
  if (!requireCitizen(title)) return;
  const live = alive();
  loading(title);
  const profile = await loadProfile();
  if (!live()) return;
  render(profile, false);
}
