"""One settings model, read from the environment once per distinct environment.

Never read at import time: `chalice local` and `chalice.test.Client` apply a stage's environment only
while a request runs, and tests change os.environ between tests. So `get_settings()` keys its cache on
the values of the variables the model reads (a few dict look-ups), and builds the model again only when
one of them changed; in a Lambda container that happens once.

In a deployed stage (running in AWS Lambda, or any stage other than local/test/dev) the resource names
the template sets (infra/resources.yaml, Globals) must be present: a default there would silently point
the function at tables that do not exist, so `get_settings()` raises SettingsError naming what is
missing instead. Locally and in tests the defaults stand.
"""

from __future__ import annotations

import os
import re
import threading
from datetime import date, time
from functools import lru_cache
from typing import Annotated, Any

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from .domain.announced_days import load_announced_days, split_announced_days

# Stages that run on a developer's machine or in tests, where the defaults below are right.
LOCAL_STAGES = frozenset({"local", "test", "dev"})

# What infra/resources.yaml gives every deployed function; none of them has a usable default there.
REQUIRED_WHEN_DEPLOYED = {
    "procedures_table": "PROCEDURES_TABLE",
    "dossiers_table": "DOSSIERS_TABLE",
    "events_table": "EVENTS_TABLE",
    "control_table": "CONTROL_TABLE",
    "staff_table": "STAFF_TABLE",
    "access_log_table": "ACCESS_LOG_TABLE",
    "payments_table": "PAYMENTS_TABLE",
    "feedback_table": "FEEDBACK_TABLE",
    "papers_table": "PAPERS_TABLE",
    "queue_table": "QUEUE_TABLE",
    "notifications_table": "NOTIFICATIONS_TABLE",
    "metrics_table": "METRICS_TABLE",
    "documents_bucket": "DOCUMENTS_BUCKET",
    "event_bus_name": "EVENT_BUS_NAME",
    "user_pool_id": "USER_POOL_ID",
    "user_pool_client_id": "USER_POOL_CLIENT_ID",
    "staff_pool_id": "STAFF_POOL_ID",
    "staff_pool_client_id": "STAFF_POOL_CLIENT_ID",
}

_DIGITS = re.compile(r"[0-9]{1,12}")
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


class SettingsError(RuntimeError):
    """The environment cannot run this function; the message names every offending variable."""


@lru_cache(maxsize=1)
def _announced_days() -> tuple[frozenset[date], frozenset[date]]:
    """Days off and make-up working days the government announced that the holidays package lacks
    (chalicelib/data/calendar.json, checked on load: a malformed entry stops the function here)."""
    return split_announced_days(load_announced_days())


def _csv(raw: Any) -> Any:
    if isinstance(raw, str):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


_BOUNDS: dict[str, tuple[int, int]] = {}  # env name -> allowed range, for the error message


def _count(low: int, high: int, default: int, env: str) -> Any:
    """A bounded whole number read from `env`."""
    _BOUNDS[env] = (low, high)
    return Field(default, ge=low, le=high, validation_alias=env)


