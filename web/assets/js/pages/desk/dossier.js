// #/desk/dossiers/:id: everything the API returns about a dossier that matters to an officer, its one-stop forms
// to print, its control slip and history, then the actions this officer may take.
import { api, ApiError } from "../../api.js";
import { t } from "../../i18n.js";
import { alive } from "../../router.js";
import { h, page, link, notice, errorSummary, loading } from "../../ui.js";
import { agencies, procedureOf } from "./common.js";
import * as s from "./sections.js";
import { actionsSection, jumpToActions } from "./actions.js";
import { formsSection, focusForm } from "../../documents.js";
import { feeSection } from "./fee.js";

// The dossier with its ETag, and what the page shows beside it; a part that cannot be read is shown as such
// rather than hiding the dossier.
async function load(id) {
  const path = `/dossiers/${encodeURIComponent(id)}`;
  const res = await api.request("GET", path, { full: true });
  const d = res.body;
  const [slip, events, procedure, agencyList, payments] = await Promise.all([
    api.get(`${path}/control-slip`).then((r) => r.steps, () => d.control_slip || []),
    api.get(`${path}/history`).then((r) => r.events, () => null),
    procedureOf(d.procedure_code, d.procedure_version),
    agencies().catch(() => []),
    d.fee ? api.get(`${path}/payments`).then((r) => r.items || [], () => null) : [],
  ]);
  return { d, etag: res.headers.get("ETag"), slip, events, procedure, agencies: agencyList, payments };
}

async function show(id, { flash, conflict, form } = {}) {
  const live = alive();
  const data = await load(id);
  if (!live()) return null;
  const { d } = data;
  const ctx = { etag: data.etag, procedure: data.procedure, agencies: data.agencies, home: d.agency_code };
  const reload = async (next) => {
    const focus = await show(id, next);
    if (focus) focus.focus();
  };
  const banner = flash ? notice(t("desk.flash", { done: flash, status: d.status_name }), "success") : null;
  if (banner) banner.setAttribute("tabindex", "-1");
  page(
    t("desk.dossier_title", { code: d.code }),
    h("p", { class: "govuk-body" }, link("#/desk", t("desk.back"))),
    banner,
    jumpToActions(d),
    s.overview(d, ctx),
    formsSection(d),
    s.applicant(d),
    s.components(d, ctx),
    s.receipt(d),
    s.supplements(d, ctx),
    s.handling(d),
    feeSection(d, data.payments),
    s.results(d),
    s.apologies(d),
    s.interAgency(d),
    s.evaluation(d),
    s.portalSync(d),
    s.controlSlip(data.slip, ctx),
    data.events ? s.history(data.events) : h("p", { class: "govuk-body" }, t("desk.history_unavailable")),
    actionsSection(d, ctx, reload),
  );
  // The print button asked for in the address (?form=receipt), unless an action's outcome needs the focus.
  if (!flash && !conflict) focusForm(form);
  if (conflict) {
    // Someone else acted first: the page now shows the dossier as it is, and says so.
    // A stale If-Match gets our explanation; another conflict (e.g. a status that no longer allows the action)
    // keeps the API's own words.
    const why = conflict.code === "concurrent_update" || !conflict.detail ? t("desk.conflict_detail") : `${conflict.detail} ${t("desk.conflict_reloaded")}`;
    return errorSummary(new ApiError({ status: 409, title: t("desk.conflict_title"), detail: why }));
  }
  return banner || document.querySelector("#main h1");
}

export async function dossierPage(params, query = {}) {
  loading(t("desk.dossier_loading"));
  await show(params.id, { form: query.form });
}
