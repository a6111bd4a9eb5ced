"""The event every change of a dossier records; the store writes both in one transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from .times import iso

# The version new events get; a breaking change bumps it and consumers keep reading older ones (docs/events.md).
EVENT_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    dossier_id: str
    seq: int
    actor: dict
    at: datetime
    payload: dict
    schema_version: int = EVENT_SCHEMA_VERSION
    correlation_id: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["at"] = iso(self.at)
        return data
