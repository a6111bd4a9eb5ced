"""Online payment of fees (docs/payments.md): the order, the gateway's notifications, reconciliation, refunds and
the daily report.

Whatever brings news of an order — the IPN, a status query of the reconciliation job, both at once, again and
again — goes through `apply`: it moves the payment by the state table (domain/payments.py), and a move is written
over the version it read, with the dossier's change in the same transaction. So a payment is recorded once, the fee
is paid once, and news that moves nothing changes nothing.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta

from ..adapters import payment_gateway as gw
from ..adapters.secrets import SecretMissing
from ..domain.access import authorise, check_scope
from ..domain.dossier import Dossier
from ..domain.errors import Conflict, NotFound
from ..domain.ids import new_id
from ..domain.payments import (
    EVENT_OF,
    OPEN,
    GatewayStatus,
    Payment,
    PaymentState,
    next_state,
    order_info,
    receiving_account,
    refunded_when,
    settles_fee,
    trigger_of,
)
from ..domain.principal import Principal
from ..domain.states import Action, Role, Status, find_transition
from ..domain.times import iso, parse_iso
from ..observability import count, get_logger
from ..settings import get_settings
from ..store.payments import PaymentStore
from .dossiers import DossierService

PLATFORM = Principal(id="system:payments", username="payments", roles=frozenset({Role.SYSTEM}),
                     name="Thanh toán trực tuyến")
# A payment whose news keeps colliding with other writers is left for the next delivery or query.
ATTEMPTS = 5
# An order keeps this much life when offered again, so the payer is not sent to a page about to expire.
REUSE_MARGIN = timedelta(minutes=3)


class PaymentNotOffered(Conflict):
    """The fee of this dossier cannot be paid online (no receiving account, or no gateway configured)."""


def _log():
    return get_logger()


def alarm(kind: str, **details) -> None:
    """A notification that must not happen from the real gateway: refused, logged as an error (with its kind) and
    counted (CloudWatch metric `PaymentAlarm`, which PaymentAlarmAlarm in infra/resources.yaml watches)."""
    _log().error("payment notification refused", extra={"alarm": kind, **details})
    count("PaymentAlarm")


class PaymentService:
    def __init__(self) -> None:
        self.store = PaymentStore()
        self.dossiers = DossierService()

    # -- the applicant --------------------------------------------------------------------------

    def start(self, principal: Principal, dossier_id: str, locale: str, payer_ip: str,
              now: datetime) -> tuple[Payment, str]:
        """An order for the dossier's requested fee; an open one is offered again rather than a second made."""
        dossier = self.dossiers.visible(principal, dossier_id)
        check_scope(principal, dossier, authorise(principal, dossier.status, Action.START_PAYMENT, dossier))
        settings = get_settings()
        account = receiving_account(dossier.agency_code, dossier.procedure_code)
        base = (settings.web_base_url or settings.public_base_url or "").rstrip("/")
        # A gateway to pay at, and a page of ours for the gateway to send the payer back to.
        if account is None or not settings.payment_gateway_url or not base:
            raise PaymentNotOffered("payment_not_offered")
        amount = int(dossier.fee["amount_vnd"])
        online = (dossier.fee or {}).get("online") or {}
        if online.get("state") in (PaymentState.CREATED, PaymentState.PENDING):
            open_one = self.store.get(online["payment_id"])
            if open_one and open_one.state in OPEN and parse_iso(open_one.expires_at) - now > REUSE_MARGIN:
                return open_one, self._url(open_one)
        payment = Payment(
            id=new_id(), dossier_id=dossier.id, dossier_code=dossier.code, agency_code=dossier.agency_code,
            procedure_code=dossier.procedure_code, payer_id=principal.id, provider=account.provider,
            terminal=account.terminal, amount_vnd=amount, info=order_info(dossier.code), created_at=iso(now),
            expires_at=iso(now + timedelta(minutes=settings.payment_order_minutes)),
            check_after=iso(now + timedelta(seconds=settings.payment_check_after_seconds)))
        payment.history.append({"at": iso(now), "state": PaymentState.CREATED.value, "source": "applicant"})
        payment.order = {"locale": "en" if locale == "en" else "vn", "payer_ip": payer_ip or "127.0.0.1",
                         "return_url": f"{base}/#/my/dossiers/{dossier.id}?payment={payment.id}"}
        details = {"payment_id": payment.id, "amount_vnd": amount, "provider": account.provider,
                   "expires_at": payment.expires_at}
        self.dossiers.act_on(principal, dossier, Action.START_PAYMENT, details, now,
                             extra_items=[self.store.created_item(payment)])
        return payment, self._url(payment)

    def _url(self, payment: Payment) -> str:
        order = payment.order or {}
        return gw.payment_url(get_settings().payment_gateway_url or "", gw.Order(
            terminal=payment.terminal, reference=payment.id, amount_vnd=payment.amount_vnd, info=payment.info,
            return_url=order["return_url"], payer_ip=order["payer_ip"], created_at=parse_iso(payment.created_at),
            expires_at=parse_iso(payment.expires_at), locale=order["locale"]), gw.terminal_secret(payment.terminal))

    def of_dossier(self, principal: Principal, dossier_id: str) -> list[Payment]:
        self.dossiers.visible(principal, dossier_id)
        return self.store.for_dossier(dossier_id)

    # -- the gateway's news -----------------------------------------------------------------------

    def notify(self, provider: str, params: dict[str, str], now: datetime) -> str:
        """An IPN (docs/payments.md §1.4): the answer code the gateway expects."""
        if provider != gw.PROVIDER:
            raise NotFound("provider_not_found")
        terminal = str(params.get("vnp_TmnCode") or "")
        try:
            secret = gw.terminal_secret(terminal)
        except SecretMissing:  # an unknown terminal has no secret: nothing it says can be checked
            alarm("unknown_terminal", terminal=terminal[:16])
            return "97"
        if not gw.checksum_valid(params, secret):
            alarm("bad_signature", terminal=terminal, reference=str(params.get("vnp_TxnRef"))[:40])
            return "97"
        report = gw.ipn_report(params)
        payment = self.store.get(report.reference)
        if payment is None or payment.terminal != terminal:
            return "01"
        if report.amount_vnd != payment.amount_vnd:
            alarm("amount_mismatch", payment_id=payment.id, expected=payment.amount_vnd, got=report.amount_vnd)
            return "04"
        after = self.apply(payment.id, report, now, "ipn")
        if after is None:
            return "99"  # the gateway sends it again
        if after.state in OPEN:
            return "00"
        # Settled: this IPN said so, or said it again (a duplicate: confirmed) — or says otherwise ("already
        # confirmed"; money taken on an order settled as failed needs a person).
        paid = after.state not in (PaymentState.FAILED, PaymentState.EXPIRED)
        if paid == (report.status == GatewayStatus.PAID):
            return "00"
        if report.status == GatewayStatus.PAID:
            alarm("paid_after_failure", payment_id=payment.id, state=after.state.value)
        return "02"

    def apply(self, payment_id: str, report: gw.Report, now: datetime, source: str) -> Payment | None:
        """Move the payment by what the gateway says; None when other writers kept colliding (try again later)."""
        for _ in range(ATTEMPTS):
            payment = self.store.get(payment_id)
            if payment is None:
                return None
            ended = now > parse_iso(payment.expires_at)
            trigger = trigger_of(report.status, order_ended=ended)
            target = next_state(payment.state, trigger) if trigger else None
            if target is None:
                return payment
            try:
                return self._move(payment, target, report, now, source)
            except Conflict:
                continue
        _log().warning("payment news deferred: concurrent writers", extra={"payment_id": payment_id})
        return None

    def _move(self, payment: Payment, target: PaymentState, report: gw.Report | None, now: datetime,
              source: str, refund: dict | None = None) -> Payment:
        settings = get_settings()
        moved = dataclasses.replace(payment, state=target, version=payment.version + 1,
                                    history=[*payment.history, {"at": iso(now), "state": target.value,
                                                                "source": source}])
        if refund is not None:
            moved.refund = refund
        later = iso(now + timedelta(seconds=settings.payment_check_after_seconds))
        moved.check_after = later if target in (PaymentState.PENDING, PaymentState.REFUNDING) else None
        dossier = self.dossiers.store.get(payment.dossier_id)
        if target == PaymentState.SUCCEEDED:
            paid_at = gw.parse_gateway_time(report.paid_at or "") or now
            moved.transaction_no, moved.bank, moved.paid_at = report.transaction_no, report.bank, iso(paid_at)
            moved.pay_day = f"{payment.terminal}#{gw.gateway_time(paid_at)[:8]}"
            if dossier is not None and dossier.status == Status.FEE_REQUESTED and settles_fee(dossier.fee,
                                                                                              payment.amount_vnd):
                moved.applied = True
                details = {"amount_vnd": payment.amount_vnd, "method": "online", "note": "",
                           "receipt_number": report.transaction_no or payment.id, "payment_id": payment.id}
                self.dossiers.act_on(PLATFORM, dossier, Action.RECORD_PAYMENT, details, now,
                                     extra_items=[self.store.moved_item(moved, payment.version)])
                count("PaymentApplied", provider=payment.provider)
                return moved
            # Paid, but the fee was settled otherwise meanwhile (at the desk, another order) or the dossier ended:
            # the money goes back.
            moved.applied = False
            moved.refund = {"reason": "fee_not_owed", "due_at": iso(now)}
            moved.check_after = iso(now)
            _log().warning("payment not applied: refund due", extra={"payment_id": payment.id})
        event_type = EVENT_OF.get(target)
        if event_type and dossier is not None and find_transition(dossier.status, Action.UPDATE_PAYMENT):
            details = {"payment_id": payment.id, "state": target.value, "amount_vnd": payment.amount_vnd,
                       "source": source}
            self.dossiers.act_on(PLATFORM, dossier, Action.UPDATE_PAYMENT, details, now,
                                 extra_items=[self.store.moved_item(moved, payment.version)])
        elif not self.store.save_moved(moved, payment.version):
            raise Conflict("concurrent_update")
        return moved

    # -- refunds and reconciliation ---------------------------------------------------------------

    def request_refund(self, payment: Payment, now: datetime) -> Payment:
        """Ask the gateway to return a payment whose refund is due; kept due (and retried later) if it fails."""
        gateway = gw.gateway()
        try:
            gateway.refund(f"{payment.id}R", payment.terminal, payment.id, payment.amount_vnd,
                           payment.transaction_no or "", parse_iso(payment.created_at), payment.info, "motcua", now)
        except gw.GatewayError as error:
            _log().warning("refund request failed; retried later", extra={"payment_id": payment.id,
                                                                            "error": str(error)})
            later = dataclasses.replace(payment, version=payment.version + 1, check_after=iso(
                now + timedelta(seconds=get_settings().payment_check_after_seconds)))
            self.store.save_moved(later, payment.version)
            return later
        refund = {**(payment.refund or {}), "requested_at": iso(now)}
        return self._move(payment, PaymentState.REFUNDING, None, now, "platform", refund=refund)

    def reconcile(self, now: datetime, limit: int = 100) -> dict:
        """Ask the gateway about every payment waiting for news (the scheduled job, docs/payments.md)."""
        done = {"checked": 0, "moved": 0, "refunds_requested": 0, "errors": 0}
        gateway = None
        for payment_id in self.store.due_for_check(iso(now), limit):
            payment = self.store.get(payment_id)
            if payment is None or payment.check_after is None or payment.check_after > iso(now):
                continue
            done["checked"] += 1
            try:
                if payment.state == PaymentState.SUCCEEDED:
                    if payment.refund and not payment.refund.get("requested_at"):
                        moved = self.request_refund(payment, now)
                        done["refunds_requested"] += moved.state == PaymentState.REFUNDING
                    continue
                gateway = gateway or gw.gateway()
                report = gateway.query(uuid.uuid4().hex, payment.terminal, payment.id,
                                       payment.info, parse_iso(payment.created_at), now)
            except gw.GatewayError as error:
                done["errors"] += 1
                _log().warning("payment query failed", extra={"payment_id": payment.id, "error": str(error)})
                continue
            if report.amount_vnd is not None and report.amount_vnd != payment.amount_vnd:
                alarm("amount_mismatch", payment_id=payment.id, expected=payment.amount_vnd, got=report.amount_vnd)
                continue
            after = self.apply(payment.id, report, now, "reconciliation")
            if after is not None and after.version != payment.version:
                done["moved"] += 1
            elif after is not None and after.check_after is not None:
                # No news: ask again later (an open order until it ends, a refund until it is done).
                self.store.save_moved(dataclasses.replace(after, version=after.version + 1, check_after=iso(
                    now + timedelta(seconds=get_settings().payment_check_after_seconds))), after.version)
        return done