class Settings(BaseSettings):
    """Everything a function needs to know about its stage. Attribute names are the public surface."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=True, env_ignore_empty=True)

    stage: str = Field("dev", validation_alias="MOTCUA_STAGE")
    region: str = Field("ap-southeast-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"))
    endpoint_url: str | None = Field(None, validation_alias="AWS_ENDPOINT_URL")
    # Set by the Lambda runtime in every function: the surest sign of a deployed stage.
    lambda_function_name: str | None = Field(None, validation_alias="AWS_LAMBDA_FUNCTION_NAME")
    procedures_table: str = Field("motcua-procedures", validation_alias="PROCEDURES_TABLE")
    dossiers_table: str = Field("motcua-dossiers", validation_alias="DOSSIERS_TABLE")
    events_table: str = Field("motcua-events", validation_alias="EVENTS_TABLE")
    control_table: str = Field("motcua-control", validation_alias="CONTROL_TABLE")
    staff_table: str = Field("motcua-staff", validation_alias="STAFF_TABLE")
    access_log_table: str = Field("motcua-access-log", validation_alias="ACCESS_LOG_TABLE")
    payments_table: str = Field("motcua-payments", validation_alias="PAYMENTS_TABLE")
    feedback_table: str = Field("motcua-feedback", validation_alias="FEEDBACK_TABLE")
    papers_table: str = Field("motcua-papers", validation_alias="PAPERS_TABLE")
    queue_table: str = Field("motcua-queue", validation_alias="QUEUE_TABLE")
    documents_bucket: str = Field("motcua-documents", validation_alias="DOCUMENTS_BUCKET")
    documents_kms_key_id: str | None = Field(None, validation_alias="DOCUMENTS_KMS_KEY_ID")
    user_pool_id: str = Field("", validation_alias="USER_POOL_ID")
    user_pool_client_id: str = Field("", validation_alias="USER_POOL_CLIENT_ID")
    jwks_url_override: str | None = Field(None, validation_alias="JWKS_URL")
    token_issuer_override: str | None = Field(None, validation_alias="TOKEN_ISSUER")
    # Staff sign in to a pool of their own (MFA required, short tokens): docs/identity.md "Staff sign-in".
    staff_pool_id: str = Field("", validation_alias="STAFF_POOL_ID")
    staff_pool_client_id: str = Field("", validation_alias="STAFF_POOL_CLIENT_ID")
    staff_jwks_url_override: str | None = Field(None, validation_alias="STAFF_JWKS_URL")
    work_start: time = Field(time(7, 30), validation_alias="WORK_START")
    work_end: time = Field(time(17, 0), validation_alias="WORK_END")
    break_start: time = Field(time(11, 30), validation_alias="BREAK_START")  # the midday break: not working hours
    break_end: time = Field(time(13, 0), validation_alias="BREAK_END")
    extra_days_off: Annotated[frozenset[date], NoDecode] = Field(
        frozenset(), validation_alias="EXTRA_DAYS_OFF", validate_default=True)
    makeup_working_days: Annotated[frozenset[date], NoDecode] = Field(
        frozenset(), validation_alias="MAKEUP_WORKING_DAYS", validate_default=True)
    upload_max_bytes: int = _count(1, 5 * 1024**3, 10 * 1024 * 1024, "UPLOAD_MAX_BYTES")  # 5 GiB: S3's one-PUT cap
    upload_url_ttl_seconds: int = _count(60, 7 * 24 * 3600, 900, "UPLOAD_URL_TTL_SECONDS")  # SigV4's 7-day cap
    event_bus_name: str = Field("motcua-events", validation_alias="EVENT_BUS_NAME")
    notifications_table: str = Field("motcua-notifications", validation_alias="NOTIFICATIONS_TABLE")
    notification_sender: str = Field("no-reply@dichvucong.example.vn", validation_alias="NOTIFICATION_SENDER")
    deadline_warning_days: int = _count(0, 30, 1, "DEADLINE_WARNING_DAYS")
    evaluation_amend_days: int = _count(0, 365, 7, "EVALUATION_AMEND_DAYS")
    metrics_table: str = Field("motcua-metrics", validation_alias="METRICS_TABLE")
    metrics_shards: int = _count(1, 100, 8, "METRICS_SHARDS")
    cors_allowed_origins: Annotated[tuple[str, ...], NoDecode] = Field((), validation_alias="CORS_ALLOWED_ORIGINS")
    public_base_url: str | None = Field(None, validation_alias="PUBLIC_BASE_URL")
    # The web client's address: messages link the applicant to their dossier's page, where its forms print.
    web_base_url: str | None = Field(None, validation_alias="WEB_BASE_URL")
    # How long a container trusts what it read of a staff member's directory entry: disabling someone or taking a
    # role away reaches tokens they already hold within this time (issue 14: at most 60 s).
    directory_cache_seconds: int = _count(0, 60, 60, "DIRECTORY_CACHE_SECONDS")
    # National single sign-on for citizens (docs/identity.md): the OpenID Connect issuers trusted, each as
    # `<issuer URL>|<the platform's client id there>`, comma-separated.
    citizen_issuers: Annotated[tuple[str, ...], NoDecode] = Field((), validation_alias="CITIZEN_ISSUERS")
    # The national portal link (docs/national-portal.md). Without a gateway address the stage does not sync
    # (a developer's scratch stage); the credentials live in Secrets Manager, never in the environment.
    national_portal_url: str | None = Field(None, validation_alias="NATIONAL_PORTAL_URL")
    national_portal_files_url: str | None = Field(None, validation_alias="NATIONAL_PORTAL_FILES_URL")
    national_portal_username: str = Field("", validation_alias="NATIONAL_PORTAL_USERNAME")
    national_portal_unit: str = Field("", validation_alias="NATIONAL_PORTAL_MADONVI")
    national_portal_secret_id: str | None = Field(None, validation_alias="NATIONAL_PORTAL_SECRET_ID")
    national_portal_timeout_seconds: int = _count(1, 60, 10, "NATIONAL_PORTAL_TIMEOUT_SECONDS")
    # Online payment of fees (docs/payments.md). Without a gateway, fees are paid at the desk only.
    payment_gateway_url: str | None = Field(None, validation_alias="PAYMENT_GATEWAY_URL")
    payment_gateway_secret_id: str | None = Field(None, validation_alias="PAYMENT_GATEWAY_SECRET_ID")
    payment_gateway_timeout_seconds: int = _count(1, 60, 10, "PAYMENT_GATEWAY_TIMEOUT_SECONDS")
    # How long an order stays payable, and how long after its last news the reconciliation job asks the gateway.
    payment_order_minutes: int = _count(5, 24 * 60, 15, "PAYMENT_ORDER_MINUTES")
    payment_check_after_seconds: int = _count(1, 24 * 3600, 300, "PAYMENT_CHECK_AFTER_SECONDS")
    # Signed results (docs/documents.md): the stage's KMS signing key (an agency's SIGNER# configuration may name
    # another), an optional RFC 3161 timestamp authority, and where a result's QR code leads ({id}: the result).
    result_signing_key_id: str | None = Field(None, validation_alias="RESULT_SIGNING_KEY_ID")
    signature_timestamp_url: str | None = Field(None, validation_alias="SIGNATURE_TIMESTAMP_URL")
    result_verify_url: str | None = Field(None, validation_alias="RESULT_VERIFY_URL")

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, **_: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The process environment only: a stray .env or secrets directory must not change a Lambda's stage.
        return init_settings, env_settings

    @field_validator("upload_max_bytes", "upload_url_ttl_seconds", "deadline_warning_days", "evaluation_amend_days",
                     "metrics_shards", "national_portal_timeout_seconds", "payment_gateway_timeout_seconds",
                     "payment_order_minutes", "payment_check_after_seconds", mode="before")
    @classmethod
    def _plain_digits(cls, value: Any) -> Any:
        # int() would take "1_000", " 8 " or Arabic-Indic digits; a setting is written with 0-9 only.
        if isinstance(value, str) and not _DIGITS.fullmatch(value):
            raise ValueError("must be a whole number written with the digits 0-9 (at most 12)")
        return value

    @field_validator("extra_days_off", "makeup_working_days", mode="before")
    @classmethod
    def _date_list(cls, value: Any) -> Any:
        return frozenset(_csv(value))

    @field_validator("extra_days_off")
    @classmethod
    def _with_announced_days_off(cls, value: frozenset[date]) -> frozenset[date]:
        return _announced_days()[0] | value

    @field_validator("makeup_working_days")
    @classmethod
    def _with_announced_makeup_days(cls, value: frozenset[date]) -> frozenset[date]:
        return _announced_days()[1] | value

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        origins = tuple(origin.rstrip("/") for origin in _csv(value))
        bad = [o for o in origins if o != "*" and not _ORIGIN.fullmatch(o)]
        if bad:
            raise ValueError(f"not an origin (scheme://host[:port], no path): {', '.join(bad)}")
        return origins

    @field_validator("citizen_issuers", mode="before")
    @classmethod
    def _issuers(cls, value: Any) -> Any:
        # A stack deployed without a provider passes `|` (its two parameters empty): no issuer.
        entries = tuple(e for e in _csv(value) if e != "|")
        bad = [e for e in entries if e.count("|") != 1 or not e.split("|")[0].startswith(("https://", "http://"))
               or not e.split("|")[1]]
        if bad:
            raise ValueError(f"not `<issuer URL>|<client id>`: {', '.join(bad)}")
        return entries

    @field_validator("public_base_url", "national_portal_url", "national_portal_files_url", "payment_gateway_url",
                     mode="before")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        value = value or None  # a stack deployed without one passes an empty parameter
        if value is not None and not re.fullmatch(r"https?://\S+", value):
            raise ValueError("must be an absolute http(s) URL")
        return value.rstrip("/") if value else value

    @model_validator(mode="after")
    def _coherent(self) -> Settings:
        if self.work_start >= self.work_end:
            raise ValueError(f"WORK_START ({self.work_start}) must be before WORK_END ({self.work_end})")
        if not self.work_start <= self.break_start <= self.break_end <= self.work_end:
            raise ValueError(f"the midday break BREAK_START ({self.break_start}) to BREAK_END ({self.break_end}) "
                             f"must lie within WORK_START ({self.work_start}) and WORK_END ({self.work_end})")
        if self.deployed:
            missing = [env for field, env in REQUIRED_WHEN_DEPLOYED.items() if field not in self.model_fields_set]
            if missing:
                raise ValueError(f"missing in deployed stage {self.stage!r}: {', '.join(missing)} "
                                 "(infra/resources.yaml sets them for every function; no default is safe)")
        return self

    @property
    def deployed(self) -> bool:
        return self.lambda_function_name is not None or self.stage not in LOCAL_STAGES

    @property
    def portal_files_prefix(self) -> str | None:
        """The only address forwarded files are fetched from (a forward must not make us fetch anything else)."""
        base = self.national_portal_files_url or self.national_portal_url
        return f"{base}/" if base else None

    @property
    def token_issuer(self) -> str:
        return self.token_issuer_override or f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @property
    def jwks_url(self) -> str:
        return self.jwks_url_override or f"{self.token_issuer}/.well-known/jwks.json"

    @property
    def staff_token_issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.staff_pool_id}"

    @property
    def staff_jwks_url(self) -> str:
        return self.staff_jwks_url_override or f"{self.staff_token_issuer}/.well-known/jwks.json"

    @property
    def cache_key(self) -> tuple:
        return (self.region, self.endpoint_url, self.procedures_table, self.dossiers_table,
                self.events_table, self.control_table, self.notifications_table, self.staff_table,
                self.access_log_table, self.payments_table, self.feedback_table, self.papers_table,
                self.queue_table)


def _env_names() -> tuple[str, ...]:
    names: list[str] = []
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        names.extend(alias.choices if isinstance(alias, AliasChoices) else [alias])
    return tuple(names)


_ENV_NAMES = _env_names()
_FIELD_ENV = {name: (f.validation_alias.choices[0] if isinstance(f.validation_alias, AliasChoices)
                     else f.validation_alias) for name, f in Settings.model_fields.items()}
_cache: dict[tuple, Settings] = {}
_reported: set[tuple] = set()
_lock = threading.Lock()


def _explain(error: ValidationError) -> str:
    lines = []
    for item in error.errors(include_url=False):
        where = str(item["loc"][0]) if item["loc"] else ""
        env = _FIELD_ENV.get(where, where)
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["type"] in ("greater_than_equal", "less_than_equal") and env in _BOUNDS:
            message += " (allowed: {} to {})".format(*_BOUNDS[env])
        given = f"={item['input']!r}" if env and isinstance(item.get("input"), str) else ""
        lines.append(f"  - {env}{given}: {message}" if env else f"  - {message}")
    return "invalid settings, the function cannot start:\n" + "\n".join(lines)


def get_settings() -> Settings:
    """This environment's settings; raises SettingsError (and logs it once) when they are unusable."""
    env = os.environ  # looked up on every call: chalice.test.Client swaps the whole mapping
    key = tuple(env.get(name) for name in _ENV_NAMES)
    found = _cache.get(key)
    if found is not None:
        return found
    try:
        found = Settings()
    except ValidationError as error:
        failure = SettingsError(_explain(error))
        with _lock:
            first = key not in _reported
            _reported.add(key)
        if first:
            from .observability import get_logger

            get_logger().critical(str(failure))
        raise failure from None
    with _lock:
        if len(_cache) >= 64:  # tests walk through many environments; a container sees one
            _cache.clear()
        _cache[key] = found
    return found
