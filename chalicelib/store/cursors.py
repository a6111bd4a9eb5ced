"""Opaque pagination cursors: DynamoDB's last evaluated key, encoded, and checked on the way back in."""

from __future__ import annotations

import base64
import json


class BadCursor(ValueError):
    pass


def encode(last_key: dict | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, expected: dict[str, str]) -> dict | None:
    """`expected` pins key attributes to the caller's own partition, so a crafted cursor
    cannot page through someone else's items."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(str(exc)) from exc
    if not isinstance(data, dict) or len(cursor) > 2048:
        raise BadCursor("not an object")
    for name, value in expected.items():
        if data.get(name) != {"S": value}:
            raise BadCursor(f"cursor does not belong to this list ({name})")
    for value in data.values():
        if not (isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("S", "N")
                and isinstance(next(iter(value.values())), str)):
            raise BadCursor("malformed key")
    return data
