// Online payments of a dossier's fee (docs/payments.md), as both dossier pages show them: each state in words, how
// a fee was paid, and the address the payment gateway sends the payer back to. Shared by the citizen's and the
// desk's pages.
import { api } from "./api.js";
import { t, has } from "./i18n.js";
import { tag } from "./ui.js";

// The gateway has not given its outcome yet: the payer may still pay (or come back to the same order).
export const OPEN_STATES = new Set(["created", "pending"]);
// Paid: the money reached the agency (and may be on its way back).
export const PAID_STATES = new Set(["succeeded", "refunding", "refunded", "refund_declined"]);

const COLOURS = {
  created: "grey",
  pending: "blue",
  succeeded: "green",
  failed: "red",
  expired: "orange",
  refunding: "yellow",
  refunded: "purple",
  refund_declined: "red",
};

export function paymentStateText(state) {
  return has(`payment.state.${state}`) ? t(`payment.state.${state}`) : state || "";
}

// The state as a tag that carries its words (never colour alone).
export function paymentStateTag(state) {
  return tag(paymentStateText(state), COLOURS[state] || "grey");
}

// "Tiền mặt", "Chuyển khoản", "Thanh toán trực tuyến".
export function paymentMethodText(method) {
  return has(`payment.method.${method}`) ? t(`payment.method.${method}`) : method || "";
}

// A payment made online is numbered by the gateway's transaction; one at the desk by the officer's receipt.
export function paymentNumberLabel(method) {
  return method === "online" ? t("payment.transaction_no") : t("payment.receipt_number");
}

// Where a state change came from: the applicant, the gateway's notification, the reconciliation job, the platform.
export function paymentSourceText(source) {
  return has(`payment.source.${source}`) ? t(`payment.source.${source}`) : source || "";
}

// The dossier's online payments, oldest first (GET /dossiers/{id}/payments).
export async function listPayments(dossierId) {
  const res = await api.get(`/dossiers/${encodeURIComponent(dossierId)}/payments`);
  return (res && res.items) || [];
}

// The most recent order, or null.
export function latestPayment(items) {
  let last = null;
  for (const p of items || []) if (!last || String(p.created_at) >= String(last.created_at)) last = p;
  return last;
}

// Payment ids are the platform's (ULIDs): anything else in `?payment=` is not one of ours.
const PAYMENT_ID = /^[0-9A-Za-z_-]{1,64}/;

// The payment id of the return address. The gateway appends its own (untrusted) vnp_* parameters to the address,
// and some append them to the fragment's query with a second "?" or "&": keep only what precedes them.
export function returnedPaymentId(query) {
  const raw = query && typeof query.payment === "string" ? query.payment : "";
  const m = PAYMENT_ID.exec(raw.split(/[?&#]/)[0]);
  return m ? m[0] : null;
}

function withoutGateway(search) {
  const kept = new URLSearchParams();
  for (const [k, v] of new URLSearchParams(search)) if (!k.startsWith("vnp_")) kept.append(k, v);
  const s = kept.toString();
  return s ? `?${s}` : "";
}

// Takes the gateway's parameters out of the address (from before the hash, where a gateway adds them to a return
// address with a fragment, and from the fragment's own query), and sets the route to `route` when given. Nothing
// in them is trusted: the page shows what the platform recorded.
export function cleanReturnAddress(route) {
  const { pathname, search, hash } = window.location;
  let fragment = hash;
  if (route) fragment = `#${route}`;
  else if (hash.includes("?")) {
    const [path, ...rest] = hash.split("?");
    fragment = `${path}${withoutGateway(rest.join("&"))}`;
  }
  const next = `${pathname}${withoutGateway(search)}${fragment}`;
  if (next !== `${pathname}${search}${hash}`) window.history.replaceState(null, "", next);
}
