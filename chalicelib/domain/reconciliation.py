"""The daily reconciliation of online payments: the gateway's statement for a day against what the platform recorded
(docs/payments.md "Reconciliation"). Pure: the rows in, the report out."""

from __future__ import annotations

from dataclasses import dataclass

from .payments import Payment, PaymentState

MATCHED, MISSING_HERE, MISSING_THERE, AMOUNT_DIFFERS = "matched", "missing_here", "missing_there", "amount_differs"
OUTCOMES = (MATCHED, MISSING_HERE, MISSING_THERE, AMOUNT_DIFFERS)
# The states in which the platform holds the money as paid (a refund asked for or done still was a payment).
_PAID = frozenset({PaymentState.SUCCEEDED, PaymentState.REFUNDING, PaymentState.REFUNDED,
                   PaymentState.REFUND_DECLINED})
_REFUND_ASKED = frozenset({PaymentState.REFUNDING, PaymentState.REFUNDED, PaymentState.REFUND_DECLINED})
COLUMNS = ("outcome", "kind", "reference", "transaction_no", "gateway_amount_vnd", "recorded_amount_vnd",
           "recorded_state", "dossier_code", "paid_at")


@dataclass(frozen=True)
class ReportRow:
    outcome: str
    kind: str  # payment | refund
    reference: str
    transaction_no: str
    gateway_amount_vnd: int | None
    recorded_amount_vnd: int | None
    recorded_state: str
    dossier_code: str
    paid_at: str

    def as_list(self) -> list:
        return [getattr(self, column) for column in COLUMNS]


def _iso(gateway_time: str | None) -> str:
    """The statement's `yyyyMMddHHmmss` (Vietnam time) as the API's ISO time in UTC."""
    from datetime import UTC, datetime, timedelta, timezone

    try:
        moment = datetime.strptime(gateway_time or "", "%Y%m%d%H%M%S").replace(tzinfo=timezone(timedelta(hours=7)))
    except ValueError:
        return ""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _amount(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


def reconcile(statement: list[dict], recorded_that_day: list[Payment], recorded: dict[str, Payment]) -> list[ReportRow]:
    """`statement`: the gateway's rows (§1.7) of successful transactions; `recorded_that_day`: what the platform
    recorded as paid that day; `recorded`: the platform's payments by reference for every row of the statement."""
    rows: list[ReportRow] = []
    seen: set[str] = set()
    for line in statement:
        if line.get("TransactionStatus") not in ("00", None):
            continue  # a failed attempt moved no money
        reference, kind = line.get("TxnRef") or "", "refund" if line.get("TransactionType") == "02" else "payment"
        ours, amount = recorded.get(reference), _amount(line.get("Amount"))
        if kind == "payment":
            seen.add(reference)
        if ours is None or ours.state not in (_REFUND_ASKED if kind == "refund" else _PAID):
            outcome = MISSING_HERE
        elif amount != ours.amount_vnd:
            outcome = AMOUNT_DIFFERS
        else:
            outcome = MATCHED
        rows.append(ReportRow(outcome, kind, reference, line.get("TransactionNo") or "", amount,
                              ours.amount_vnd if ours else None, ours.state.value if ours else "",
                              ours.dossier_code if ours else "", _iso(line.get("PayDate"))))
    for payment in recorded_that_day:
        if payment.id not in seen:
            rows.append(ReportRow(MISSING_THERE, "payment", payment.id, payment.transaction_no or "", None,
                                  payment.amount_vnd, payment.state.value, payment.dossier_code,
                                  payment.paid_at or ""))
    return sorted(rows, key=lambda r: (OUTCOMES.index(r.outcome) == 0, r.reference, r.kind))


def summary(rows: list[ReportRow]) -> dict[str, int]:
    return {outcome: sum(1 for r in rows if r.outcome == outcome) for outcome in OUTCOMES}
