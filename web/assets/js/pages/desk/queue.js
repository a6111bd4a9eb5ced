// #/desk: the officers' work queue and search (GET /desk/dossiers). The filters live in the address, so a
// search can be bookmarked, shared and gone back to. Below it, the register of dossiers to download (./register.js);
// above, the links to a new dossier taken in at the desk (./intake.js), to the reconciliation of online payments
// (./reconciliation.js), to the feedback queue (../feedback/desk.js) and to the counter's queue tickets
// (../queue/counter.js).
import { api, ApiError } from "../../api.js";
import { t, fmtDateTime } from "../../i18n.js";
import { go, alive } from "../../router.js";
import { h, page, table, link, statusTag, errorSummary, fieldId, loading } from "../../ui.js";
import { applicantName, applicantIdNumber, dueCell, procedureOf, local } from "./common.js";
import { registerSection } from "./register.js";
import { reconciliationLink } from "./reconciliation.js";
import { intakeLink } from "./intake.js";
import { feedbackQueueLink } from "../feedback/desk.js";
import { counterLink } from "../queue/counter.js";

const TEXT_FILTERS = ["procedure", "assignee", "name", "id_number", "code"];
const DATE_FILTERS = ["due_after", "due_before", "received_from", "received_to"];
const FLAG_FILTERS = ["overdue", "incoming"];
const ALL_FILTERS = ["status", ...TEXT_FILTERS, ...DATE_FILTERS, ...FLAG_FILTERS];
const FALLBACK_STATUSES = [
  "submitted", "supplement_requested", "received", "forwarded", "refused", "transferred", "assigned", "at_other_agency", "proposed",
  "approved", "rejected", "stopped", "withdrawn", "fee_requested", "result_issued", "in_post", "returned",
];

function queryString(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

// The statuses the contract documents (its Status enum), in its order.
async function statuses() {
  try {
    const doc = await api.openapi();
    return doc.components.schemas.Status.enum || FALLBACK_STATUSES;
  } catch {
    return FALLBACK_STATUSES;
  }
}

function group(name, label, hint, control) {
  const id = fieldId(name);
  const hintEl = hint ? h("div", { class: "govuk-hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label govuk-label--s", for: id }, label), hintEl, control);
}

function filterForm(filters, statusList) {
  const inputs = {};
  const text = (name, attrs = {}) => {
    inputs[name] = h("input", { class: "govuk-input", id: fieldId(name), name, type: "text", value: filters[name] || "", spellcheck: "false", ...attrs });
    return group(name, t(`desk.filter.${name}`), t(`desk.filter.${name}_hint`), inputs[name]);
  };
  const date = (name, label) => {
    inputs[name] = h("input", { class: "govuk-input", id: fieldId(name), name, type: "date", value: filters[name] || "" });
    return group(name, label, null, inputs[name]);
  };
  // A date range: one fieldset; each date's label names it in full, as the error summary quotes labels alone.
  const range = (legend, from, to) =>
    h(
      "fieldset",
      { class: "govuk-fieldset govuk-form-group" },
      h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, legend),
      h("div", { class: "app-filters" }, date(from, t(`desk.filter.${from}`)), date(to, t(`desk.filter.${to}`))),
    );
  const flag = (name) => {
    inputs[name] = h("input", { class: "govuk-checkboxes__input", id: fieldId(name), name, type: "checkbox", checked: filters[name] === "true", "aria-describedby": `${fieldId(name)}-hint` });
    return h(
      "div",
      { class: "govuk-form-group" },
      h("div", { class: "govuk-checkboxes__item" }, inputs[name], h("label", { class: "govuk-checkboxes__label", for: fieldId(name) }, t(`desk.filter.${name}`))),
      h("div", { class: "govuk-hint", id: `${fieldId(name)}-hint` }, t(`desk.filter.${name}_hint`)),
    );
  };
  inputs.status = h(
    "select",
    { class: "govuk-select", id: fieldId("status"), name: "status" },
    h("option", { value: "" }, t("desk.filter.any_status")),
    statusList.map((s) => h("option", { value: s, selected: filters.status === s }, t(`status.${s}`))),
  );
  const onSubmit = (ev) => {
    ev.preventDefault();
    const next = {};
    for (const name of ALL_FILTERS) {
      const el = inputs[name];
      if (el.type === "checkbox") next[name] = el.checked ? "true" : "";
      else next[name] = el.value.trim();
    }
    go(`/desk${queryString(next)}`);
  };
  return h(
    "form",
    { role: "search", "aria-label": t("desk.filters"), novalidate: true, onSubmit },
    h("h2", { class: "govuk-heading-m" }, t("desk.filters")),
    h(
      "div",
      { class: "app-filters" },
      group("status", t("desk.filter.status"), null, inputs.status),
      text("procedure"),
      text("assignee", { autocapitalize: "none" }),
      text("name", { spellcheck: "false" }),
      text("id_number", { inputmode: "numeric" }),
      text("code", { autocapitalize: "characters" }),
    ),
    h("div", { class: "app-filters" }, range(t("desk.filter.received"), "received_from", "received_to"), range(t("desk.filter.due"), "due_after", "due_before")),
    flag("overdue"),
    flag("incoming"),
    h(
      "div",
      { class: "govuk-button-group" },
      h("button", { type: "submit", class: "govuk-button" }, t("desk.search")),
      link("#/desk", t("desk.clear_filters")),
    ),
  );
}

