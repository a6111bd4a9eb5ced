// #/feedback/new?agency=&procedure=&dossier=: the form to file feedback or a petition (POST /feedback) — its kind,
// the agency (and one of its procedures), title, content and how to reach the person; a signed-in citizen may name
// one of their own dossiers, whose agency and procedure it then is. Anyone may file; staff are told the API's
// refusal. Filed, the confirmation shows the code and, for someone not signed in, the key: once, and kept in the tab.
import { api, ApiError } from "../../api.js";
import { isCitizen, isStaff, session } from "../../auth.js";
import { t, fmtDate, lang } from "../../i18n.js";
import { currentPath, isCurrent } from "../../router.js";
import { h, add, page, errorSummary, clearErrors, fieldId, link, loading, busy } from "../../ui.js";
import { radios, textField } from "../citizen/common.js";
import { loadProfile } from "../citizen/profile.js";
import { MAX, agencies, local, rememberKey } from "./common.js";

const procedureLists = new Map();

// The procedures of an agency, for the optional choice of one (first 100: an agency's catalogue is shorter).
function proceduresOf(agency) {
  if (!procedureLists.has(agency)) {
    const p = api.get("/procedures", { query: { agency, limit: 100 } }).then((r) => r.items || []);
    p.catch(() => procedureLists.delete(agency));
    procedureLists.set(agency, p);
  }
  return procedureLists.get(agency);
}

// The citizen's dossiers (GET /dossiers, newest first): the ones feedback may be about.
async function myDossiers() {
  if (!isCitizen()) return [];
  try {
    return (await api.get("/dossiers", { query: { limit: 100 } })).items || [];
  } catch {
    return []; // the choice is optional: without the list the form still files
  }
}

function select(name, label, { hint, optional = false } = {}) {
  const id = fieldId(name);
  const el = h("select", { class: "govuk-select", id, name, "aria-describedby": hint ? `${id}-hint` : null });
  const group = h(
    "div",
    { class: "govuk-form-group" },
    h("label", { class: "govuk-label", for: id }, label, optional ? h("span", { class: "app-muted" }, ` ${t("form.optional")}`) : null),
    hint ? h("div", { class: "govuk-hint", id: `${id}-hint` }, hint) : null,
    el,
  );
  return { el, group };
}

