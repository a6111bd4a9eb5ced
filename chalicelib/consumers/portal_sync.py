"""Reports every dossier change to the national portal, and reconciles what the portal holds (hourly)."""

from chalice import Blueprint, Rate

from .sources import PORTAL_SYNC_QUEUE

bp = Blueprint(__name__)


@bp.on_sqs_message(queue_arn=PORTAL_SYNC_QUEUE, batch_size=10, name="portal_sync")
def portal_sync(event):
    from ..services.portal_sync import handle_batch

    return handle_batch(event.to_dict(), getattr(event, "context", None))


@bp.schedule(Rate(1, unit=Rate.HOURS), name="portal_reconcile")
def portal_reconcile(event):
    from ..services.portal_sync import reconcile

    return reconcile()
