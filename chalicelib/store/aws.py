"""boto3 clients, created on first use and cached per container (cold start stays cheap)."""

from __future__ import annotations

import threading
from typing import Any

from ..settings import get_settings

_clients: dict[tuple, Any] = {}
_lock = threading.Lock()


def client(service: str) -> Any:
    settings = get_settings()
    key = (service, settings.region, settings.endpoint_url)
    found = _clients.get(key)
    if found is None:
        with _lock:
            found = _clients.get(key)
            if found is None:
                import boto3
                from botocore.config import Config

                config = Config(retries={"mode": "standard", "max_attempts": 4},
                                s3={"addressing_style": "path"} if settings.endpoint_url else None,
                                signature_version="s3v4" if service == "s3" else None)
                found = boto3.session.Session().client(service, region_name=settings.region,
                                                       endpoint_url=settings.endpoint_url, config=config)
                _clients[key] = found
    return found
