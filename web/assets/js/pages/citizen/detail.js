// #/my/dossiers/:id: where the dossier stands, its appointment date, receipt, results (signed or not), its forms to
// print, history and messages, and what the applicant may do now (allowed_actions): pay a fee online (./payment.js),
// answer a supplement request, withdraw, rate the handling.
import { api } from "../../api.js";
import { t, has, fmtDate, fmtDateTime } from "../../i18n.js";
import { alive, currentPath, isCurrent, refresh } from "../../router.js";
import { h, page, summaryList, table, statusTag, tag, notice, loading, link } from "../../ui.js";
import { fmtSize, local, procedure, requireSignIn } from "./common.js";
import { evaluateForm, resubmitForm, withdrawForm } from "./actions.js";
import { formsSection, focusForm, signatureCell } from "../../documents.js";
import { feeSection, confirmReturn, paymentNotice } from "./payment.js";
import { returnedPaymentId } from "../../payments.js";

// A message for the next render of this page (after an action, or when the dossier changed meanwhile).
let flash = null;

function section(title, ...children) {
  return h("section", { class: "app-section" }, h("h2", { class: "govuk-heading-m" }, title), ...children);
}

function applicantName(a) {
  if (!a) return "";
  return a.type === "business" ? a.name : a.full_name;
}

function deliveryText(delivery) {
  if (!delivery) return "";
  const method = t(`citizen.delivery.${delivery.method}`);
  return delivery.method === "post" && delivery.address ? `${method}: ${delivery.address}` : method;
}

function componentName(p, id) {
  const c = p && p.components.find((x) => x.id === id);
  return c ? local(c, "name") : id;
}

function overview(d, p) {
  const agency = d.receipt ? local(d.receipt.agency, "name") : p ? local(p, "agency_name") : d.agency_code;
  return summaryList([
    [t("citizen.detail.status"), statusTag(d.status, d.status_name)],
    [t("citizen.new.procedure"), h("span", {}, p ? local(p, "name") : "", p ? h("br") : null, h("span", { class: "app-muted" }, d.procedure_code))],
    [t("procedure.agency"), agency],
    [t("citizen.detail.submitted_at"), fmtDateTime(d.submitted_at)],
    [t("citizen.detail.received_at"), d.received_at ? fmtDateTime(d.received_at) : t("citizen.detail.not_yet")],
    [t("citizen.detail.appointment"), d.due_date ? h("strong", {}, fmtDate(d.due_date)) : t("citizen.detail.appointment_later")],
    [t("citizen.detail.applicant"), applicantName(d.applicant)],
    [t("citizen.new.summary"), d.summary],
    [t("citizen.delivery.legend"), deliveryText(d.delivery)],
  ]);
}

// What the agency said when it refused, stopped, decided or moved the date: the applicant reads the reasons.
function outcomes(d) {
  const out = [];
  if (d.refusal) out.push(h("div", { class: "govuk-inset-text" }, h("p", { class: "govuk-body" }, h("strong", {}, t("citizen.detail.refused")), " ", fmtDateTime(d.refusal.refused_at)), h("p", { class: "govuk-body" }, d.refusal.reason)));
  if (d.ended) {
    const key = d.ended.action === "withdraw" ? "citizen.detail.withdrawn" : "citizen.detail.stopped";
    out.push(h("div", { class: "govuk-inset-text" }, h("p", { class: "govuk-body" }, h("strong", {}, t(key)), " ", fmtDateTime(d.ended.at)), h("p", { class: "govuk-body" }, d.ended.reason)));
  }
  if (d.decision && d.decision.outcome === "reject" && d.decision.reason) {
    out.push(h("div", { class: "govuk-inset-text" }, h("p", { class: "govuk-body" }, h("strong", {}, t("citizen.detail.rejected_reason"))), h("p", { class: "govuk-body" }, d.decision.reason)));
  }
  for (const a of d.apologies || []) {
    out.push(
      h(
        "div",
        { class: "govuk-inset-text" },
        h("p", { class: "govuk-body" }, h("strong", {}, t("citizen.detail.apology")), " ", fmtDateTime(a.at)),
        h("p", { class: "govuk-body" }, t("citizen.detail.apology_dates", { from: fmtDate(a.previous_due_date), to: fmtDate(a.new_due_date) })),
        h("p", { class: "govuk-body" }, a.reason),
      ),
    );
  }
  return out;
}

