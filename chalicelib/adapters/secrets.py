"""Secrets from AWS Secrets Manager (the national portal's credentials), cached per container for a few minutes
so that a rotated value is picked up without a redeploy."""

from __future__ import annotations

import json
import threading
import time

from ..store.aws import client

CACHE_SECONDS = 300
_cache: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


class SecretMissing(RuntimeError):
    """The secret or one of its keys is not there: a configuration error, named in the message."""


def secret_value(secret_id: str, key: str) -> str:
    """One key of a JSON secret."""
    now = time.monotonic()
    with _lock:
        cached = _cache.get(secret_id)
    if cached is None or now - cached[0] > CACHE_SECONDS:
        raw = client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
        try:
            data = json.loads(raw)
        except ValueError:
            raise SecretMissing(f"secret {secret_id} is not a JSON object") from None
        with _lock:
            _cache[secret_id] = (now, data)
        cached = (now, data)
    value = cached[1].get(key) if isinstance(cached[1], dict) else None
    if not value:
        raise SecretMissing(f"secret {secret_id} has no value for {key!r}")
    return str(value)
