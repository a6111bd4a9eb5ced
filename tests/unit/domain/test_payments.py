"""The payment state table, cell by cell against a table written out here (not derived from the source), the one rule
for "paid", and where fees go (docs/payments.md)."""

from __future__ import annotations

import itertools

import pytest

from chalicelib.domain.payments import (
    GatewayStatus,
    PaymentState,
    Trigger,
    next_state,
    receiving_account,
    refunded_when,
    settles_fee,
    trigger_of,
)

S, T = PaymentState, Trigger
ALLOWED = {
    ("created", "seen"): "pending",
    ("created", "paid"): "succeeded", ("pending", "paid"): "succeeded",
    ("created", "failed"): "failed", ("pending", "failed"): "failed",
    ("created", "expired"): "expired", ("pending", "expired"): "expired",
    ("succeeded", "refund_requested"): "refunding",
    ("refunding", "refunded"): "refunded", ("refunding", "refund_declined"): "refund_declined",
}
CELLS = list(itertools.product([s.value for s in PaymentState], [t.value for t in Trigger]))


def test_the_states_are_the_six_of_the_issue_and_the_refund_s_two_steps():
    assert {s.value for s in PaymentState} == {"created", "pending", "succeeded", "failed", "expired", "refunded",
                                               "refunding", "refund_declined"}


@pytest.mark.parametrize(("state", "trigger"), CELLS, ids=[f"{s}-{t}" for s, t in CELLS])
def test_every_allowed_move_goes_where_the_table_says_and_every_other_changes_nothing(state, trigger):
    expected = ALLOWED.get((state, trigger))
    assert next_state(PaymentState(state), Trigger(trigger)) == (PaymentState(expected) if expected else None)


def test_a_final_state_never_moves_again():
    for state in (S.FAILED, S.EXPIRED, S.REFUNDED, S.REFUND_DECLINED):
        assert all(next_state(state, trigger) is None for trigger in Trigger)


def test_a_success_is_never_undone_by_a_late_failure_or_expiry():
    assert next_state(S.SUCCEEDED, T.FAILED) is None and next_state(S.SUCCEEDED, T.EXPIRED) is None


@pytest.mark.parametrize(("status", "ended", "trigger"), [
    (GatewayStatus.NOT_FOUND, False, None), (GatewayStatus.NOT_FOUND, True, T.EXPIRED),
    (GatewayStatus.NOT_FINISHED, False, T.SEEN), (GatewayStatus.NOT_FINISHED, True, T.EXPIRED),
    (GatewayStatus.PAID, True, T.PAID), (GatewayStatus.FAILED, False, T.FAILED),
    (GatewayStatus.REFUND_PENDING, False, None), (GatewayStatus.REFUNDED, False, T.REFUNDED),
    (GatewayStatus.REFUND_DECLINED, False, T.REFUND_DECLINED),
])
def test_what_the_gateway_says_means_for_the_payment(status, ended, trigger):
    """An order nobody paid ends only once its time is over: before that the payer may still pay."""
    assert trigger_of(status, order_ended=ended) == trigger


def test_paid_means_the_fee_asked_for_not_yet_paid_in_full():
    fee = {"amount_vnd": 450_000, "purpose": "Lệ phí", "payment": None}
    assert settles_fee(fee, 450_000)
    assert not settles_fee(fee, 449_999) and not settles_fee(fee, 450_001)
    assert not settles_fee({**fee, "payment": {"method": "cash"}}, 450_000)
    assert not settles_fee(None, 450_000)


def test_each_agency_with_a_terminal_takes_fees_online_and_a_procedure_may_name_its_own():
    hanoi = receiving_account("000.00.20.H26", "1.014199")
    assert hanoi is not None and (hanoi.provider, hanoi.terminal) == ("vnpay", "MCHN0001")
    assert receiving_account("000.00.31.H26", "anything") is None  # the desk only


def test_a_fee_paid_online_is_returned_when_the_service_was_not_given():
    assert refunded_when("withdrawn") and refunded_when("stopped")
    assert not refunded_when("rejected") and not refunded_when("returned")
