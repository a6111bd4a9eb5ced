// The fee on the applicant's dossier page (#/my/dossiers/:id): what is owed and what for, paying it online (POST
// /dossiers/{id}/payments, then off to the payment gateway's page), how each online payment went and, once paid,
// how it was paid with the receipt to print. Also the way back from the gateway (?payment=<id>): the page waits for
// the platform's own record of that payment; the gateway's parameters in the address are never trusted.
import { api, ApiError } from "../../api.js";
import { t, lang, fmtDateTime, fmtVnd } from "../../i18n.js";
import { alive } from "../../router.js";
import { h, page, summaryList, table, tag, errorSummary, clearErrors, busy } from "../../ui.js";
import { formControls } from "../../documents.js";
import {
  OPEN_STATES, PAID_STATES, paymentStateTag, paymentMethodText, paymentNumberLabel, listPayments, latestPayment,
  cleanReturnAddress,
} from "../../payments.js";

export const FEE_SECTION_ID = "dossier-fee";
// The gateway's notification usually arrives before the payer is back, but not always: ask again for a while.
const POLL_MS = 1000;
const WAIT_MS = 15000;
const RECEIPT_FORM = "payment-receipt";
const REFUND_STATES = new Set(["refunding", "refunded", "refund_declined"]);

function paidRows(p) {
  return [
    [t("citizen.payment.method"), paymentMethodText(p.method)],
    [paymentNumberLabel(p.method), p.receipt_number],
    [t("citizen.payment.paid_at"), fmtDateTime(p.at)],
  ];
}

// The receipt of the fee paid, printed from here as from the "Giấy tờ" list (its button there keeps its own id).
function receiptButton(d) {
  const form = (d.forms || []).find((f) => f.form === RECEIPT_FORM);
  if (!form) return null;
  return h("p", { class: "govuk-body" }, formControls(form, { id: "fee-receipt-button" }));
}

// What became of the latest online payment of a fee not yet paid.
function latestText(p) {
  switch (p.state) {
    case "created":
    case "pending":
      return t("citizen.payment.latest_open", { at: fmtDateTime(p.created_at), until: fmtDateTime(p.expires_at) });
    case "failed":
      return t("citizen.payment.latest_failed", { at: fmtDateTime(p.created_at) });
    case "expired":
      return t("citizen.payment.latest_expired", { at: fmtDateTime(p.created_at) });
    default:
      return t("citizen.payment.latest_other", { at: fmtDateTime(p.created_at) });
  }
}

function latestLine(p) {
  if (!p) return null;
  return h("div", { class: "govuk-inset-text", id: "fee-latest" }, h("p", { class: "govuk-body" }, paymentStateTag(p.state), " ", latestText(p)));
}

// Money that came in online but is not (or no longer) owed goes back to the payer: say where that stands.
function refundLines(items) {
  const lines = items
    .filter((p) => REFUND_STATES.has(p.state) || (p.state === "succeeded" && p.applied === false))
    .map((p) => {
      const key = p.state === "succeeded" ? "citizen.payment.refund_due" : `citizen.payment.${p.state}`;
      return h("p", { class: "govuk-body" }, paymentStateTag(p.state), " ", t(key, { amount: fmtVnd(p.amount_vnd), no: p.transaction_no || p.id }));
    });
  return lines.length ? h("div", { class: "govuk-inset-text", id: "fee-refunds" }, lines) : null;
}

function paymentsTable(items) {
  if (!items.length) return null;
  return table(
    [t("citizen.payment.col.at"), t("citizen.payment.col.amount"), t("citizen.payment.col.state"), t("citizen.payment.col.transaction")],
    [...items].reverse().map((p) => [fmtDateTime(p.created_at), fmtVnd(p.amount_vnd), paymentStateTag(p.state), p.transaction_no || "—"]),
    { caption: t("citizen.payment.online_caption"), numeric: [1] },
  );
}

// "Thanh toán trực tuyến": the order made (or the open one offered again), then the browser goes to the gateway.
function payControl(d, latest, ctx) {
  const again = latest && (latest.state === "failed" || latest.state === "expired");
  const box = h("div", { id: "fee-pay" });
  const status = h("p", { class: "govuk-body", role: "status" });
  const btn = h("button", { type: "button", class: "govuk-button", id: "fee-pay-button" }, again ? t("citizen.payment.pay_again") : t("citizen.payment.pay_online"));
  btn.addEventListener("click", async () => {
    clearErrors(box);
    status.textContent = "";
    try {
      const order = await busy(api.post(`/dossiers/${encodeURIComponent(d.id)}/payments`, { locale: lang() }), { button: btn, scope: box });
      // Only a web address: whatever else it says is not a page to send anyone to.
      if (!/^https?:\/\//i.test(String(order.redirect_url || ""))) throw new ApiError({ title: t("error.unexpected") });
      btn.disabled = true;
      status.textContent = t("citizen.payment.redirecting");
      window.location.assign(order.redirect_url);
    } catch (err) {
      if (err instanceof ApiError && err.code === "payment_not_offered") {
        const said = h("p", { class: "govuk-body", role: "status", tabindex: "-1", id: "fee-desk-only" }, t("citizen.payment.desk_only"));
        box.replaceChildren(said);
        said.focus();
      } else if (err instanceof ApiError && err.status === 409) {
        ctx.conflict(); // paid at the desk meanwhile, or the dossier moved on: show it as it is now
      } else {
        errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("error.unexpected") }), box);
      }
    }
  });
  box.append(
    h("p", { class: "govuk-body" }, t("citizen.payment.pay_hint")),
    h("div", { class: "govuk-button-group" }, btn),
    status,
    h("p", { class: "govuk-body app-muted" }, t("citizen.payment.or_desk")),
  );
  return box;
}

