"""Event source ARNs for the handlers' decorators.

Chalice needs an ARN when the decorator runs (import time), but the real ones belong to the
stack. These placeholders name the logical id of the resource; the merge in infra/ replaces them
with `!GetAtt <LogicalId>.Arn` / `.StreamArn`, and the local event pump resolves the same logical
ids to the resources the provisioner created.
"""

EVENTS_STREAM = "arn:aws:dynamodb:ap-southeast-1:000000000000:table/EventsTable/stream/placeholder"
NOTIFICATIONS_QUEUE = "arn:aws:sqs:ap-southeast-1:000000000000:NotificationsQueue"
METRICS_QUEUE = "arn:aws:sqs:ap-southeast-1:000000000000:MetricsQueue"
PORTAL_SYNC_QUEUE = "arn:aws:sqs:ap-southeast-1:000000000000:PortalSyncQueue"


def logical_id(placeholder_arn: str) -> str:
    """`EventsTable` or `NotificationsQueue` from a placeholder above."""
    if ":table/" in placeholder_arn:
        return placeholder_arn.split(":table/", 1)[1].split("/", 1)[0]
    return placeholder_arn.rsplit(":", 1)[1]


def rule_event_types() -> dict[str, list[str]]:
    """The event types each consumer's EventBridge rule delivers, by the rule's logical id: what the
    consumer acts on, declared once in the domain. scripts/package.py and scripts/provision.py write them
    into the rules' patterns, so neither the stack nor the local one can drift from the code."""
    from ..domain.actions import audiences
    from ..domain.event_types import EventType
    from ..domain.feedback import TOLD
    from ..domain.metric_facts import METRIC_EVENT_TYPES

    # Dossier events someone is told of, and feedback events the person who filed the feedback is told of.
    return {"NotificationsRule": sorted([t.value for t in EventType if audiences(t)] + [t.value for t in TOLD]),
            "MetricsRule": sorted(t.value for t in METRIC_EVENT_TYPES),
            # Every change of a dossier moves its record on the national portal; an online payment's own news (its
            # start, a failure, a refund) is not part of that record — the fee's payment is.
            "PortalSyncRule": sorted(t.value for t in EventType
                                     if t not in (EventType.PAYMENT_STARTED, EventType.PAYMENT_UPDATED))}


def route_event_types(resources: dict) -> list[str]:
    """Put each consumer rule's `detail-type` list into its event pattern (in place); returns notes.
    A rule the template lacks is left alone (a scratch app); a hand-written list that differs is refused."""
    notes = []
    for rule, types in rule_event_types().items():
        pattern = resources.get(rule, {}).get("Properties", {}).get("EventPattern")
        if not isinstance(pattern, dict):
            continue
        if pattern.get("detail-type", types) != types:
            raise ValueError(f"{rule}: detail-type is generated from the code; remove it from infra/resources.yaml")
        pattern["detail-type"] = types
        notes.append(f"{rule} delivers {len(types)} event types")
    return notes
