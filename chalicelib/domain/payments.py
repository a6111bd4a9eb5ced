"""Online payment of a fee: the payment's states and what moves them, the one rule for what "paid" means, where the
money goes and when it is returned (docs/payments.md). Pure: no AWS, no gateway.

A payment moves only forward, and only by what the gateway says of the order (an IPN or a status query) or by the
platform's own refund request. A report that moves nothing — a duplicate, a late or out-of-order notification — is
answered and changes nothing, so any order of deliveries, queries and reconciliation ends in the same state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path


class PaymentState(StrEnum):
    CREATED = "created"  # the order is made and the payer sent to the gateway
    PENDING = "pending"  # the gateway knows the order and has no outcome yet
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the payer cancelled, or the bank refused
    EXPIRED = "expired"  # nobody paid before the order's end
    REFUNDING = "refunding"  # the platform asked the gateway to return the money
    REFUNDED = "refunded"
    REFUND_DECLINED = "refund_declined"  # the bank declined the refund: the finance officer settles it by hand


class GatewayStatus(StrEnum):
    """What the gateway says of an order."""

    NOT_FOUND = "not_found"  # never opened by a payer
    NOT_FINISHED = "not_finished"
    PAID = "paid"
    FAILED = "failed"
    REFUND_PENDING = "refund_pending"
    REFUNDED = "refunded"
    REFUND_DECLINED = "refund_declined"


class Trigger(StrEnum):
    """What can move a payment: a gateway report, the order's end passing, the platform's refund request."""

    SEEN = "seen"  # the gateway knows the order, no outcome yet
    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    REFUND_REQUESTED = "refund_requested"
    REFUNDED = "refunded"
    REFUND_DECLINED = "refund_declined"


S, T = PaymentState, Trigger
OPEN = frozenset({S.CREATED, S.PENDING})

# (state, trigger) → next state. Anything not listed changes nothing (docs/payments.md "States").
TRANSITIONS: dict[tuple[PaymentState, Trigger], PaymentState] = {
    (S.CREATED, T.SEEN): S.PENDING,
    (S.CREATED, T.PAID): S.SUCCEEDED,
    (S.PENDING, T.PAID): S.SUCCEEDED,
    (S.CREATED, T.FAILED): S.FAILED,
    (S.PENDING, T.FAILED): S.FAILED,
    (S.CREATED, T.EXPIRED): S.EXPIRED,
    (S.PENDING, T.EXPIRED): S.EXPIRED,
    (S.SUCCEEDED, T.REFUND_REQUESTED): S.REFUNDING,
    (S.REFUNDING, T.REFUNDED): S.REFUNDED,
    (S.REFUNDING, T.REFUND_DECLINED): S.REFUND_DECLINED,
}

# The events a move records on the dossier (EventType values; a payment that succeeds records the fee's payment).
EVENT_OF: dict[PaymentState, str] = {
    S.FAILED: "dossier.payment_failed",
    S.EXPIRED: "dossier.payment_expired",
    S.REFUNDING: "dossier.refund_requested",
    S.REFUNDED: "dossier.refunded",
    S.REFUND_DECLINED: "dossier.refund_declined",
}


def next_state(state: PaymentState, trigger: Trigger) -> PaymentState | None:
    """The state `trigger` moves `state` to, or None when it moves nothing."""
    return TRANSITIONS.get((state, trigger))


def trigger_of(status: GatewayStatus, *, order_ended: bool) -> Trigger | None:
    """What a gateway report means for the payment. An order the gateway never saw or never finished ends (expires)
    only once its end has passed — before that the payer may still pay."""
    if status in (GatewayStatus.NOT_FOUND, GatewayStatus.NOT_FINISHED):
        if order_ended:
            return T.EXPIRED
        return T.SEEN if status == GatewayStatus.NOT_FINISHED else None
    return {GatewayStatus.PAID: T.PAID, GatewayStatus.FAILED: T.FAILED, GatewayStatus.REFUNDED: T.REFUNDED,
            GatewayStatus.REFUND_DECLINED: T.REFUND_DECLINED}.get(status)


def settles_fee(fee: dict | None, amount_vnd: int) -> bool:
    """The one rule for what "paid" means, at the desk or online: the fee asked for, not yet paid, in full."""
    return bool(fee) and fee.get("payment") is None and fee.get("amount_vnd") == amount_vnd


@dataclass(frozen=True)
class Account:
    """Where a fee is paid: the gateway provider and the receiving account's merchant terminal."""

    provider: str
    terminal: str


@lru_cache(maxsize=1)
def _accounts() -> dict:
    path = Path(__file__).resolve().parents[1] / "data" / "payment_accounts.json"
    return json.loads(path.read_text(encoding="utf-8"))


def receiving_account(agency_code: str, procedure_code: str) -> Account | None:
    """The procedure's own account if it has one, else its agency's; None: the fee cannot be paid online."""
    data = _accounts()
    entry = data.get("procedures", {}).get(procedure_code) or data.get("agencies", {}).get(agency_code)
    return Account(entry["provider"], entry["terminal"]) if entry else None


def refunded_when(status: str) -> bool:
    """Whether a fee paid online is returned when the dossier ends in `status` (the procedures' common rule: the
    service was not given)."""
    return status in _accounts().get("refund_on", ())


def order_info(dossier_code: str) -> str:
    """What the payer's bank statement shows (the gateway takes Vietnamese without diacritics)."""
    return f"Thanh toan le phi ho so {dossier_code}"


@dataclass
class Payment:
    """One order at the gateway for a dossier's fee, and what became of it."""

    id: str
    dossier_id: str
    dossier_code: str
    agency_code: str
    procedure_code: str
    payer_id: str
    provider: str
    terminal: str
    amount_vnd: int
    info: str
    created_at: str  # ISO UTC
    expires_at: str
    state: PaymentState = PaymentState.CREATED
    version: int = 1
    transaction_no: str | None = None
    bank: str | None = None
    paid_at: str | None = None  # the gateway's time of payment (ISO UTC)
    pay_day: str | None = None  # `<terminal>#<yyyyMMdd>` (Vietnam time) once it succeeded: the daily report's key
    check_after: str | None = None  # when the reconciliation job asks the gateway next (None: nothing to watch)
    applied: bool | None = None  # a success: whether it paid the dossier's fee (False: the fee was settled otherwise)
    refund: dict | None = None  # {reason, due_at, requested_at}
    order: dict | None = None  # what the payment URL was made with: {locale, payer_ip, return_url}
    history: list = None  # [{at, state, source}] every move, in order

    def __post_init__(self) -> None:
        self.state = PaymentState(self.state)
        if self.history is None:
            self.history = []

    def to_view(self) -> dict:
        """What the applicant and the dossier's staff see of it."""
        return {"id": self.id, "dossier_id": self.dossier_id, "state": self.state.value, "amount_vnd": self.amount_vnd,
                "provider": self.provider, "created_at": self.created_at, "expires_at": self.expires_at,
                "transaction_no": self.transaction_no, "bank": self.bank, "paid_at": self.paid_at,
                "applied": self.applied, "refund": self.refund, "history": list(self.history)}