function fillOptions(el, first, options, value) {
  el.replaceChildren(h("option", { value: "" }, first), ...options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
}

// The GOV.UK confirmation panel with the code; the key below it, said plainly to be shown this once.
function confirmation(item) {
  const m = page(t("feedback.new.done_title"));
  const h1 = m.querySelector("h1");
  h1.className = "govuk-panel__title";
  m.prepend(h("div", { class: "govuk-panel govuk-panel--confirmation" }, h1, h("div", { class: "govuk-panel__body" }, t("feedback.new.your_code"), h("br"), h("strong", { class: "app-code app-hash", id: "feedback-code" }, item.code))));
  const href = `#/feedback/${encodeURIComponent(item.code)}`;
  add(
    m,
    item.key
      ? h(
          "section",
          { class: "app-panel", "aria-labelledby": "feedback-key-title" },
          h("h2", { class: "govuk-heading-m", id: "feedback-key-title" }, t("feedback.new.key_title")),
          h("p", { class: "govuk-body-l app-hash", id: "feedback-key" }, item.key),
          h("div", { class: "govuk-warning-text" }, h("strong", {}, h("span", { class: "govuk-visually-hidden" }, `${t("ui.important")}: `), t("feedback.new.key_once"))),
          h("p", { class: "govuk-body" }, t("feedback.new.key_use")),
          h("p", { class: "govuk-body" }, t("feedback.new.key_tab")),
        )
      : h("p", { class: "govuk-body" }, t("feedback.new.account")),
    item.due && item.due.answer ? h("p", { class: "govuk-body" }, t("feedback.new.answer_by", { date: fmtDate(item.due.answer) })) : null,
    h("p", { class: "govuk-body" }, link(href, t("feedback.new.view", { code: item.code }))),
    isCitizen() ? h("p", { class: "govuk-body" }, link("#/my/feedback", t("feedback.mine.title"))) : null,
    h("p", { class: "govuk-body" }, link(`#/feedback?agency=${encodeURIComponent(item.agency_code)}`, t("feedback.list.title"))),
  );
  h1.focus();
}

export async function newFeedbackPage(params, query) {
  const title = t("feedback.new.title");
  const here = currentPath();
  loading(title);
  const [list, dossiers, profile] = await Promise.all([agencies(), myDossiers(), isCitizen() ? loadProfile().catch(() => null) : null]);
  if (!isCurrent(here)) return;
  const known = profile || {};
  const citizen = isCitizen();

  const kind = radios(fieldId("kind"), t("feedback.field.kind"), [["feedback", t("feedback.kind.feedback")], ["petition", t("feedback.kind.petition")]], { value: query.kind, hint: t("feedback.new.kind_hint") });
  const dossier = dossiers.length ? select("dossier_code", t("feedback.new.dossier"), { hint: t("feedback.new.dossier_hint"), optional: true }) : null;
  const agency = select("agency_code", t("feedback.field.agency"));
  const procedure = select("procedure_code", t("feedback.field.procedure"), { hint: t("feedback.new.procedure_hint"), optional: true });
  const heading = textField(fieldId("title"), t("feedback.field.title"), { hint: t("feedback.new.title_hint"), attrs: { maxlength: MAX.title } });
  const content = textField(fieldId("content"), t("feedback.field.content"), { hint: t("feedback.new.content_hint"), textarea: true, attrs: { maxlength: MAX.text, rows: 8 } });
  const name = textField(fieldId("contact.name"), t("feedback.contact.name"), { value: known.full_name || (citizen && session() ? session().name : ""), attrs: { autocomplete: "name", maxlength: MAX.name } });
  const email = textField(fieldId("contact.email"), t("feedback.contact.email"), { optional: true, value: known.email || "", attrs: { type: "email", autocomplete: "email", spellcheck: "false", maxlength: MAX.email } });
  const phone = textField(fieldId("contact.phone"), t("feedback.contact.phone"), { optional: true, value: known.phone || "", attrs: { class: "govuk-input govuk-input--width-20", type: "tel", autocomplete: "tel", maxlength: MAX.phone } });

  fillOptions(agency.el, t("form.choose"), list.map((a) => [a.code, local(a, "name")]), query.agency || "");
  fillOptions(procedure.el, t("feedback.new.no_procedure"), [], "");
  if (dossier) fillOptions(dossier.el, t("feedback.new.no_dossier"), dossiers.map((d) => [d.code, `${d.code} (${d.procedure_code})`]), query.dossier || "");

  // The procedures follow the agency chosen; a dossier chosen decides both, so they are shown and not editable.
  async function showProcedures(wanted) {
    const code = agency.el.value;
    procedure.el.disabled = !code;
    if (!code) return fillOptions(procedure.el, t("feedback.new.no_procedure"), [], "");
    const items = await proceduresOf(code).catch(() => []);
    if (agency.el.value !== code) return null;
    return fillOptions(procedure.el, t("feedback.new.no_procedure"), items.map((p) => [p.code, `${local(p, "name")} (${p.code})`]), wanted ?? procedure.el.value);
  }
  function chosenDossier() {
    return dossier ? dossiers.find((d) => d.code === dossier.el.value) : null;
  }
  async function onDossier() {
    const d = chosenDossier();
    agency.el.disabled = !!d;
    if (d) {
      agency.el.value = d.agency_code;
      await showProcedures(d.procedure_code);
      procedure.el.disabled = true;
    } else {
      await showProcedures();
    }
  }
  agency.el.addEventListener("change", () => showProcedures(""));
  if (dossier) dossier.el.addEventListener("change", onDossier);

  const submit = h("button", { type: "submit", class: "govuk-button" }, t("feedback.new.submit"));
  const form = h(
    "form",
    { novalidate: true, onSubmit },
    kind.el,
    dossier ? dossier.group : null,
    agency.group,
    procedure.group,
    heading.group,
    content.group,
    h(
      "fieldset",
      { class: "govuk-fieldset govuk-form-group", id: fieldId("contact"), "aria-describedby": `${fieldId("contact")}-hint` },
      h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--m" }, t("feedback.field.contact")),
      h("div", { class: "govuk-hint", id: `${fieldId("contact")}-hint` }, session() ? t("feedback.new.contact_hint_signed_in") : t("feedback.new.contact_hint")),
      name.group,
      email.group,
      phone.group,
    ),
    h("p", { class: "govuk-body" }, t("feedback.new.privacy")),
    submit,
  );

  async function onSubmit(ev) {
    ev.preventDefault();
    clearErrors();
    const d = chosenDossier();
    const contact = { name: name.input.value.trim() };
    if (email.input.value.trim()) contact.email = email.input.value.trim();
    if (phone.input.value.trim()) contact.phone = phone.input.value.trim();
    // The messages about it come in the language the page is in.
    const body = { title: heading.input.value.trim(), content: content.input.value.trim(), contact, locale: lang() };
    if (kind.value()) body.kind = kind.value();
    const agencyCode = d ? d.agency_code : agency.el.value;
    if (agencyCode) body.agency_code = agencyCode;
    if (d) body.dossier_code = d.code;
    else if (procedure.el.value) body.procedure_code = procedure.el.value;
    try {
      const item = await busy(api.post("/feedback", body), { button: submit });
      if (item.key) rememberKey(item.code, item.key);
      confirmation(item);
    } catch (err) {
      errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("error.unexpected"), detail: String(err) }));
    }
  }

  page(
    title,
    h("p", { class: "govuk-body" }, t("feedback.new.intro")),
    isStaff() ? h("div", { class: "govuk-inset-text" }, t("feedback.new.staff")) : null,
    !session() ? h("p", { class: "govuk-body" }, t("feedback.new.signed_out"), " ", link(`#/sign-in?next=${encodeURIComponent(here)}`, t("feedback.new.sign_in"))) : null,
    form,
    h("p", { class: "govuk-body" }, link("#/feedback", t("feedback.list.title"))),
  );
  if (dossier && dossier.el.value) await onDossier();
  else await showProcedures(query.procedure || "");
}
