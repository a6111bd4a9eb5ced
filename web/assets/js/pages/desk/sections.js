// The parts of a dossier an officer reads, one section each; a section with nothing to show is left out.
import { api, ApiError } from "../../api.js";
import { t, has, fmtDate, fmtDateTime } from "../../i18n.js";
import { h, summaryList, table, statusTag, link, errorSummary } from "../../ui.js";
import {
  local, applicantName, deadlineTag, dueCell, actionLabel, roleLabel, staffText, yesNo, fileSize, unitName, agencyName,
} from "./common.js";
import { signatureCell } from "../../documents.js";

function section(title, ...content) {
  return h("section", { class: "app-desk-section" }, h("h2", { class: "govuk-heading-m" }, title), content);
}

function enumText(value) {
  return value && has(`enum.${value}`) ? t(`enum.${value}`) : value || "";
}

function componentName(ctx, id) {
  const c = ((ctx.procedure && ctx.procedure.components) || []).find((x) => x.id === id);
  return c ? local(c, "name") : id;
}

export function overview(d, ctx) {
  const p = ctx.procedure;
  const alert = deadlineTag(d);
  return section(
    t("desk.section.overview"),
    summaryList([
      [t("desk.code"), d.code],
      [t("desk.status"), h("span", {}, statusTag(d.status, d.status_name), alert ? " " : null, alert)],
      [t("desk.procedure"), `${p ? `${local(p, "name")} — ` : ""}${d.procedure_code} (${t("desk.version", { n: d.procedure_version })})`],
      [t("desk.agency_name"), `${agencyName(ctx.agencies, d.agency_code)} (${d.agency_code})`],
      // Received regardless of administrative boundaries: the desk that took it in, and its hand-over.
      d.receiving_agency ? [t("desk.receiving_agency"), `${agencyName(ctx.agencies, d.receiving_agency)} (${d.receiving_agency})`] : null,
      d.receiving_agency ? [t("desk.forwarded"), d.forwarded ? forwardedText(d.forwarded, ctx) : t("desk.forwarded.not_yet")] : null,
      d.forwarded && d.forwarded.paper_tracking_number ? [t("field.paper_tracking_number"), d.forwarded.paper_tracking_number] : null,
      [t("desk.channel"), t(`desk.channel.${d.channel}`)],
      d.postal ? [t("desk.postal.tracking_number"), d.postal.tracking_number] : null,
      d.postal ? [t("desk.postal.received_on"), fmtDate(d.postal.received_on)] : null,
      [t("desk.origin"), d.origin === "national_portal" ? t("desk.origin.national_portal", { code: d.portal_code || "" }) : t("desk.origin.platform")],
      [t("desk.summary"), d.summary],
      [t("desk.delivery"), [enumText(d.delivery && d.delivery.method), d.delivery && d.delivery.address ? ` — ${d.delivery.address}` : null]],
      [t("desk.submitted_at"), fmtDateTime(d.submitted_at)],
      [t("desk.received_at"), fmtDateTime(d.received_at)],
      [t("desk.appointment_date"), d.due_date ? dueCell(d) : null],
      [t("desk.statutory_due_date"), fmtDate(d.statutory_due_date)],
      d.paused_at ? [t("desk.paused_at"), fmtDateTime(d.paused_at)] : null,
      [t("desk.deadline_alert"), d.deadline_alert ? t(`desk.alert.${d.deadline_alert}`) : t("desk.alert.none")],
      [t("desk.unit"), unitName(ctx.agencies, d.agency_code, d.unit)],
      [t("desk.assignee"), d.assignee ? `${d.assignee.name || ""} (${d.assignee.username || d.assignee.id})` : null],
      [t("desk.apology_allowance"), String(d.apology_allowance)],
      [t("desk.updated_at"), `${fmtDateTime(d.updated_at)} — ${t("desk.version_n", { n: d.version })}`],
    ]),
  );
}

function forwardedText(f, ctx) {
  const agency = f.to_agency_name || agencyName(ctx.agencies, f.to_agency);
  const note = f.note ? ` — ${f.note}` : "";
  return `${t("desk.forwarded.text", { agency, at: fmtDateTime(f.at), by: staffText(f.by) })}${note}`;
}

