// What the citizen pages share: the sign-in guard, names in the chosen language, sizes, ids and error fields.
import { api, ApiError } from "../../api.js";
import { session, isCitizen } from "../../auth.js";
import { t, lang, fmtNumber } from "../../i18n.js";
import { currentPath } from "../../router.js";
import { h, page, link, fieldId } from "../../ui.js";

// Signed out: to the sign-in page, which brings the user back here. `replace` keeps the back button out of a loop.
export function requireSignIn() {
  if (session()) return true;
  window.location.replace(`#/sign-in?next=${encodeURIComponent(currentPath())}`);
  return false;
}

// Submitting is for citizens' accounts; staff take dossiers in at the desk.
export function requireCitizen(title) {
  if (!requireSignIn()) return false;
  if (isCitizen()) return true;
  page(title, h("p", { class: "govuk-body" }, t("citizen.citizens_only")), h("p", { class: "govuk-body" }, link("#/desk", t("nav.desk"))));
  return false;
}

export function local(obj, base) {
  if (!obj) return "";
  const vi = obj[`${base}_vi`];
  const en = obj[`${base}_en`];
  return lang() === "en" ? en || vi || "" : vi || en || "";
}

const TYPE_LABELS = { "application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG" };
const TYPE_EXTENSIONS = { "application/pdf": [".pdf"], "image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"] };

export function typesLabel(types) {
  return (types || []).map((x) => TYPE_LABELS[x] || x).join(", ");
}

// The file picker offers both the extensions and the MIME types (some systems know only one of them).
export function acceptAttr(types) {
  return (types || []).flatMap((x) => [...(TYPE_EXTENSIONS[x] || []), x]).join(",");
}

// The browser may not know a file's type (an empty File.type): judge it by its extension; the API checks the bytes.
export function contentTypeOf(file) {
  if (TYPE_LABELS[file.type]) return file.type;
  const name = file.name.toLowerCase();
  for (const [type, exts] of Object.entries(TYPE_EXTENSIONS)) if (exts.some((e) => name.endsWith(e))) return type;
  return file.type || "application/octet-stream";
}

export function fmtSize(bytes) {
  const n = Number(bytes) || 0;
  if (n >= 1024 * 1024) return `${fmtNumber(n / (1024 * 1024), n % (1024 * 1024) ? 1 : 0)} MB`;
  if (n >= 1024) return `${fmtNumber(Math.ceil(n / 1024))} KB`;
  return t("citizen.bytes", { n });
}

// A random UUID (v4); crypto.randomUUID exists only in secure contexts, getRandomValues everywhere.
export function uuid() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  const b = window.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const procedures = new Map();

// A procedure (a version of it when given), fetched once per page load.
export function procedure(code, version) {
  const key = `${code}@${version || ""}`;
  if (!procedures.has(key)) {
    const p = api.get(`/procedures/${encodeURIComponent(code)}`, { query: { version } });
    p.catch(() => procedures.delete(key));
    procedures.set(key, p);
  }
  return procedures.get(key);
}

// The API names a component's problem by its place in the body ("components[1].upload_ids[0]") or, when it is
// missing, as "components" with params.component_id: both become "components.<id>", the component's file input.
export function componentFields(apiError, sentIds, prefix = "components") {
  if (!(apiError instanceof ApiError)) return apiError;
  const at = new RegExp(`^${prefix}\\[(\\d+)\\]`);
  const errors = apiError.errors.map((e) => {
    const m = at.exec(e.field || "");
    if (m && sentIds[Number(m[1])]) return { ...e, field: `${prefix}.${sentIds[Number(m[1])]}` };
    if (e.field === prefix && e.params && e.params.component_id) return { ...e, field: `${prefix}.${e.params.component_id}` };
    return e;
  });
  return Object.assign(new ApiError(apiError), { errors });
}

