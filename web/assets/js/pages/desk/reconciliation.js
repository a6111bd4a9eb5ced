// #/desk/payments/reconciliation?date=YYYY-MM-DD: the agency's online payments of one day (Vietnam time) against
// the payment gateway's statement (GET /desk/payments/reconciliation), problems first, for the finance officer; the
// same report downloaded as CSV or Excel. For officers, leaders and administrators (the API's roles).
import { api, ApiError } from "../../api.js";
import { hasGroup } from "../../auth.js";
import { t, has, today, fmtDate, fmtDateTime, fmtNumber, fmtVnd } from "../../i18n.js";
import { go, alive } from "../../router.js";
import { h, page, link, table, tag, summaryList, errorSummary, clearErrors, download, busy, loading } from "../../ui.js";
import { XLSX, fetchFile } from "../../documents.js";
import { paymentStateText } from "../../payments.js";

const PATH = "/desk/payments/reconciliation";
const ROLES = ["officer", "leader", "admin"];
const FORMATS = { csv: "text/csv", xlsx: XLSX };
const OUTCOMES = ["missing_here", "missing_there", "amount_differs", "matched"];
const COLOURS = { matched: "green", missing_here: "red", missing_there: "orange", amount_differs: "red" };

// The link on the work queue, for those the API lets read the report.
export function reconciliationLink() {
  if (!ROLES.some(hasGroup)) return null;
  return h("p", { class: "govuk-body" }, link(`#${PATH}`, t("desk.reconciliation.link")));
}

function outcomeTag(outcome) {
  return tag(t(`desk.reconciliation.outcome.${outcome}`), COLOURS[outcome] || "grey");
}

function amount(value) {
  return value === null || value === undefined ? "—" : fmtVnd(value);
}

function summarySection(res) {
  const s = res.summary || {};
  return h(
    "section",
    { class: "app-section", "aria-labelledby": "reconciliation-summary-title" },
    h("h2", { class: "govuk-heading-m", id: "reconciliation-summary-title" }, t("desk.reconciliation.summary", { terminal: res.terminal })),
    summaryList(OUTCOMES.map((o) => [outcomeTag(o), h("span", { id: `reconciliation-${o}` }, fmtNumber(s[o] || 0))])),
  );
}

function rowsSection(res) {
  const rows = res.rows || [];
  return h(
    "section",
    { class: "app-section", "aria-labelledby": "reconciliation-rows-title" },
    h("h2", { class: "govuk-heading-m", id: "reconciliation-rows-title" }, t("desk.reconciliation.rows")),
    rows.length
      ? table(
          [
            t("desk.reconciliation.col.outcome"), t("desk.reconciliation.col.kind"), t("desk.reconciliation.col.reference"),
            t("desk.reconciliation.col.transaction"), t("desk.reconciliation.col.gateway_amount"),
            t("desk.reconciliation.col.recorded_amount"), t("desk.reconciliation.col.recorded_state"),
            t("desk.reconciliation.col.dossier"), t("desk.reconciliation.col.paid_at"),
          ],
          rows.map((r) => [
            outcomeTag(r.outcome),
            has(`desk.reconciliation.kind.${r.kind}`) ? t(`desk.reconciliation.kind.${r.kind}`) : r.kind,
            h("span", { class: "app-hash" }, r.reference),
            r.transaction_no || "—",
            amount(r.gateway_amount_vnd),
            amount(r.recorded_amount_vnd),
            r.recorded_state ? paymentStateText(r.recorded_state) : "—",
            r.dossier_code ? link(`#/desk?code=${encodeURIComponent(r.dossier_code)}`, r.dossier_code) : "—",
            (r.paid_at ? fmtDateTime(r.paid_at) : "") || "—",
          ]),
          { caption: t("desk.reconciliation.rows_caption", { date: fmtDate(res.date) }), hideCaption: true, numeric: [4, 5] },
        )
      : h("p", { class: "govuk-body" }, t("desk.reconciliation.none")),
  );
}

// The day to show (the field's id is the API's parameter, so its error lands there) and the two downloads.
function dateForm(date) {
  const input = h("input", { class: "govuk-input govuk-input--width-10", id: "field-date", name: "date", type: "date", value: date, max: today(), "aria-describedby": "field-date-hint" });
  const form = h("form", { novalidate: true, "aria-label": t("desk.reconciliation.form") });
  const missing = () => {
    if (input.value) return false;
    errorSummary(new ApiError({ status: 400, errors: [{ field: "date", message: t("desk.reconciliation.date_required") }] }));
    return true;
  };
  const fetchAs = async (format, button) => {
    if (missing()) return;
    try {
      const file = await busy(
        fetchFile(PATH, FORMATS[format], { query: { date: input.value, format }, fallbackName: `doi-soat-${input.value}.${format}` }),
        { button, scope: form },
      );
      clearErrors();
      download(file.blob, file.fileName);
    } catch (err) {
      errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("error.unexpected") }));
    }
  };
  const show = h("button", { type: "submit", class: "govuk-button" }, t("desk.reconciliation.show"));
  const csv = h("button", { type: "button", class: "govuk-button govuk-button--secondary" }, t("desk.reconciliation.csv"));
  const xlsx = h("button", { type: "button", class: "govuk-button govuk-button--secondary" }, t("desk.reconciliation.xlsx"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!missing()) go(`${PATH}?date=${encodeURIComponent(input.value)}`);
  });
  csv.addEventListener("click", () => fetchAs("csv", csv));
  xlsx.addEventListener("click", () => fetchAs("xlsx", xlsx));
  form.append(
    h(
      "div",
      { class: "govuk-form-group" },
      h("label", { class: "govuk-label govuk-label--s", for: input.id }, t("desk.reconciliation.date")),
      h("div", { class: "govuk-hint", id: "field-date-hint" }, t("desk.reconciliation.date_hint")),
      input,
    ),
    h("div", { class: "govuk-button-group" }, show, csv, xlsx),
  );
  return form;
}

export async function reconciliationPage(params, query) {
  const live = alive();
  loading(t("desk.reconciliation.title"));
  const date = query.date || today();
  let res = null;
  let failure = null;
  try {
    res = await api.get(PATH, { query: { date } });
  } catch (err) {
    // Signed out or not allowed: the router's page says so. A wrong day or the gateway out of reach: said here.
    if (!(err instanceof ApiError) || [401, 403, 404].includes(err.status) || !err.status) throw err;
    failure = err;
  }
  if (!live()) return;
  page(
    t("desk.reconciliation.title"),
    h("p", { class: "govuk-body" }, link("#/desk", t("desk.back"))),
    h("p", { class: "govuk-body" }, t("desk.reconciliation.hint")),
    dateForm(date),
    res ? summarySection(res) : null,
    res ? rowsSection(res) : null,
  );
  if (failure) errorSummary(failure);
}
