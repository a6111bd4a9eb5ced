// The register of dossiers (sổ theo dõi hồ sơ) on the work queue: the officer's agency (a leader's or specialist's
// unit) for the days of receipt chosen, downloaded as PDF or Excel from GET /desk/register.
import { ApiError } from "../../api.js";
import { hasGroup } from "../../auth.js";
import { t, today } from "../../i18n.js";
import { h, errorSummary, clearErrors, download, busy } from "../../ui.js";
import { PDF, XLSX, fetchFile } from "../../documents.js";

const ROLES = ["officer", "leader", "specialist"];
const FORMATS = { pdf: PDF, xlsx: XLSX };

// The field ids are the API's parameter names (`from`, `to`), so its errors land on the right date.
function dateField(name, label, value) {
  const input = h("input", { class: "govuk-input govuk-input--width-10", id: `field-${name}`, name, type: "date", value });
  const group = h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label govuk-label--s", for: input.id }, label), input);
  return { input, group };
}

// The form, or null for someone the API would refuse (an administrator).
export function registerSection() {
  if (!ROLES.some(hasGroup)) return null;
  const day = today();
  // This month so far: the register is usually printed for the month running.
  const from = dateField("from", t("desk.register.from"), `${day.slice(0, 8)}01`);
  const to = dateField("to", t("desk.register.to"), day);
  const form = h("form", { novalidate: true, "aria-labelledby": "desk-register-title" });
  const fetchAs = async (format, button) => {
    const local = [];
    if (!from.input.value) local.push({ field: "from", message: t("desk.register.date_required") });
    if (!to.input.value) local.push({ field: "to", message: t("desk.register.date_required") });
    if (local.length) {
      errorSummary(new ApiError({ status: 400, errors: local }), form);
      return;
    }
    try {
      const file = await busy(
        fetchFile("/desk/register", FORMATS[format], {
          query: { from: from.input.value, to: to.input.value, format },
          fallbackName: `so-theo-doi-ho-so-${from.input.value}-${to.input.value}.${format}`,
        }),
        { button, scope: form },
      );
      clearErrors(form);
      download(file.blob, file.fileName);
    } catch (err) {
      errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("error.unexpected") }), form);
    }
  };
  const pdf = h("button", { type: "submit", class: "govuk-button" }, t("desk.register.pdf"));
  const xlsx = h("button", { type: "button", class: "govuk-button govuk-button--secondary" }, t("desk.register.xlsx"));
  // Enter in a date downloads the PDF (the form's submit button); Excel has its own button.
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    fetchAs("pdf", pdf);
  });
  xlsx.addEventListener("click", () => fetchAs("xlsx", xlsx));
  form.append(
    h("p", { class: "govuk-body" }, t("desk.register.hint")),
    h(
      "fieldset",
      { class: "govuk-fieldset govuk-form-group" },
      h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, t("desk.register.period")),
      h("div", { class: "app-filters" }, from.group, to.group),
    ),
    h("div", { class: "govuk-button-group" }, pdf, xlsx),
  );
  return h(
    "section",
    { class: "app-section", id: "desk-register" },
    h("h2", { class: "govuk-heading-m", id: "desk-register-title" }, t("desk.register.title")),
    form,
  );
}
