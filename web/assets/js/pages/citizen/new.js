// #/my/new/:procedure: the applicant (a person pre-filled from the citizen's profile), a summary, a file input per
// component (uploaded as soon as chosen), how the result comes back; submitted once with an Idempotency-Key kept for
// the life of the form, so a retry is harmless. Once submitted, a person's details are kept in the profile for next
// time unless the citizen unticks that.
import { api, ApiError } from "../../api.js";
import { session } from "../../auth.js";
import { t, fmtVnd } from "../../i18n.js";
import { currentPath, isCurrent } from "../../router.js";
import { h, page, errorSummary, clearErrors, fieldId, summaryList, link, loading, busy } from "../../ui.js";
import { componentFields, dateField, local, localErrors, procedure, radios, requireCitizen, textField, uuid } from "./common.js";
import { keepApplicant, loadProfile } from "./profile.js";
import { fileField } from "./upload.js";

const PERSON = [
  ["applicant.full_name", "citizen.applicant.full_name", { attrs: { autocomplete: "name", maxlength: 200 } }],
  ["applicant.citizen_id", "citizen.applicant.citizen_id", { hint: "citizen.applicant.citizen_id_hint", attrs: { class: "govuk-input govuk-input--width-20", inputmode: "numeric", autocomplete: "off", spellcheck: "false", maxlength: 12 } }],
];
const BUSINESS = [
  ["applicant.name", "citizen.applicant.business_name", { attrs: { autocomplete: "organization", maxlength: 300 } }],
  ["applicant.tax_code", "citizen.applicant.tax_code", { hint: "citizen.applicant.tax_code_hint", attrs: { class: "govuk-input govuk-input--width-20", inputmode: "numeric", autocomplete: "off", spellcheck: "false", maxlength: 14 } }],
];
const REPRESENTATIVE = [
  ["applicant.representative.full_name", "citizen.applicant.representative_name", { attrs: { maxlength: 200 } }],
  ["applicant.representative.citizen_id", "citizen.applicant.citizen_id", { optional: true, attrs: { class: "govuk-input govuk-input--width-20", inputmode: "numeric", spellcheck: "false", maxlength: 12 } }],
  ["applicant.representative.position", "citizen.applicant.position", { optional: true, attrs: { maxlength: 200 } }],
];
const CONTACT = [
  ["applicant.address", "citizen.applicant.address", { attrs: { autocomplete: "street-address", maxlength: 500 } }],
  ["applicant.phone", "citizen.applicant.phone", { optional: true, hint: "citizen.applicant.phone_hint", attrs: { class: "govuk-input govuk-input--width-20", type: "tel", autocomplete: "tel", maxlength: 20 } }],
  ["applicant.email", "citizen.applicant.email", { optional: true, hint: "citizen.applicant.email_hint", attrs: { type: "email", autocomplete: "email", spellcheck: "false", maxlength: 254 } }],
];

function fields(specs, values = {}) {
  const out = {};
  for (const [name, label, opts] of specs) {
    out[name] = textField(fieldId(name), t(label), { ...opts, hint: opts.hint && t(opts.hint), value: values[name] });
  }
  return out;
}

// The value to send: trimmed, and left out when an optional field is empty.
function collect(inputs, prefix, optional = []) {
  const out = {};
  for (const [name, f] of Object.entries(inputs)) {
    const key = name.slice(prefix.length);
    const v = f.input.value.trim();
    if (v || !optional.includes(key)) out[key] = v;
  }
  return out;
}

function fees(p) {
  if (!p.fees || !p.fees.length) return t("procedure.fee_free");
  return h("ul", { class: "govuk-list" }, p.fees.map((f) => h("li", {}, `${fmtVnd(f.amount_vnd)} — ${local(f, "description")}`)));
}

function deliveryOptions(p) {
  const methods = p.online_level === "full" ? ["online", "desk", "post"] : ["desk", "post"];
  return methods.map((m) => [m, t(`citizen.delivery.${m}`)]);
}

// What the confirmation says about keeping the applicant's details: kept, or why not (the API's own words).
function keptNotice(kept) {
  if (!kept) return null;
  if (kept.ok) return h("p", { class: "govuk-body" }, t("citizen.new.kept"), " ", link("#/my/profile", t("profile.title")));
  const why = kept.error instanceof ApiError && kept.error.errors.length ? kept.error.errors.map((e) => e.message || e.code).join("; ") : (kept.error && (kept.error.detail || kept.error.title)) || "";
  return h("div", { class: "govuk-warning-text" }, t("citizen.new.not_kept", { why }), " ", link("#/my/profile", t("profile.title")));
}

