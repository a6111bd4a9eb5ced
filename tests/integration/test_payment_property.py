"""Property: however the gateway's news of one order arrives — notifications duplicated, late, before or after the
reconciliation job's queries, some of those before the payer paid at all, or all at once from several threads — the
payment ends in the same recorded state: succeeded once, the fee paid once (one `dossier.fee_paid` event), the dossier
moved on, the appointment date moved by the working days waited.

The gateway is the stand-in (scripts/standins/payment_gateway.py) running in this process; the platform's side is the
services over moto, as the API handler and the scheduled job call them.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain import transitions as rules
from chalicelib.domain.calendar import LOCAL_TZ
from chalicelib.domain.dossier import Dossier
from chalicelib.domain.payments import PaymentState
from chalicelib.domain.principal import Principal
from chalicelib.domain.states import Action, Role, Status
from chalicelib.services.dossiers import working_calendar
from chalicelib.services.payments import PaymentService
from chalicelib.store.dossiers import DossierStore
from scripts.standins import payment_gateway as standin

from .conftest import AGENCY, citizen, officer, submitted

TERMINAL, SECRET = "MCHN0001", "property-test-secret-0123456789ab"
FEE = 450_000


@pytest.fixture(scope="module")
def gateway(provisioned):
    """The stand-in gateway in this process, its terminal's secret in (moto's) Secrets Manager."""
    from chalicelib.adapters import secrets
    from chalicelib.store.aws import client

    server, thread = standin.start_server("127.0.0.1", 0, standin.Config(terminals={TERMINAL: SECRET},
                                                                         refund_delay=0.0))
    client("secretsmanager").put_secret_value(SecretId=provisioned["PAYMENT_GATEWAY_SECRET_ID"],
                                              SecretString=json.dumps({TERMINAL: SECRET}))
    secrets._cache.clear()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAYMENT_GATEWAY_URL", server.url)
        patch.setenv("WEB_BASE_URL", "https://dichvucong.example.vn")
        yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _sim(server, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(server.url + path, method="POST" if body is not None else "GET",
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the local stand-in
        return json.loads(response.read())


def _staff(role: Role, **extra) -> Principal:
    return Principal(id=f"{role.value}-1", username=f"{role.value}.1", roles=frozenset({role}), agency_code=AGENCY,
                     name="Cán bộ", **extra)


def fee_requested(at: datetime) -> tuple[Dossier, Principal]:
    """A dossier whose fee was asked for at `at`, written as the services would."""
    owner, store = citizen(), DossierStore()
    dossier = submitted(owner)
    desk, leader = officer(), _staff(Role.LEADER, unit="viec-lam")
    specialist = _staff(Role.SPECIALIST, unit="viec-lam")
    day = at.astimezone(LOCAL_TZ).date()
    due = working_calendar().due_date(at, 10, "working_days")
    steps = [
        lambda d: rules.receive(d, desk, at, due, {"form": "01", "appointment_date": due.isoformat()}),
        lambda d: rules.act(d, desk, Action.TRANSFER, at, day, {"unit": "viec-lam"},
                            {"kind": "unit", "unit": "viec-lam"}),
        lambda d: rules.act(d, leader, Action.ASSIGN, at, day, {"specialist": specialist.username},
                            {"kind": "specialist", "id": specialist.id, "name": specialist.name}),
        lambda d: rules.act(d, specialist, Action.REQUEST_FEE, at, day, {"amount_vnd": FEE, "purpose": "Lệ phí"}),
    ]
    for step in steps:
        changed, event = step(dossier)
        store.apply(dossier.version, changed, event)
        dossier = changed
    return dossier, owner


def _gateway_clock_at(server, moment: datetime) -> None:
    """The stand-in's clock set to the test's `now` (its orders expire by its own clock, as the real gateway's)."""
    server.gateway.set_offset((moment - datetime.now(UTC)).total_seconds())


NOW = datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL_TZ)  # a Monday morning, an hour after the fee was asked for