// A labelled text input or textarea in its form group; `name` is the API's field name (its id follows from it).
export function textField(id, label, { hint, value, textarea = false, optional = false, attrs = {} } = {}) {
  const describedBy = hint ? `${id}-hint` : null;
  const input = textarea
    ? h("textarea", { class: "govuk-textarea", id, name: id, rows: 4, "aria-describedby": describedBy, ...attrs })
    : h("input", { class: "govuk-input", id, name: id, type: "text", "aria-describedby": describedBy, ...attrs });
  input.value = value || "";
  const group = h(
    "div",
    { class: "govuk-form-group" },
    h("label", { class: "govuk-label", for: id }, label, optional ? h("span", { class: "app-muted" }, ` ${t("form.optional")}`) : null),
    hint ? h("div", { class: "govuk-hint", id: `${id}-hint` }, hint) : null,
    input,
  );
  return { input, group };
}

// Day, month and year as three boxes (the GOV.UK date input): the same in every browser and locale. The day box
// carries the field's id, so the API's error on the date points at it. `initial`: a YYYY-MM-DD to start from.
export function dateField(name, legend, hint, initial = "") {
  const id = fieldId(name);
  const part = (suffix, label, width, maxlength, autocomplete) => {
    const input = h("input", { class: `govuk-input govuk-input--width-${width}`, id: suffix ? `${id}-${suffix}` : id, name: `${name}-${suffix || "day"}`, inputmode: "numeric", maxlength, autocomplete });
    return { input, el: h("div", { class: "govuk-date-input__item" }, h("label", { class: "govuk-label govuk-date-input__label", for: input.id }, label), input) };
  };
  const day = part("", t("citizen.date.day"), 2, 2, "bday-day");
  const month = part("month", t("citizen.date.month"), 2, 2, "bday-month");
  const year = part("year", t("citizen.date.year"), 4, 4, "bday-year");
  const given = /^(\d{4})-(\d{2})-(\d{2})$/.exec(initial || "");
  if (given) [year.input.value, month.input.value, day.input.value] = given.slice(1);
  const group = h(
    "fieldset",
    { class: "govuk-fieldset govuk-form-group", role: "group", "aria-describedby": `${id}-hint` },
    h("legend", { class: "govuk-fieldset__legend" }, legend),
    h("div", { class: "govuk-hint", id: `${id}-hint` }, hint),
    h("div", { class: "govuk-date-input" }, day.el, month.el, year.el),
  );
  // YYYY-MM-DD when all three are given; otherwise what was typed, for the API to name the problem.
  const value = () => {
    const [d, m, y] = [day, month, year].map((x) => x.input.value.trim());
    if (!d && !m && !y) return "";
    return /^\d{1,2}$/.test(d) && /^\d{1,2}$/.test(m) && /^\d{4}$/.test(y) ? `${y}-${m.padStart(2, "0")}-${d.padStart(2, "0")}` : `${y}-${m}-${d}`;
  };
  return { group, input: { get value() { return value(); } } };
}

// Radios in a fieldset: options [[value, label]]; the first radio carries the field's id (the error summary's target).
export function radios(id, legend, options, { value, hint, onChange, small = false } = {}) {
  const inputs = options.map(([v], i) =>
    h("input", { class: "govuk-radios__input", type: "radio", id: i ? `${id}-${i}` : id, name: id, value: v, checked: value === v, onChange }),
  );
  const el = h(
    "fieldset",
    { class: "govuk-fieldset govuk-form-group", "aria-describedby": hint ? `${id}-hint` : null },
    h("legend", { class: `govuk-fieldset__legend${small ? "" : " govuk-fieldset__legend--s"}` }, legend),
    hint ? h("div", { class: "govuk-hint", id: `${id}-hint` }, hint) : null,
    h(
      "div",
      { class: "govuk-radios" },
      options.map(([, text], i) => h("div", { class: "govuk-radios__item" }, inputs[i], h("label", { class: "govuk-radios__label", for: inputs[i].id }, text))),
    ),
  );
  return { el, inputs, value: () => (inputs.find((x) => x.checked) || {}).value };
}

// Errors found before anything is sent, in the API's shape, so the same summary shows them.
export function localErrors(errors) {
  return new ApiError({ status: 400, title: t("ui.error_summary_title"), errors });
}
