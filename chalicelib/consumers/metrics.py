"""Counts each dossier event into the service-quality metrics (docs/metrics.md)."""

from chalice import Blueprint

from .sources import METRICS_QUEUE

bp = Blueprint(__name__)


@bp.on_sqs_message(queue_arn=METRICS_QUEUE, batch_size=10, name="metrics")
def metrics(event):
    from ..services.metrics import handle_batch

    return handle_batch(event.to_dict(), getattr(event, "context", None))
