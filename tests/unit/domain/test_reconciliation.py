"""The daily reconciliation: the gateway's statement against what the platform recorded (docs/payments.md)."""

from __future__ import annotations

from chalicelib.domain.payments import Payment, PaymentState
from chalicelib.domain.reconciliation import reconcile, summary


def _payment(reference: str, amount: int = 450_000, state: PaymentState = PaymentState.SUCCEEDED) -> Payment:
    return Payment(id=reference, dossier_id="d-" + reference, dossier_code="000.00.20.H26-260302-0001",
                   agency_code="000.00.20.H26", procedure_code="1.014199", payer_id="c", provider="vnpay",
                   terminal="MCHN0001", amount_vnd=amount, info="x", created_at="2026-03-02T02:00:00Z",
                   expires_at="2026-03-02T02:15:00Z", state=state, transaction_no="1" + reference)


def _line(reference: str, amount: int = 450_000, kind: str = "01", status: str = "00") -> dict:
    return {"TxnRef": reference, "TransactionNo": "1" + reference, "TransactionType": kind,
            "TransactionStatus": status, "Amount": str(amount), "PayDate": "20260302091812", "BankCode": "NCB"}


def test_every_outcome_is_found_and_problems_come_first():
    matched, differs, ours_only = _payment("A"), _payment("B", 500_000), _payment("D")  # C: the gateway's only
    refunded = _payment("E", state=PaymentState.REFUNDED)
    statement = [_line("A"), _line("B", 450_000), _line("C"), _line("E"), _line("E", kind="02"),
                 _line("F", status="02")]  # F: a failed attempt moved no money
    ours_that_day = [matched, differs, ours_only, refunded]
    rows = reconcile(statement, ours_that_day, {p.id: p for p in ours_that_day})
    found = {(r.reference, r.kind): r.outcome for r in rows}
    assert found == {("A", "payment"): "matched", ("B", "payment"): "amount_differs",
                     ("C", "payment"): "missing_here", ("D", "payment"): "missing_there",
                     ("E", "payment"): "matched", ("E", "refund"): "matched"}
    assert [r.outcome for r in rows][-1] == "matched" and rows[0].outcome != "matched"
    assert summary(rows) == {"matched": 3, "missing_here": 1, "missing_there": 1, "amount_differs": 1}


def test_a_refund_the_platform_never_asked_for_is_missing_here():
    rows = reconcile([_line("A"), _line("A", kind="02")], [_payment("A")], {"A": _payment("A")})
    assert {(r.kind, r.outcome) for r in rows} == {("payment", "matched"), ("refund", "missing_here")}