// A result link lives five minutes: ask for it on the click, then open it; the link also stays on the page.
function resultRow(d, r) {
  const out = h("span", { class: "app-result-link", "aria-live": "polite" });
  const btn = h("button", { type: "button", class: "govuk-button govuk-button--secondary app-button--inline" }, t("citizen.results.download"), h("span", { class: "govuk-visually-hidden" }, ` ${r.file_name}`));
  btn.addEventListener("click", async () => {
    btn.disabled = true;
    out.replaceChildren(t("ui.loading"));
    try {
      const res = await api.get(`/dossiers/${encodeURIComponent(d.id)}/results/${encodeURIComponent(r.upload_id)}`);
      const a = h("a", { href: res.url, class: "govuk-link", target: "_blank", rel: "noopener" }, t("citizen.results.open", { name: r.file_name }));
      out.replaceChildren(a, " ", h("span", { class: "app-muted" }, t("citizen.results.expires", { minutes: Math.max(1, Math.round(res.expires_in / 60)) })));
      window.open(res.url, "_blank", "noopener");
    } catch (err) {
      out.replaceChildren(h("span", { class: "app-files__error" }, (err && (err.detail || err.title)) || t("error.unexpected")));
    } finally {
      btn.disabled = false;
    }
  });
  return [r.file_name, fmtSize(r.size), signatureCell(r), h("span", {}, btn, " ", out)];
}

// The applicant may download a result once it is returned (the API refuses earlier): until then, only its name.
function results(d) {
  if (!d.results || !d.results.length) return null;
  if (d.status !== "returned") {
    return section(
      t("citizen.results.title"),
      h("p", { class: "govuk-body" }, t("citizen.results.after_return")),
      table([t("citizen.results.file"), t("citizen.results.size"), t("documents.signature")], d.results.map((r) => [r.file_name, fmtSize(r.size), signatureCell(r)])),
    );
  }
  return section(
    t("citizen.results.title"),
    table([t("citizen.results.file"), t("citizen.results.size"), t("documents.signature"), t("citizen.results.action")], d.results.map((r) => resultRow(d, r))),
  );
}

function receipt(d, p) {
  const r = d.receipt;
  if (!r) return null;
  return section(
    t("citizen.receipt.title"),
    summaryList([
      [t("citizen.receipt.received_at"), r.received_at_local],
      [t("citizen.receipt.officer"), r.officer && r.officer.name],
      [t("citizen.receipt.appointment"), fmtDate(r.appointment_date)],
      [t("procedure.processing_time"), r.processing_time ? `${r.processing_time.value} ${t(`enum.${r.processing_time.unit}`)}` : ""],
      [t("citizen.receipt.components"), h("ul", { class: "govuk-list" }, (r.components || []).map((c) => h("li", {}, t("citizen.receipt.component_files", { name: p ? componentName(p, c.component_id) : c.name_vi, n: c.files }))))],
      r.note ? [t("citizen.receipt.note"), r.note] : null,
      r.lookup_url ? [t("citizen.receipt.lookup"), /^https?:/.test(r.lookup_url) ? link(r.lookup_url, r.lookup_url) : link(`#/lookup?code=${encodeURIComponent(d.code)}`, d.code)] : null,
    ]),
  );
}

function submittedFiles(d, p) {
  if (!d.components || !d.components.length) return null;
  return section(
    t("citizen.detail.files"),
    summaryList(d.components.map((c) => [componentName(p, c.component_id), h("ul", { class: "govuk-list" }, c.files.map((f) => h("li", {}, `${f.file_name} (${fmtSize(f.size)})`, f.paper_id ? h("span", { class: "app-muted" }, ` — ${t("papers.reused_mark")}`) : null)))])),
  );
}

function eventText(e) {
  const payload = e.payload || {};
  return [payload.reason, payload.note, payload.comment].filter((x) => typeof x === "string" && x.trim());
}

function history(res) {
  if (res instanceof Error) return section(t("citizen.history.title"), h("p", { class: "govuk-body" }, res.detail || res.title || t("error.try_again")));
  const events = [...(res.events || [])].sort((a, b) => b.seq - a.seq);
  return section(
    t("citizen.history.title"),
    events.length
      ? h(
          "ol",
          { class: "app-timeline", reversed: true },
          events.map((e) =>
            h(
              "li",
              { class: "app-timeline__item" },
              h("h3", { class: "app-timeline__title" }, has(`citizen.event.${e.type}`) ? t(`citizen.event.${e.type}`) : e.type),
              h("p", { class: "app-timeline__meta" }, h("time", { datetime: e.at }, fmtDateTime(e.at)), e.actor && e.actor.name ? ` · ${e.actor.name}` : ""),
              e.payload && e.payload.status ? h("p", { class: "govuk-body-s" }, t("citizen.history.status", { status: t(`status.${e.payload.status}`) })) : null,
              eventText(e).map((x) => h("p", { class: "govuk-body-s" }, x)),
            ),
          ),
        )
      : h("p", { class: "govuk-body" }, t("citizen.history.none")),
  );
}