def opened_order(server) -> tuple[Dossier, PaymentService, object, datetime]:
    """A fee asked for at 9:00, the order made at NOW and its page opened by the payer (the gateway knows it)."""
    dossier, owner = fee_requested(NOW - timedelta(hours=1))
    service = PaymentService()
    _gateway_clock_at(server, NOW)
    payment, url = service.start(owner, dossier.id, "vi", "203.113.1.10", NOW)
    urllib.request.urlopen(url, timeout=10).read()  # noqa: S310 - the local stand-in
    return dossier, service, payment, NOW


def _ipn(server, payment_id: str) -> dict[str, str]:
    """The order's last notification as the gateway signed it."""
    deliveries = _sim(server, f"/_sim/orders/{payment_id}")["deliveries"]
    return deliveries[-1]["params"]


OPERATIONS = st.lists(st.sampled_from(["ipn", "reconcile", "pay"]), min_size=1, max_size=8)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(st.sampled_from(["reconcile"]), max_size=2), after=OPERATIONS)
def test_any_interleaving_of_news_ends_in_one_recorded_payment(stack, gateway, before, after):
    asked = datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL_TZ)  # a Monday
    dossier, owner = fee_requested(asked)
    service = PaymentService()
    # The payer opens the gateway's page on the Thursday, three working days later.
    paid_at = datetime(2026, 3, 5, 10, 0, tzinfo=LOCAL_TZ)
    _gateway_clock_at(gateway, paid_at)
    payment, url = service.start(owner, dossier.id, "vi", "203.113.1.10", paid_at)
    urllib.request.urlopen(url, timeout=10).read()  # noqa: S310 - the local stand-in
    later = paid_at + timedelta(minutes=5)  # past the reconciliation delay, before the order's end
    for _ in before:  # the job asks before the payer acted: nothing moves
        service.reconcile(later)
    assert service.store.get(payment.id).state in (PaymentState.CREATED, PaymentState.PENDING)
    paid = False
    for op in [*after, "pay", "ipn"]:  # the payer pays at some point; at least one notification follows
        if op == "pay" and not paid:
            _sim(gateway, f"/_sim/orders/{payment.id}/pay", {"outcome": "success"})
            paid = True
        elif op == "ipn" and paid:
            assert service.notify("vnpay", _ipn(gateway, payment.id), later) == "00"
        elif op == "reconcile":
            service.reconcile(later)
    recorded = service.store.get(payment.id)
    assert recorded.state == PaymentState.SUCCEEDED and recorded.applied is True
    assert [h["state"] for h in recorded.history if h["state"] == "succeeded"] == ["succeeded"]
    history = DossierStore().history(dossier.id)
    assert [e["type"] for e in history].count("dossier.fee_paid") == 1
    after_payment = DossierStore().get(dossier.id)
    assert after_payment.status == Status.ASSIGNED and after_payment.fee["payment"]["payment_id"] == payment.id
    # The clock stopped from Monday's request to Thursday's payment: the appointment date moved by three working
    # days, as a desk payment would have moved it.
    assert after_payment.due_date == working_calendar().extend_for_pause(dossier.due_date, asked, later)
    assert after_payment.due_date - dossier.due_date >= timedelta(days=3)