// The GOV.UK confirmation panel: the dossier code, large, and where to follow it.
function confirmation(dossier, kept) {
  const m = page(t("citizen.new.done_title"));
  const h1 = m.querySelector("h1");
  h1.className = "govuk-panel__title";
  m.prepend(h("div", { class: "govuk-panel govuk-panel--confirmation" }, h1, h("div", { class: "govuk-panel__body" }, t("citizen.new.your_code"), h("br"), h("strong", { class: "app-code" }, dossier.code))));
  m.append(
    h("p", { class: "govuk-body" }, t("citizen.new.done_next")),
    keptNotice(kept),
    h("p", { class: "govuk-body" }, link(`#/my/dossiers/${encodeURIComponent(dossier.id)}`, t("citizen.new.view_dossier", { code: dossier.code }))),
    h("p", { class: "govuk-body" }, link("#/my/dossiers", t("citizen.list.title"))),
  );
  h1.focus();
}

export async function newDossier(params) {
  const title = t("citizen.new.title");
  if (!requireCitizen(title)) return;
  const here = currentPath();
  loading(title);
  // The profile pre-fills a person applicant; without one (or when it cannot be read) the account's name does.
  const [p, profile] = await Promise.all([procedure(params.procedure), loadProfile().catch(() => null)]);
  if (!isCurrent(here)) return;

  // One key for this form: a retry after a lost answer returns the dossier already created, not a second one.
  const idempotencyKey = uuid();
  const types = p.applicant_types && p.applicant_types.length ? p.applicant_types : ["person"];
  const known = profile || {};
  const person = fields(PERSON, { "applicant.full_name": known.full_name || (session() || {}).name, "applicant.citizen_id": known.citizen_id });
  person["applicant.date_of_birth"] = dateField("applicant.date_of_birth", t("citizen.applicant.date_of_birth"), t("citizen.applicant.date_of_birth_hint"), known.date_of_birth || "");
  const business = fields(BUSINESS);
  const representative = fields(REPRESENTATIVE);
  const contact = fields(CONTACT, { "applicant.address": known.address, "applicant.phone": known.phone, "applicant.email": known.email });
  const keep = h("input", { class: "govuk-checkboxes__input", type: "checkbox", id: fieldId("keep_profile"), name: "keep_profile", checked: true, "aria-describedby": `${fieldId("keep_profile")}-hint` });
  const keepGroup = h(
    "div",
    { class: "govuk-form-group" },
    h("div", { class: "govuk-checkboxes__item" }, keep, h("label", { class: "govuk-checkboxes__label", for: keep.id }, t("citizen.new.keep_profile"))),
    h("div", { class: "govuk-hint", id: `${keep.id}-hint` }, t("citizen.new.keep_profile_hint")),
  );
  const personBox = h("div", {}, Object.values(person).map((f) => f.group));
  const businessBox = h(
    "div",
    {},
    Object.values(business).map((f) => f.group),
    h("fieldset", { class: "govuk-fieldset govuk-form-group" }, h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, t("citizen.applicant.representative")), Object.values(representative).map((f) => f.group)),
  );
  let kind = types[0];
  const showKind = () => {
    personBox.hidden = kind !== "person";
    businessBox.hidden = kind !== "business";
    keepGroup.hidden = kind !== "person"; // the profile is a person's
  };
  const typeChoice =
    types.length > 1
      ? radios(fieldId("applicant.type"), t("citizen.applicant.type"), types.map((x) => [x, t(`enum.${x}`)]), {
          value: kind,
          onChange: (ev) => {
            kind = ev.target.value;
            showKind();
          },
        })
      : null;
  showKind();

  const summary = textField(fieldId("summary"), t("citizen.new.summary"), { hint: t("citizen.new.summary_hint"), textarea: true, attrs: { maxlength: 2000, spellcheck: "true" } });
  const uploads = p.components.map((c) => fileField({ procedureCode: p.code, component: c, name: `components.${c.id}` }));

  const options = deliveryOptions(p);
  const address = textField(fieldId("delivery.address"), t("citizen.delivery.address"), { hint: t("citizen.delivery.address_hint"), textarea: true, attrs: { rows: 2, maxlength: 500, autocomplete: "street-address" } });
  const delivery = radios(fieldId("delivery.method"), t("citizen.delivery.legend"), options, {
    value: options[0][0],
    hint: p.online_level === "full" ? null : t("citizen.delivery.no_online"),
    onChange: () => {
      address.group.hidden = delivery.value() !== "post";
    },
  });
  address.group.hidden = delivery.value() !== "post";
  const sms = h("input", { class: "govuk-checkboxes__input", type: "checkbox", id: fieldId("sms_opt_in"), name: "sms_opt_in", "aria-describedby": `${fieldId("sms_opt_in")}-hint` });
  const smsGroup = h(
    "div",
    { class: "govuk-form-group" },
    h("div", { class: "govuk-checkboxes__item" }, sms, h("label", { class: "govuk-checkboxes__label", for: sms.id }, t("citizen.new.sms"))),
    h("div", { class: "govuk-hint", id: `${sms.id}-hint` }, t("citizen.new.sms_hint")),
  );

  const submit = h("button", { type: "submit", class: "govuk-button" }, t("citizen.new.submit"));
  const form = h(
    "form",
    { novalidate: true, onSubmit },
    h("h2", { class: "govuk-heading-m" }, t("citizen.new.applicant")),
    typeChoice ? typeChoice.el : null,
    personBox,
    businessBox,
    Object.values(contact).map((f) => f.group),
    keepGroup,
    h("h2", { class: "govuk-heading-m" }, t("citizen.new.request")),
    summary.group,
    h("h2", { class: "govuk-heading-m" }, t("procedure.components")),
    h("p", { class: "govuk-body" }, t("citizen.new.components_intro")),
    uploads.map((u) => u.el),
    h("h2", { class: "govuk-heading-m" }, t("citizen.new.result")),
    delivery.el,
    address.group,
    smsGroup,
    h("p", { class: "govuk-body" }, t("citizen.new.declaration")),
    submit,
  );

  function body() {
    const applicant =
      kind === "person"
        ? { type: "person", ...collect(person, "applicant."), ...collect(contact, "applicant.", ["phone", "email"]) }
        : {
            type: "business",
            ...collect(business, "applicant."),
            representative: collect(representative, "applicant.representative.", ["citizen_id", "position"]),
            ...collect(contact, "applicant.", ["phone", "email"]),
          };
    const chosen = uploads.filter((u) => u.uploadIds().length);
    const method = delivery.value();
    return {
      sentIds: chosen.map((u) => u.component.id),
      body: {
        procedure_code: p.code,
        applicant,
        summary: summary.input.value.trim(),
        components: chosen.map((u) => ({ component_id: u.component.id, upload_ids: u.uploadIds() })),
        delivery: method === "post" ? { method, address: address.input.value.trim() } : { method },
        sms_opt_in: sms.checked,
        locale: document.documentElement.lang === "en" ? "en" : "vi",
      },
    };
  }

  async function onSubmit(ev) {
    ev.preventDefault();
    clearErrors();
    const waiting = uploads.filter((u) => u.busy());
    if (waiting.length) {
      errorSummary(localErrors(waiting.map((u) => ({ field: `components.${u.component.id}`, message: t("citizen.new.wait_uploads") }))));
      return;
    }
    const { body: payload, sentIds } = body();
    try {
      const dossier = await busy(api.post("/dossiers", payload, { headers: { "Idempotency-Key": idempotencyKey } }), { button: submit });
      confirmation(dossier, await keepDetails(payload.applicant));
    } catch (err) {
      errorSummary(explain(err, sentIds));
    }
  }

  // After the dossier is in: the person's details into the profile, if the citizen left the box ticked. A refusal
  // here does not undo the submission; the confirmation says what was not kept.
  async function keepDetails(applicant) {
    if (applicant.type !== "person" || !keep.checked) return null;
    try {
      await busy(keepApplicant(applicant, profile), { button: submit });
      return { ok: true };
    } catch (error) {
      return { ok: false, error };
    }
  }

  // "No component at all" is one structural error; the citizen needs to know which files are missing.
  // The date boxes send YYYY-MM-DD themselves: the API's word on that format would puzzle the applicant.
  function explain(err, sentIds) {
    const mapped = componentFields(err, sentIds);
    if (!(mapped instanceof ApiError)) return new ApiError({ title: t("error.unexpected"), detail: String(err) });
    mapped.errors = mapped.errors.map((e) => (e.field === "applicant.date_of_birth" && e.code === "field.date" ? { ...e, message: t("citizen.applicant.date_of_birth_invalid") } : e));
    const empty = mapped.errors.find((e) => e.field === "components" && !(e.params && e.params.component_id));
    if (!empty) return mapped;
    const missing = p.components.filter((c) => c.required).map((c) => ({ field: `components.${c.id}`, message: t("citizen.new.file_required") }));
    return Object.assign(new ApiError(mapped), { errors: [...mapped.errors.filter((e) => e !== empty), ...missing] });
  }

  page(
    title,
    summaryList([
      [t("citizen.new.procedure"), h("span", {}, local(p, "name"), h("br"), h("span", { class: "app-muted" }, `${t("procedure.code")}: ${p.code}`))],
      [t("procedure.agency"), local(p, "agency_name")],
      [t("procedure.processing_time"), p.processing_time ? `${p.processing_time.value} ${t(`enum.${p.processing_time.unit}`)}` : ""],
      [t("procedure.fees"), fees(p)],
    ]),
    form,
  );
}
