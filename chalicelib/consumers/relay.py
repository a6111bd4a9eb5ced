"""The outbox relay: every new event record on the events table's stream goes to the event bus."""

from chalice import Blueprint

from .sources import EVENTS_STREAM

bp = Blueprint(__name__)


@bp.on_dynamodb_record(stream_arn=EVENTS_STREAM, batch_size=100, starting_position="TRIM_HORIZON", name="relay")
def relay(event):
    from ..services.relay import relay_records

    return relay_records(event.to_dict().get("Records", []))
