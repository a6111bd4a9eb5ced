// The dossier form the citizen (#/my/new/:procedure) and the desk (#/desk/new/:procedure) both fill: the applicant
// (a person, or a business with its representative), the request, a file input per component (uploaded as soon as
// chosen), how the result comes back. Each page puts its own parts around these and sends the body itself.
import { ApiError } from "./api.js";
import { t, fmtVnd } from "./i18n.js";
import { h, fieldId, summaryList } from "./ui.js";
import { componentFields, dateField, local, localErrors, radios, textField } from "./pages/citizen/common.js";
import { fileField } from "./pages/citizen/upload.js";
import { paperChoice } from "./papers.js";

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

// The procedure the form is for, above it: name and code, agency, processing time, fees.
export function procedureSummary(p) {
  return summaryList([
    [t("citizen.new.procedure"), h("span", {}, local(p, "name"), h("br"), h("span", { class: "app-muted" }, `${t("procedure.code")}: ${p.code}`))],
    [t("procedure.agency"), local(p, "agency_name")],
    [t("procedure.processing_time"), p.processing_time ? `${p.processing_time.value} ${t(`enum.${p.processing_time.unit}`)}` : ""],
    [t("procedure.fees"), fees(p)],
  ]);
}

// The ways the result may come back: online only where the procedure is fully online.
export function deliveryMethods(p) {
  return p.online_level === "full" ? ["online", "desk", "post"] : ["desk", "post"];
}

function checkbox(name, label, hint, checked = false) {
  const input = h("input", { class: "govuk-checkboxes__input", type: "checkbox", id: fieldId(name), name, checked, "aria-describedby": `${fieldId(name)}-hint` });
  const group = h(
    "div",
    { class: "govuk-form-group" },
    h("div", { class: "govuk-checkboxes__item" }, input, h("label", { class: "govuk-checkboxes__label", for: input.id }, label)),
    h("div", { class: "govuk-hint", id: `${input.id}-hint` }, hint),
  );
  return { input, group };
}

// dossierForm(p, options) → the form's parts, each an array of nodes in the order the form shows them
// (`applicant`, `request`, `components`, `result`), and what the page needs to send it:
//   kind()            "person" or "business", as chosen;
//   waiting()         an ApiError naming the components whose files are still uploading, or null;
//   body()            {body, sentIds}: the POST /dossiers body and the component ids sent, in order;
//   explain(err, sentIds) the API's refusal with its errors placed on the form's fields.
// options: `prefill` ({full_name, citizen_id, date_of_birth, address, phone, email}: a person's details to start
// from), `onKind(kind)` (called when the applicant type changes, and once at the start), `methods` (the delivery
// methods offered: deliveryMethods(p) by default), `methodsHint` (under them: "no online result" by default when the
// procedure is not fully online), `summaryHint` and `smsHint` (i18n keys: the citizen's wording by default), `papers`
// (stored papers a dossier of `p` could reuse, each with the components it `fits`: offered beside each file input).
// Also returned: `offerPapers(papers)` (offer others, e.g. a walk-in applicant's once the desk looked them up) and
// `idNumber()` (the applicant's citizen ID or tax code as typed).
export function dossierForm(p, { prefill = {}, onKind = () => {}, methods = deliveryMethods(p), methodsHint, summaryHint = "citizen.new.summary_hint", smsHint = "citizen.new.sms_hint", papers = [] } = {}) {
  const types = p.applicant_types && p.applicant_types.length ? p.applicant_types : ["person"];
  const person = fields(PERSON, { "applicant.full_name": prefill.full_name, "applicant.citizen_id": prefill.citizen_id });
  person["applicant.date_of_birth"] = dateField("applicant.date_of_birth", t("citizen.applicant.date_of_birth"), t("citizen.applicant.date_of_birth_hint"), prefill.date_of_birth || "");
  const business = fields(BUSINESS);
  const representative = fields(REPRESENTATIVE);
  const contact = fields(CONTACT, { "applicant.address": prefill.address, "applicant.phone": prefill.phone, "applicant.email": prefill.email });
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
    onKind(kind);
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

  const summary = textField(fieldId("summary"), t("citizen.new.summary"), { hint: t(summaryHint), textarea: true, attrs: { maxlength: 2000, spellcheck: "true" } });
  const uploads = p.components.map((c) => fileField({ procedureCode: p.code, component: c, name: `components.${c.id}` }));
  // Papers given once: a stored paper that fits a component may stand in for its upload.
  const choices = p.components.map((c) => paperChoice(c));
  const offerPapers = (items) => choices.forEach((c) => c.offer(items));
  offerPapers(papers);

  const options = methods.map((m) => [m, t(`citizen.delivery.${m}`)]);
  const address = textField(fieldId("delivery.address"), t("citizen.delivery.address"), { hint: t("citizen.delivery.address_hint"), textarea: true, attrs: { rows: 2, maxlength: 500, autocomplete: "street-address" } });
  const hint = methodsHint !== undefined ? methodsHint : p.online_level === "full" ? null : t("citizen.delivery.no_online");
  const delivery = radios(fieldId("delivery.method"), t("citizen.delivery.legend"), options, {
    value: options[0][0],
    hint,
    onChange: () => {
      address.group.hidden = delivery.value() !== "post";
    },
  });
  address.group.hidden = delivery.value() !== "post";
  const sms = checkbox("sms_opt_in", t("citizen.new.sms"), t(smsHint));

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
    const chosen = uploads.map((u, i) => ({ u, reused: choices[i].paperIds() })).filter(({ u, reused }) => u.uploadIds().length || reused.length);
    const method = delivery.value();
    return {
      sentIds: chosen.map(({ u }) => u.component.id),
      body: {
        procedure_code: p.code,
        applicant,
        summary: summary.input.value.trim(),
        components: chosen.map(({ u, reused }) => ({ component_id: u.component.id, upload_ids: u.uploadIds(), ...(reused.length ? { papers: reused } : {}) })),
        delivery: method === "post" ? { method, address: address.input.value.trim() } : { method },
        sms_opt_in: sms.input.checked,
        locale: document.documentElement.lang === "en" ? "en" : "vi",
      },
    };
  }

  function waiting() {
    const busyOnes = uploads.filter((u) => u.busy());
    return busyOnes.length ? localErrors(busyOnes.map((u) => ({ field: `components.${u.component.id}`, message: t("citizen.new.wait_uploads") }))) : null;
  }

  // "No component at all" is one structural error; the applicant needs to know which files are missing.
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

  return {
    applicant: [h("h2", { class: "govuk-heading-m" }, t("citizen.new.applicant")), typeChoice ? typeChoice.el : null, personBox, businessBox, Object.values(contact).map((f) => f.group)],
    request: [h("h2", { class: "govuk-heading-m" }, t("citizen.new.request")), summary.group],
    components: [h("h2", { class: "govuk-heading-m" }, t("procedure.components")), h("p", { class: "govuk-body" }, t("citizen.new.components_intro")), uploads.map((u, i) => [u.el, choices[i].el])],
    result: [h("h2", { class: "govuk-heading-m" }, t("citizen.new.result")), delivery.el, address.group, sms.group],
    kind: () => kind,
    idNumber: () => (kind === "person" ? person["applicant.citizen_id"] : business["applicant.tax_code"]).input.value.trim(),
    offerPapers,
    waiting,
    body,
    explain,
  };
}
