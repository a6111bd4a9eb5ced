"""Event source ARNs for the handlers' decorators.

Chalice needs an ARN when the decorator runs (import time), but the real ones belong to the
stack. These placeholders name the logical id of the resource; the merge in infra/ replaces them
with `!GetAtt <LogicalId>.Arn` / `.StreamArn`, and the local event pump resolves the same logical
ids to the resources the provisioner created.
"""

EVENTS_STREAM = "arn:aws:dynamodb:ap-southeast-1:000000000000:table/EventsTable/stream/placeholder"
NOTIFICATIONS_QUEUE = "arn:aws:sqs:ap-southeast-1:000000000000:NotificationsQueue"
METRICS_QUEUE = "arn:aws:sqs:ap-southeast-1:000000000000:MetricsQueue"


def logical_id(placeholder_arn: str) -> str:
    """`EventsTable` or `NotificationsQueue` from a placeholder above."""
    if ":table/" in placeholder_arn:
        return placeholder_arn.split(":table/", 1)[1].split("/", 1)[0]
    return placeholder_arn.rsplit(":", 1)[1]
