"""The scheduled reconciliation of online payments (every 5 minutes; docs/payments.md): orders whose outcome the
gateway did not notify, refunds to ask for and to follow to the end."""

from chalice import Blueprint, Rate

bp = Blueprint(__name__)


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="payments-reconcile")
def payments_reconcile(event):
    from datetime import UTC, datetime

    from ..services.payments import PaymentService

    return PaymentService().reconcile(datetime.now(UTC))
