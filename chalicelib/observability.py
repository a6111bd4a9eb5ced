"""Structured logging and the per-request correlation id.

The Powertools logger is built on first use: its import is not free and would otherwise be paid
by every cold start before the first request even arrives.
"""

from __future__ import annotations

import contextvars
import re
import threading
from typing import Any

_logger: Any = None
_lock = threading.Lock()
_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def get_logger() -> Any:
    global _logger
    if _logger is None:
        # The local server is threaded: a second thread must not use a Logger still being built.
        with _lock:
            if _logger is None:
                from aws_lambda_powertools import Logger

                _logger = Logger(service="motcua")
    return _logger


def accept_correlation_id(candidate: str | None, fallback: str) -> str:
    """A client-supplied id is kept only if it is safe to echo into logs and headers."""
    return candidate if candidate and _VALID_ID.match(candidate) else fallback


def set_correlation_id(value: str | None) -> None:
    _correlation_id.set(value)
    get_logger().set_correlation_id(value)


def correlation_id() -> str | None:
    return _correlation_id.get()


def count(name: str, **dimensions: str) -> None:
    """One EMF metric point; each distinct dimension set is flushed as its own metric blob."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=_namespace()) as metric:
        metric.add_dimension(name="service", value="motcua")
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)


def _namespace() -> str:
    import os

    return os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "MotCua")