// "Đã thanh toán", and where the money went back afterwards (a paid dossier withdrawn or stopped) what became of it.
function paidTag(paid, items) {
  const online = paid.payment_id ? items.find((p) => p.id === paid.payment_id) : null;
  const refund = online && REFUND_STATES.has(online.state) ? online.state : null;
  return h("span", {}, tag(t("citizen.payment.paid"), "green"), refund ? " " : null, refund ? paymentStateTag(refund) : null);
}

// The "Nghĩa vụ tài chính" section of a dossier with a fee; null without one. `payments` is the dossier's online
// payments (null when they could not be read: the dossier's own record of the latest one stands in).
export function feeSection(d, payments, ctx) {
  const fee = d.fee;
  if (!fee) return null;
  const items = payments || [];
  const paid = fee.payment;
  const online = fee.online;
  const latest = latestPayment(items) || (online ? { id: online.payment_id, state: online.state, created_at: online.at } : null);
  const parts = [
    summaryList([
      [t("citizen.payment.amount"), h("strong", {}, fmtVnd(fee.amount_vnd))],
      [t("citizen.payment.purpose"), fee.purpose],
      [t("citizen.payment.requested_at"), fmtDateTime(fee.requested_at)],
      [t("citizen.payment.status"), paid ? paidTag(paid, items) : tag(t("citizen.payment.unpaid"), "yellow")],
      ...(paid ? paidRows(paid) : []),
    ]),
  ];
  if (paid) parts.push(receiptButton(d));
  else {
    parts.push(latestLine(latest));
    if ((d.allowed_actions || []).includes("start_payment")) parts.push(payControl(d, latest, ctx));
    else if (d.status === "fee_requested") parts.push(h("p", { class: "govuk-body" }, t("citizen.payment.at_desk")));
  }
  parts.push(refundLines(items), paymentsTable(items));
  return h(
    "section",
    { class: "app-section", id: FEE_SECTION_ID, "aria-labelledby": `${FEE_SECTION_ID}-title` },
    h("h2", { class: "govuk-heading-m", id: `${FEE_SECTION_ID}-title` }, t("citizen.payment.title")),
    parts,
  );
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The payment as the platform recorded it, once its outcome is known, or as it stands when the wait is over; null
// when the page was left meanwhile. A refusal to show the dossier (signed out, not found) is the page's failure.
async function waitForOutcome(dossierId, paymentId, live) {
  const deadline = Date.now() + WAIT_MS;
  let found = null;
  for (;;) {
    try {
      found = (await listPayments(dossierId)).find((p) => p.id === paymentId) || found;
    } catch (err) {
      if (err instanceof ApiError && [401, 403, 404].includes(err.status)) throw err;
    }
    if (!live()) return null;
    if ((found && !OPEN_STATES.has(found.state)) || Date.now() >= deadline) return found || { id: paymentId, state: null };
    await sleep(POLL_MS);
    if (!live()) return null;
  }
}

function outcomeOf(p) {
  if (p.state === "succeeded" && p.applied !== false) return { kind: "success", text: t("citizen.payment.done") };
  if (PAID_STATES.has(p.state)) return { kind: "info", text: t("citizen.payment.done_not_applied") };
  if (p.state === "failed") return { kind: "failure", text: t("citizen.payment.failed") };
  if (p.state === "expired") return { kind: "failure", text: t("citizen.payment.expired") };
  return { kind: "info", text: t("citizen.payment.unconfirmed") };
}

// Back from the gateway: "Đang xác nhận thanh toán…" until the platform knows the outcome, then the address is the
// dossier's again (a reload does not wait again) and the outcome {kind, text} is returned for the dossier page to
// show; null when another page was opened meanwhile.
export async function confirmReturn(dossierId, paymentId) {
  const live = alive();
  cleanReturnAddress();
  page(
    t("citizen.payment.confirming_title"),
    h(
      "div",
      { class: "govuk-inset-text", id: "payment-confirming", role: "status" },
      h("p", { class: "govuk-body" }, h("strong", {}, t("citizen.payment.confirming"))),
      h("p", { class: "govuk-body" }, t("citizen.payment.confirming_hint")),
    ),
  );
  const found = await waitForOutcome(dossierId, paymentId, live);
  if (!found || !live()) return null;
  cleanReturnAddress(`/my/dossiers/${encodeURIComponent(dossierId)}`);
  return outcomeOf(found);
}

// The outcome at the top of the dossier page: a notification banner that is a status message (read out when
// focused), saying in words whether the payment went through.
export function paymentNotice(outcome) {
  const success = outcome.kind === "success";
  const title = success ? t("citizen.payment.notice_success") : outcome.kind === "failure" ? t("citizen.payment.notice_failure") : t("ui.important");
  return h(
    "div",
    {
      class: `govuk-notification-banner${success ? " govuk-notification-banner--success" : ""}`,
      role: "status",
      tabindex: "-1",
      id: "payment-outcome",
      "aria-labelledby": "payment-outcome-title",
    },
    h("div", { class: "govuk-notification-banner__header" }, h("h2", { class: "govuk-notification-banner__title", id: "payment-outcome-title" }, title)),
    h("div", { class: "govuk-notification-banner__content" }, h("p", { class: "govuk-body" }, outcome.text)),
  );
}