def test_news_arriving_from_several_threads_at_once_is_applied_once(stack, gateway):
    dossier, service, payment, now = opened_order(gateway)
    _sim(gateway, f"/_sim/orders/{payment.id}/pay", {"outcome": "success"})
    params, later = _ipn(gateway, payment.id), now + timedelta(minutes=5)
    answers: list[str] = []

    def deliver(kind: str) -> None:
        if kind == "ipn":
            answers.append(PaymentService().notify("vnpay", params, later))
        else:
            PaymentService().reconcile(later)

    threads = [threading.Thread(target=deliver, args=(kind,)) for kind in ["ipn", "reconcile"] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert set(answers) <= {"00", "99"}  # 99: collided every time; the gateway sends it again
    assert PaymentService().notify("vnpay", params, later) == "00"
    assert service.store.get(payment.id).state == PaymentState.SUCCEEDED
    assert [e["type"] for e in DossierStore().history(dossier.id)].count("dossier.fee_paid") == 1


def test_a_notification_that_does_not_check_out_moves_nothing_and_raises_the_alarm(stack, gateway, monkeypatch):
    from chalicelib.services import payments

    raised: list[str] = []
    monkeypatch.setattr(payments, "count", lambda name, **dims: raised.append(name))
    monkeypatch.setattr(payments, "_log", lambda: type("Log", (), {"error": lambda self, message, extra: raised.append(
        extra["alarm"]), "warning": lambda self, *a, **k: None})())
    dossier, service, payment, now = opened_order(gateway)
    _sim(gateway, f"/_sim/orders/{payment.id}/pay", {"outcome": "success"})
    params = _ipn(gateway, payment.id)
    forged = {**params, "vnp_SecureHash": "0" * 128}
    wrong = {**params, "vnp_Amount": str(FEE * 100 + 100)}
    wrong = {**wrong, "vnp_SecureHash": standin.checksum(SECRET, {k: v for k, v in wrong.items()
                                                                  if k != "vnp_SecureHash"})}
    assert service.notify("vnpay", forged, now) == "97"
    assert service.notify("vnpay", wrong, now) == "04"
    unknown = {k: v for k, v in {**params, "vnp_TxnRef": "unknown"}.items() if k != "vnp_SecureHash"}
    assert service.notify("vnpay", {**unknown, "vnp_SecureHash": standin.checksum(SECRET, unknown)}, now) == "01"
    assert raised == ["bad_signature", "PaymentAlarm", "amount_mismatch", "PaymentAlarm"]
    assert service.store.get(payment.id).state == PaymentState.CREATED
    assert DossierStore().get(dossier.id).status == Status.FEE_REQUESTED


def test_a_payment_for_a_fee_settled_at_the_desk_meanwhile_is_refunded(stack, gateway):
    dossier, service, payment, now = opened_order(gateway)
    # The applicant pays cash at the desk too; the officer records it before the gateway's news arrives.
    current = DossierStore().get(dossier.id)
    service.dossiers.act_on(officer(), current, Action.RECORD_PAYMENT,
                            {"amount_vnd": FEE, "method": "cash", "note": ""}, now)
    _sim(gateway, f"/_sim/orders/{payment.id}/pay", {"outcome": "success"})
    assert service.notify("vnpay", _ipn(gateway, payment.id), now) == "00"
    recorded = service.store.get(payment.id)
    assert recorded.state == PaymentState.SUCCEEDED and recorded.applied is False
    assert recorded.refund["reason"] == "fee_not_owed"
    later = now + timedelta(minutes=1)
    service.reconcile(later)  # asks for the refund
    assert service.store.get(payment.id).state == PaymentState.REFUNDING
    service.reconcile(later + timedelta(minutes=10))  # follows it to the end
    assert service.store.get(payment.id).state == PaymentState.REFUNDED
    assert [e["type"] for e in DossierStore().history(dossier.id)].count("dossier.fee_paid") == 1


def test_an_order_nobody_pays_expires_once_its_time_is_over(stack, gateway):
    dossier, owner = fee_requested(datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL_TZ))
    service = PaymentService()
    now = datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL_TZ)
    payment, _ = service.start(owner, dossier.id, "vi", "203.113.1.10", now)  # the payer never opens the page
    service.reconcile(now + timedelta(minutes=5))
    assert service.store.get(payment.id).state == PaymentState.CREATED
    service.reconcile(now + timedelta(hours=1))
    assert service.store.get(payment.id).state == PaymentState.EXPIRED
    still = DossierStore().get(dossier.id)
    assert still.fee["online"]["state"] == "expired" and still.status == Status.FEE_REQUESTED