export function applicant(d) {
  const a = d.applicant || {};
  const rep = a.representative;
  return section(
    t("desk.section.applicant"),
    summaryList([
      [t("desk.applicant.type"), enumText(a.type)],
      [t("desk.applicant.name"), applicantName(a)],
      a.type === "business" ? [t("desk.applicant.tax_code"), a.tax_code] : [t("desk.applicant.citizen_id"), a.citizen_id],
      a.type === "business" ? null : [t("desk.applicant.date_of_birth"), fmtDate(a.date_of_birth)],
      rep ? [t("desk.applicant.representative"), [rep.full_name, rep.position ? `, ${rep.position}` : null, rep.citizen_id ? ` (${rep.citizen_id})` : null]] : null,
      [t("desk.applicant.phone"), a.phone],
      [t("desk.applicant.email"), a.email],
      [t("desk.applicant.address"), a.address],
      [t("desk.applicant.sms"), yesNo(d.sms_opt_in)],
    ]),
  );
}

export function components(d, ctx) {
  return section(
    t("desk.section.components"),
    d.components.length
      ? table(
          [t("desk.col.component"), t("desk.col.files")],
          d.components.map((c) => [
            h("span", {}, componentName(ctx, c.component_id), h("br"), h("span", { class: "app-muted" }, c.component_id)),
            h("ul", { class: "govuk-list" }, c.files.map((f) => h("li", {}, `${f.file_name} — ${f.content_type}, ${fileSize(f.size)} `, f.paper_id ? h("span", { class: "app-muted" }, `(${t("papers.reused_mark")}) `) : null, fileLink(d, f, "files")))),
          ]),
          { caption: t("desk.components_caption") },
        )
      : h("p", { class: "govuk-body" }, t("desk.none_given")),
  );
}

export function receipt(d) {
  const r = d.receipt;
  if (!r) return null;
  return section(
    t("desk.section.receipt"),
    summaryList([
      [t("desk.receipt.officer"), r.officer && r.officer.name],
      [t("desk.received_at"), r.received_at_local || fmtDateTime(r.received_at)],
      [t("desk.appointment_date"), fmtDate(r.appointment_date)],
      [t("desk.receipt.processing_time"), r.processing_time ? `${r.processing_time.value} ${enumText(r.processing_time.unit)}` : null],
      [t("desk.receipt.components"), h("ul", { class: "govuk-list" }, (r.components || []).map((c) => h("li", {}, t("desk.receipt.component_files", { name: c.name_vi, n: c.files }))))],
      [t("field.note"), r.note],
      [t("desk.receipt.lookup"), r.lookup_url],
    ]),
  );
}

export function supplements(d, ctx) {
  if (!d.supplement_requests.length) return null;
  return section(
    t("desk.section.supplements"),
    d.supplement_requests.map((s) =>
      h(
        "div",
        {},
        h("h3", { class: "govuk-heading-s" }, t("desk.supplement.title", { n: s.number })),
        summaryList([
          [t("desk.at"), fmtDateTime(s.requested_at)],
          [t("desk.by"), staffText(s.requested_by)],
          [t("field.note"), s.note],
          [t("desk.supplement.resolved_at"), s.resolved_at ? fmtDateTime(s.resolved_at) : t("desk.supplement.awaited")],
        ]),
        table(
          [t("desk.col.component"), t("field.reason")],
          s.items.map((i) => [componentName(ctx, i.component_id) || local(i, "name"), i.reason]),
          { caption: t("desk.supplement.items", { n: s.number }) },
        ),
      ),
    ),
  );
}

function byAt(x) {
  return [
    [t("desk.at"), fmtDateTime(x.at)],
    [t("desk.by"), staffText(x.by)],
  ];
}

export function handling(d) {
  const parts = [];
  if (d.refusal) {
    parts.push(h("h3", { class: "govuk-heading-s" }, t("desk.refusal")),
      summaryList([[t("field.reason"), d.refusal.reason], [t("desk.at"), fmtDateTime(d.refusal.refused_at)], [t("desk.by"), staffText(d.refusal.refused_by)]]));
  }
  if (d.proposal) {
    parts.push(h("h3", { class: "govuk-heading-s" }, t("desk.proposal")),
      summaryList([[t("field.proposal"), enumText(d.proposal.proposal)], [t("field.assessment"), d.proposal.assessment], [t("field.note"), d.proposal.note], ...byAt(d.proposal)]));
  }
  if (d.decision) {
    parts.push(h("h3", { class: "govuk-heading-s" }, t("desk.decision")),
      summaryList([[t("desk.outcome"), t(`desk.outcome.${d.decision.outcome}`)], d.decision.reason ? [t("field.reason"), d.decision.reason] : null, [t("field.note"), d.decision.note], ...byAt(d.decision)]));
  }
  if (d.ended) {
    parts.push(h("h3", { class: "govuk-heading-s" }, t(`desk.ended.${d.ended.action}`)),
      summaryList([[t("field.reason"), d.ended.reason], ...byAt(d.ended)]));
  }
  return parts.length ? section(t("desk.section.handling"), parts) : null;
}

