"""Online payments in DynamoDB (PaymentsTable; docs/payments.md, docs/data-model.md).

A payment's item changes only with its `version` as read, so two deliveries of the same news (an IPN and a
reconciliation query at the same moment) cannot both apply it: the second meets a changed version, reads again and
finds nothing left to do. A change that also moves the dossier is written with it in one transaction.
"""

from __future__ import annotations

import dataclasses
import hashlib

from pynamodb.exceptions import DoesNotExist

from ..domain.payments import Payment, PaymentState
from .aggregates import plain
from .models import PaymentModel

# The watch index's partition keys: payments waiting for news are spread over these so that no key grows hot.
WATCH_SHARDS = 4
_COLUMNS = ("id", "dossier_id", "created_at", "state", "version", "check_after", "pay_day")


def watch_shard(payment_id: str) -> str:
    return f"watch#{int(hashlib.sha256(payment_id.encode()).hexdigest(), 16) % WATCH_SHARDS}"


def to_model(payment: Payment) -> PaymentModel:
    doc = {k: v for k, v in dataclasses.asdict(payment).items() if k not in _COLUMNS and v is not None}
    watched = payment.check_after is not None
    return PaymentModel(payment.id, dossier_id=payment.dossier_id, created_at=payment.created_at,
                        state=payment.state.value, version=payment.version,
                        watch_shard=watch_shard(payment.id) if watched else None,
                        check_after=payment.check_after, pay_day=payment.pay_day, doc=doc)


def from_model(model: PaymentModel) -> Payment:
    doc = model.doc.as_dict() if hasattr(model.doc, "as_dict") else dict(model.doc)
    return Payment(id=model.id, dossier_id=model.dossier_id, created_at=model.created_at,
                   state=PaymentState(model.state), version=int(model.version), check_after=model.check_after,
                   pay_day=model.pay_day, **{k: plain(v) for k, v in doc.items()})


class PaymentStore:
    def get(self, payment_id: str) -> Payment | None:
        if not payment_id or len(payment_id) > 64:
            return None
        try:
            return from_model(PaymentModel.get(payment_id, consistent_read=True))
        except DoesNotExist:
            return None

    def for_dossier(self, dossier_id: str) -> list[Payment]:
        """A dossier's payments, oldest first (a few at most: one order per attempt)."""
        return [from_model(m) for m in PaymentModel.dossier_index.query(dossier_id, limit=50)]

    def due_for_check(self, until: str, limit: int = 100) -> list[str]:
        """Ids of payments the reconciliation job should ask the gateway about by `until` (ISO UTC)."""
        found: list[str] = []
        for shard in range(WATCH_SHARDS):
            for item in PaymentModel.watch_index.query(f"watch#{shard}", PaymentModel.check_after <= until,
                                                       limit=limit):
                found.append(item.id)
        return found[: limit * WATCH_SHARDS]

    def succeeded_on(self, terminal: str, day: str) -> list[Payment]:
        """Payments on a terminal that succeeded on a day (`yyyyMMdd`, Vietnam time)."""
        return [from_model(m) for m in PaymentModel.day_index.query(f"{terminal}#{day}")]

    @staticmethod
    def created_item(payment: Payment):
        """The new payment as a transaction item (written with the dossier's event): it must not exist yet."""
        return to_model(payment), PaymentModel.id.does_not_exist()

    @staticmethod
    def moved_item(payment: Payment, read_version: int):
        """The changed payment as a transaction item: only over the version it was read at."""
        return to_model(payment), PaymentModel.version == read_version

    def save_moved(self, payment: Payment, read_version: int) -> bool:
        """A change that moves nothing else; False: someone changed it since it was read."""
        from pynamodb.exceptions import PutError

        model, condition = self.moved_item(payment, read_version)
        try:
            model.save(condition=condition)
        except PutError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise
        return True