async function procedureCell(d) {
  const p = await procedureOf(d.procedure_code, d.procedure_version);
  const name = p ? local(p, "name") : "";
  return h("span", {}, name ? `${name} ` : null, h("span", { class: "app-muted" }, `(${d.procedure_code})`));
}

async function resultsTable(items) {
  const procedureCells = await Promise.all(items.map(procedureCell));
  return table(
    // Status and appointment date (with its late mark) come early: on a phone they are in view before the table
    // has to be scrolled sideways.
    [t("desk.col.code"), t("desk.col.status"), t("desk.col.due"), t("desk.col.applicant"), t("desk.col.procedure"), t("desk.col.received")],
    items.map((d, i) => [
      link(`#/desk/dossiers/${encodeURIComponent(d.id)}`, d.code),
      statusTag(d.status, d.status_name),
      dueCell(d),
      h("span", {}, applicantName(d.applicant), h("br"), h("span", { class: "app-muted" }, applicantIdNumber(d.applicant))),
      procedureCells[i],
      fmtDateTime(d.received_at) || t("desk.not_received"),
    ]),
    { caption: t("desk.results_caption") },
  );
}

export async function queuePage(params, query) {
  const live = alive();
  loading(t("desk.title"));
  const filters = {};
  for (const name of ALL_FILTERS) if (query[name]) filters[name] = query[name];
  const statusList = await statuses();
  let res = null;
  let failure = null;
  try {
    res = await api.get("/desk/dossiers", { query: { ...filters, cursor: query.cursor } });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 400) throw err;
    failure = err;
  }
  const body = [];
  if (res) {
    body.push(h("h2", { class: "govuk-heading-m" }, t("desk.results")));
    body.push(h("p", { class: "govuk-body", role: "status" }, t("desk.count", { n: res.items.length })));
    if (res.items.length) body.push(await resultsTable(res.items));
    else body.push(h("p", { class: "govuk-body" }, res.next_cursor ? t("desk.none_on_page") : t("desk.none")));
    const base = { ...filters };
    body.push(
      h(
        "nav",
        { class: "app-pagination", "aria-label": t("desk.pages") },
        query.cursor ? link(`#/desk${queryString(base)}`, t("desk.first_page")) : null,
        res.next_cursor ? link(`#/desk${queryString({ ...base, cursor: res.next_cursor })}`, t("desk.next_page")) : null,
      ),
    );
  }
  if (!live()) return;
  page(
    t("desk.title"),
    res ? h("p", { class: "govuk-body app-muted" }, t("desk.agency", { code: res.agency_code })) : null,
    intakeLink(),
    reconciliationLink(),
    feedbackQueueLink(),
    counterLink(),
    filterForm(filters, statusList),
    body,
    registerSection(),
  );
  // The API names the wrong parameter; the summary (which takes the focus) links to the filter field holding it.
  if (failure) errorSummary(failure);
}
