"""`metrics-rebuild`: recount the service-quality metrics from the event log, the consumer paused meanwhile."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from scripts.ops.stack import REPO_ROOT, Stack


def metrics_rebuild(stack: Stack, settle_seconds: float) -> int:
    """Recount the service-quality metrics from the event log into a new generation and switch to it.

    The metrics consumer is paused meanwhile (locally: the pump's pause file; deployed: its event source
    mapping is disabled), so nothing it counts can fall between the old generation and the new one; what
    it queued meanwhile is counted into the new generation when it resumes, and what the rebuild already
    counted is recognised as a duplicate there."""
    # The control table holds the national portal's acknowledgements, counted alongside the events.
    env = {"METRICS_TABLE": stack.physical_id("MetricsTable"), "EVENTS_TABLE": stack.physical_id("EventsTable"),
           "CONTROL_TABLE": stack.physical_id("ControlTable"),
           "AWS_DEFAULT_REGION": stack.region, "AWS_REGION": stack.region}
    if stack.is_local:
        env["AWS_ENDPOINT_URL"] = stack.endpoint_url
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env[key] = stack.state.get(key, "local")
    resume = _pause_metrics(stack)
    try:
        time.sleep(settle_seconds)  # let a batch already running finish
        os.environ.update(env)
        from chalicelib.services.metrics import rebuild

        result = rebuild()
    finally:
        resume()
    print(f"Metrics rebuilt from {result['events']} events of {result['dossiers']} dossiers: generation "
          f"{result['generation']} ({result['items_written']} items) is now the one read and counted into.")
    return 0


def _pause_metrics(stack: Stack) -> Callable[[], None]:
    """Pause the metrics consumer; returns what resumes it."""
    if stack.is_local:
        control = Path(stack.state.get("PUMP_CONTROL_DIR") or REPO_ROOT / "build" / "pump-control")
        control.mkdir(parents=True, exist_ok=True)
        flag = control / "pause-metrics"
        flag.touch()
        return lambda: flag.unlink(missing_ok=True)
    client = stack.client("lambda")
    mappings = client.list_event_source_mappings(FunctionName=stack.physical_id("Metrics"))["EventSourceMappings"]
    for mapping in mappings:
        client.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)

    def resume() -> None:
        for mapping in mappings:
            client.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)

    return resume
