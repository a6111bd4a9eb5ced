"""Operator commands for the event backbone: dead letters, replays and (locally) what was sent.

    python -m scripts.operator dlq list [CONSUMER|relay]     what waits in the DLQs (nothing is consumed)
    python -m scripts.operator dlq redrive CONSUMER          move a consumer's DLQ back to its queue
    python -m scripts.operator replay CONSUMER --dossier ID  re-deliver one dossier's stored events
    python -m scripts.operator replay CONSUMER --since 2025-03-01T00:00Z --until 2025-03-02T00:00Z
    python -m scripts.operator emails [--to ADDRESS]         local stack only: what moto's SES and SNS sent
    python -m scripts.operator metrics-rebuild               recount every metric from the event log

Against the local stack by default (its state file, build/local-stack.json, or --state-file); against a
deployed stack with --stage <stage>: physical ids come from CloudFormation stack motcua-<stage> and
credentials from the environment, as for any AWS tool.

Nothing here is hard-coded per consumer. Consumers are the app's event handlers (`app.event_sources`):
a queue consumer's dead-letter queue is the RedrivePolicy target of its queue in infra/resources.yaml,
the relay's is the on-failure destination of its stream mapping, and a replay only re-delivers events
EventBridge says match the event pattern of the rule that targets the consumer's queue.

Replays and redrives are safe to repeat: consumers deduplicate by event id (see docs/operations.md).
"""