// A file (a submitted one under `files`, a result under `results`) is fetched as a five-minute link on demand;
// the link then appears in place of the button.
function fileLink(d, r, collection) {
  const box = h("span", {});
  const get = h("button", { type: "button", class: "app-link-button" }, t("desk.result.get_link", { name: r.file_name }));
  get.addEventListener("click", async () => {
    get.disabled = true;
    try {
      const res = await api.get(`/dossiers/${encodeURIComponent(d.id)}/${collection}/${encodeURIComponent(r.upload_id)}`);
      const a = link(res.url, t("desk.result.open", { name: r.file_name }), { target: "_blank", rel: "noopener" });
      box.replaceChildren(a, h("span", { class: "app-muted" }, ` ${t("desk.result.expires", { n: Math.round(res.expires_in / 60) })}`));
      a.focus();
    } catch (err) {
      get.disabled = false;
      errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("error.unexpected") }));
    }
  });
  box.append(get);
  return box;
}

export function results(d) {
  const ret = d.returned;
  if (!d.results.length && !ret) return null;
  const parts = [];
  if (d.results.length) {
    parts.push(table(
      [t("desk.col.file"), t("desk.col.size"), t("documents.signature"), t("desk.col.download")],
      d.results.map((r) => [r.file_name, fileSize(r.size), signatureCell(r), fileLink(d, r, "results")]),
      { caption: t("desk.result.files") },
    ));
  }
  if (ret) {
    const delivered = ret.delivered;
    parts.push(h("h3", { class: "govuk-heading-s" }, t("desk.returned")), summaryList([
      [t("field.method"), enumText(ret.method)],
      ...byAt(ret),
      ret.received_by ? [t("field.received_by"), ret.received_by] : null,
      ret.id_number ? [t("field.id_number"), ret.id_number] : null,
      ret.tracking_number ? [t("field.tracking_number"), `${ret.tracking_number}${ret.carrier ? ` (${ret.carrier})` : ""}`] : null,
      ret.method === "post" ? [t("field.delivered_on"), delivered ? `${fmtDate(delivered.delivered_on)} — ${staffText(delivered.by)}` : t("desk.not_yet")] : null,
      [t("field.note"), ret.note],
    ]));
  }
  return section(t("desk.section.results"), parts);
}

export function apologies(d) {
  if (!d.apologies.length) return null;
  return section(
    t("desk.section.apologies"),
    table(
      [t("desk.at"), t("desk.by"), t("desk.apology.previous"), t("field.new_due_date"), t("field.reason")],
      d.apologies.map((a) => [fmtDateTime(a.at), staffText(a.by), fmtDate(a.previous_due_date), fmtDate(a.new_due_date), a.reason]),
      { caption: t("desk.apologies_caption") },
    ),
  );
}

function onTimeText(value) {
  if (value === null || value === undefined) return t("desk.in_progress");
  return value ? t("desk.on_time") : t("desk.late");
}

// One summary list per step: requests and replies are long texts, which a narrow table would squeeze.
export function interAgency(d) {
  if (!d.inter_agency.length) return null;
  return section(
    t("desk.section.inter_agency"),
    d.inter_agency.map((s) => [
      h("h3", { class: "govuk-heading-s" }, t("desk.inter_agency.step", { n: s.step, agency: s.agency_name || s.agency_code })),
      summaryList([
        [t("field.request"), s.request],
        [t("field.step_due"), fmtDate(s.step_due)],
        [t("desk.col.sent"), `${fmtDateTime(s.sent_at)} — ${staffText(s.sent_by)}`],
        [t("field.reply"), s.reply],
        [t("desk.col.returned"), s.returned_at ? `${fmtDateTime(s.returned_at)} — ${staffText(s.returned_by)}` : null],
        [t("desk.col.on_time"), onTimeText(s.on_time)],
      ]),
    ]),
  );
}

