"""One settings object, read from the environment at call time.

Never read at import time: `chalice local` and `chalice.test.Client` apply a stage's
environment only while a request runs, and importing `app` must stay cheap.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from pathlib import Path


def _csv_dates(raw: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(p.strip()) for p in raw.split(",") if p.strip())


@lru_cache(maxsize=1)
def _announced_days() -> tuple[frozenset[date], frozenset[date]]:
    """Days off and make-up working days announced by the government (chalicelib/data/calendar.json)."""
    data = json.loads((Path(__file__).parent / "data" / "calendar.json").read_text(encoding="utf-8"))
    off = frozenset(date.fromisoformat(d["date"]) for d in data["extra_days_off"])
    makeup = frozenset(date.fromisoformat(d["date"]) for d in data["makeup_working_days"])
    return off, makeup


def _clock(raw: str) -> time:
    return time.fromisoformat(raw)


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    endpoint_url: str | None
    procedures_table: str
    dossiers_table: str
    events_table: str
    control_table: str
    documents_bucket: str
    documents_kms_key_id: str | None
    user_pool_id: str
    user_pool_client_id: str
    jwks_url: str
    token_issuer: str
    work_start: time
    work_end: time
    extra_days_off: frozenset[date]
    makeup_working_days: frozenset[date]
    upload_max_bytes: int
    upload_url_ttl_seconds: int
    event_bus_name: str
    notifications_table: str
    notification_sender: str
    deadline_warning_days: int
    evaluation_amend_days: int
    metrics_table: str
    metrics_shards: int

    @property
    def cache_key(self) -> tuple:
        return (self.region, self.endpoint_url, self.procedures_table, self.dossiers_table,
                self.events_table, self.control_table, self.notifications_table)


def get_settings() -> Settings:
    env = os.environ
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "ap-southeast-1"
    pool = env.get("USER_POOL_ID", "")
    issuer = env.get("TOKEN_ISSUER") or f"https://cognito-idp.{region}.amazonaws.com/{pool}"
    return Settings(
        stage=env.get("MOTCUA_STAGE", "dev"),
        region=region,
        endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        procedures_table=env.get("PROCEDURES_TABLE", "motcua-procedures"),
        dossiers_table=env.get("DOSSIERS_TABLE", "motcua-dossiers"),
        events_table=env.get("EVENTS_TABLE", "motcua-events"),
        control_table=env.get("CONTROL_TABLE", "motcua-control"),
        documents_bucket=env.get("DOCUMENTS_BUCKET", "motcua-documents"),
        documents_kms_key_id=env.get("DOCUMENTS_KMS_KEY_ID") or None,
        user_pool_id=pool,
        user_pool_client_id=env.get("USER_POOL_CLIENT_ID", ""),
        jwks_url=env.get("JWKS_URL") or f"{issuer}/.well-known/jwks.json",
        token_issuer=issuer,
        work_start=_clock(env.get("WORK_START", "07:30")),
        work_end=_clock(env.get("WORK_END", "17:00")),
        extra_days_off=_announced_days()[0] | _csv_dates(env.get("EXTRA_DAYS_OFF", "")),
        makeup_working_days=_announced_days()[1] | _csv_dates(env.get("MAKEUP_WORKING_DAYS", "")),
        upload_max_bytes=int(env.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))),
        upload_url_ttl_seconds=int(env.get("UPLOAD_URL_TTL_SECONDS", "900")),
        event_bus_name=env.get("EVENT_BUS_NAME", "motcua-events"),
        notifications_table=env.get("NOTIFICATIONS_TABLE", "motcua-notifications"),
        notification_sender=env.get("NOTIFICATION_SENDER", "no-reply@dichvucong.example.vn"),
        deadline_warning_days=int(env.get("DEADLINE_WARNING_DAYS", "1")),
        evaluation_amend_days=int(env.get("EVALUATION_AMEND_DAYS", "7")),
        metrics_table=env.get("METRICS_TABLE", "motcua-metrics"),
        metrics_shards=int(env.get("METRICS_SHARDS", "8")),
    )
