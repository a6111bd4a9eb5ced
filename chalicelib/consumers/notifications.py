"""Tells applicants, by email and SMS, about each step of their dossier."""

from chalice import Blueprint

from .sources import NOTIFICATIONS_QUEUE

bp = Blueprint(__name__)


@bp.on_sqs_message(queue_arn=NOTIFICATIONS_QUEUE, batch_size=10, name="notifications")
def notifications(event):
    from ..services.notifications import handle_batch

    return handle_batch(event.to_dict(), getattr(event, "context", None))