export function evaluation(d) {
  const e = d.evaluation;
  if (!e) return null;
  const c = e.criteria || {};
  return section(
    t("desk.section.evaluation"),
    summaryList([
      [t("desk.evaluation.satisfied"), e.satisfied ? t("enum.satisfied") : t("enum.not_satisfied")],
      ...["timeliness", "attitude", "guidance", "transparency"].filter((k) => c[k]).map((k) => [t(`desk.evaluation.${k}`), enumText(c[k])]),
      c.visits != null ? [t("field.visits"), String(c.visits)] : null,
      [t("field.comment"), e.comment],
      [t("desk.evaluation.at"), fmtDateTime(e.evaluated_at)],
      [t("desk.evaluation.amend_until"), fmtDateTime(e.amend_until)],
    ]),
  );
}

export function portalSync(d) {
  const s = d.national_portal_sync;
  if (!s) return null;
  return section(
    t("desk.section.portal"),
    summaryList([
      [t("desk.portal.code"), s.portal_code],
      [t("desk.portal.in_sync"), s.in_sync ? t("desk.portal.synced") : t("desk.portal.pending")],
      [t("desk.portal.status"), s.portal_status != null ? String(s.portal_status) : null],
      [t("desk.portal.synced_at"), fmtDateTime(s.synced_at)],
      [t("desk.portal.attempts"), String(s.attempts)],
      s.last_error ? [t("desk.portal.last_error"), s.last_error] : null,
      [t("desk.portal.last_attempt_at"), fmtDateTime(s.last_attempt_at)],
    ]),
  );
}

// One side of a hand-over; a unit or agency given only by its code is named from GET /agencies. Staff of another
// agency than the dossier's (the desk that received it regardless of boundaries) are shown with their agency.
function party(p, ctx) {
  if (!p) return "";
  const unit = p.unit ? unitName(ctx.agencies, p.agency_code, p.unit) : "";
  const who = p.name || p.username || unit || agencyName(ctx.agencies, p.agency_code) || "";
  const what = p.kind ? t(`desk.party.${p.kind}`) : roleLabel(p.role);
  const text = what ? `${who} (${what})` : who;
  const elsewhere = p.kind !== "agency" && p.agency_code && ctx.home && p.agency_code !== ctx.home;
  return elsewhere ? `${text} — ${agencyName(ctx.agencies, p.agency_code)}` : text;
}

export function controlSlip(steps, ctx) {
  return section(
    t("desk.section.control_slip"),
    steps.length
      ? table(
          [t("desk.col.step"), t("desk.col.action"), t("desk.col.from"), t("desk.col.to"), t("desk.col.handed_at"), t("desk.col.step_due"), t("desk.col.completed"), t("desk.col.on_time")],
          steps.map((s) => [String(s.step), actionLabel(s.action), party(s.from, ctx), party(s.to, ctx), fmtDateTime(s.handed_at), fmtDate(s.due_date), fmtDateTime(s.completed_at) || "—", onTimeText(s.on_time)]),
          { caption: t("desk.slip_caption") },
        )
      : h("p", { class: "govuk-body" }, t("desk.slip_empty")),
  );
}

function eventDetail(e) {
  const p = e.payload || {};
  const bits = [];
  if (p.status && p.previous_status !== p.status) bits.push(t("desk.event.to_status", { status: t(`status.${p.status}`) }));
  for (const k of ["reason", "note", "assessment", "request", "reply"]) if (typeof p[k] === "string" && p[k]) bits.push(`${t(`field.${k}`)}: ${p[k]}`);
  return bits.join(" · ");
}

// A list rather than a table: it reads the same at 375 px as on a desk.
export function history(events) {
  return section(
    t("desk.section.history"),
    h(
      "ol",
      { class: "app-results" },
      events.map((e) => {
        const detail = eventDetail(e);
        return h(
          "li",
          { class: "app-results__item" },
          h("h3", { class: "app-results__title" }, `${e.seq}. ${has(`desk.event.${e.type}`) ? t(`desk.event.${e.type}`) : e.type}`),
          h("p", { class: "app-results__meta" }, `${fmtDateTime(e.at)}${e.actor ? ` — ${staffText(e.actor)}` : ""}`),
          detail ? h("p", { class: "govuk-body-s" }, detail) : null,
        );
      }),
    ),
  );
}