function messages(res) {
  if (res instanceof Error) return section(t("citizen.messages.title"), h("p", { class: "govuk-body" }, res.detail || res.title || t("error.try_again")));
  const items = res.items || [];
  if (!items.length) return section(t("citizen.messages.title"), h("p", { class: "govuk-body" }, t("citizen.messages.none")));
  return section(
    t("citizen.messages.title"),
    table(
      [t("citizen.messages.when"), t("citizen.messages.channel"), t("citizen.messages.to"), t("citizen.messages.content"), t("citizen.messages.state")],
      items.map((n) => [
        fmtDateTime(n.sent_at || n.created_at),
        t(`citizen.channel.${n.channel}`),
        n.recipient,
        n.subject ? h("details", { class: "app-details" }, h("summary", {}, n.subject), h("p", { class: "app-prewrap" }, n.body)) : n.body,
        h("span", {}, tag(t(`citizen.delivery_state.${n.status}`), n.status === "failed" ? "red" : n.status === "sent" ? "green" : "grey"), n.reason ? h("span", { class: "app-muted" }, h("br"), n.reason) : null),
      ]),
    ),
  );
}

// `query.form` (from the link in a message, e.g. ?form=receipt) brings that form's print button into view;
// `query.payment` (the way back from the payment gateway) waits for that payment's outcome, then says it.
export async function dossierPage(params, query = {}) {
  if (!requireSignIn()) return;
  const returned = returnedPaymentId(query);
  let paid = null;
  if (returned) {
    const live = alive();
    paid = await confirmReturn(params.id, returned);
    if (!paid || !live()) return;
  }
  const here = currentPath();
  loading(t("citizen.detail.loading"));
  const id = encodeURIComponent(params.id);
  const [res, hist, notes, payments] = await Promise.all([
    api.get(`/dossiers/${id}`, { full: true }),
    api.get(`/dossiers/${id}/history`).catch((e) => e),
    api.get(`/dossiers/${id}/notifications`).catch((e) => e),
    api.get(`/dossiers/${id}/payments`).then((r) => r.items || [], () => null),
  ]);
  const d = res.body;
  const etag = res.headers.get("ETag") || `"${d.version}"`;
  const p = await procedure(d.procedure_code, d.procedure_version).catch(() => null);
  if (!isCurrent(here)) return;

  const message = flash;
  flash = null;
  const allowed = d.allowed_actions || [];
  // Every action sends the version this page showed; a 409 means someone acted first: say so and show the new state.
  const ctx = {
    d,
    p,
    etag,
    done(text) {
      flash = { kind: "success", text };
      refresh();
    },
    conflict() {
      // The API's own detail says to reload, which this page has just done: its words would mislead.
      flash = { kind: "info", text: t("citizen.detail.changed") };
      refresh();
    },
  };
  const openRequest = (d.supplement_requests || []).filter((r) => !r.resolved_at).pop();
  const outcome = paid ? paymentNotice(paid) : null;
  page(
    t("citizen.detail.title", { code: d.code }),
    outcome,
    message ? notice(message.text, message.kind) : null,
    overview(d, p),
    outcomes(d),
    feeSection(d, payments, ctx),
    allowed.includes("resubmit") && openRequest ? section(t("citizen.supplement.title"), resubmitForm(ctx, openRequest)) : null,
    results(d),
    formsSection(d),
    allowed.includes("evaluate") || d.evaluation ? section(t("citizen.evaluation.title"), evaluateForm(ctx, allowed.includes("evaluate"))) : null,
    receipt(d, p),
    submittedFiles(d, p),
    history(hist),
    messages(notes),
    allowed.includes("withdraw") ? section(t("citizen.withdraw.title"), withdrawForm(ctx)) : null,
    h("p", { class: "govuk-body" }, link("#/my/dossiers", t("citizen.detail.back"))),
  );
  // Not after an action or a payment: its notice is what the applicant must hear then.
  if (outcome) outcome.focus();
  else if (!message) focusForm(query.form);
}