def refund_due_items(dossier: Dossier, ends_as: Status, now: datetime) -> list:
    """What withdrawing or stopping a dossier writes about its fee paid online, when the rules return it."""
    paid = (dossier.fee or {}).get("payment") or {}
    if paid.get("method") != "online" or not paid.get("payment_id") or not refunded_when(ends_as.value):
        return []
    store = PaymentStore()
    payment = store.get(paid["payment_id"])
    if payment is None or payment.state != PaymentState.SUCCEEDED or payment.refund:
        return []
    due = dataclasses.replace(payment, version=payment.version + 1, check_after=iso(now),
                              refund={"reason": ends_as.value, "due_at": iso(now)})
    return [store.moved_item(due, payment.version)]


def daily_report(agency_code: str, day: str, now: datetime) -> tuple[list, dict, str]:
    """The agency's terminal's statement for `day` (yyyyMMdd, Vietnam time) against the platform's records: rows,
    the count per outcome, and the terminal."""
    from ..domain.reconciliation import reconcile, summary

    account = receiving_account(agency_code, "")
    if account is None:
        raise PaymentNotOffered("payment_not_offered")
    data_terminal = account.terminal
    statement = gw.gateway().statement(data_terminal, day, now)  # GatewayError: the caller answers 503
    store = PaymentStore()
    recorded_that_day = store.succeeded_on(data_terminal, day)
    recorded = {p.id: p for p in recorded_that_day}
    for line in statement:
        reference = line.get("TxnRef") or ""
        if reference and reference not in recorded:
            found = store.get(reference)
            if found is not None and found.terminal == data_terminal:
                recorded[reference] = found
    rows = reconcile(statement, recorded_that_day, recorded)
    return rows, summary(rows), data_terminal
