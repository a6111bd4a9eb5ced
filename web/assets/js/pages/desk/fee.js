// The fee on the desk's dossier page: what was asked for, how it was paid (at the desk, by transfer or online, with
// the receipt or transaction number), and every online payment of it with each state it went through and where that
// news came from (the applicant, the gateway's notification, the reconciliation job).
import { t, fmtDateTime, fmtVnd } from "../../i18n.js";
import { h, summaryList, table } from "../../ui.js";
import { staffText } from "./common.js";
import { paymentStateTag, paymentStateText, paymentMethodText, paymentNumberLabel, paymentSourceText } from "../../payments.js";

function paymentText(p) {
  return [fmtVnd(p.amount_vnd), paymentMethodText(p.method)].join(", ");
}

function historyList(p) {
  return h(
    "ol",
    { class: "govuk-list" },
    (p.history || []).map((e) => h("li", {}, `${fmtDateTime(e.at)} — ${paymentStateText(e.state)} (${paymentSourceText(e.source)})`)),
  );
}

function transactionCell(p) {
  if (!p.transaction_no) return "—";
  return h("span", {}, p.transaction_no, p.bank ? ` (${p.bank})` : null, p.paid_at ? h("br") : null, p.paid_at ? fmtDateTime(p.paid_at) : null);
}

function stateCell(p) {
  const notApplied = p.applied === false ? h("span", { class: "app-muted" }, h("br"), t("desk.payment.not_applied")) : null;
  return h("span", {}, paymentStateTag(p.state), notApplied);
}

function onlineTable(payments) {
  if (payments === null) return h("p", { class: "govuk-body" }, t("desk.payment.unavailable"));
  if (!payments.length) return null;
  return table(
    [t("desk.payment.col.id"), t("desk.payment.col.amount"), t("desk.payment.col.state"), t("desk.payment.col.created"), t("desk.payment.col.transaction"), t("desk.payment.col.history")],
    payments.map((p) => [
      h("span", { class: "app-hash" }, p.id),
      fmtVnd(p.amount_vnd),
      stateCell(p),
      h("span", {}, fmtDateTime(p.created_at), h("br"), h("span", { class: "app-muted" }, t("desk.payment.expires", { at: fmtDateTime(p.expires_at) }))),
      transactionCell(p),
      historyList(p),
    ]),
    { caption: t("desk.payment.online_caption"), numeric: [1] },
  );
}

// The "Phí, lệ phí" section, or null when no fee was asked for. `payments`: GET /dossiers/{id}/payments's items,
// null when they could not be read.
export function feeSection(d, payments) {
  const f = d.fee;
  if (!f) return null;
  const p = f.payment;
  return h(
    "section",
    { class: "app-desk-section", id: "desk-fee" },
    h("h2", { class: "govuk-heading-m" }, t("desk.section.fee")),
    summaryList([
      [t("field.amount_vnd"), fmtVnd(f.amount_vnd)],
      [t("field.purpose"), f.purpose],
      [t("desk.fee.requested"), `${fmtDateTime(f.requested_at)} — ${staffText(f.requested_by)}`],
      [t("desk.fee.payment"), p ? paymentText(p) : t("desk.fee.unpaid")],
      p ? [paymentNumberLabel(p.method), p.receipt_number] : null,
      p ? [t("desk.fee.paid_at"), p.method === "online" ? fmtDateTime(p.at) : `${fmtDateTime(p.at)} — ${staffText(p.by)}`] : null,
      p && p.note ? [t("field.note"), p.note] : null,
      !p && f.online ? [t("desk.payment.latest"), h("span", {}, paymentStateTag(f.online.state), " ", fmtDateTime(f.online.at))] : null,
    ]),
    onlineTable(payments),
  );
}
