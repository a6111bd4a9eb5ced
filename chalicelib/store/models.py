"""PynamoDB models: the only place that knows table layouts and key design (see docs/data-model.md).

Table names, region and endpoint are bound from the settings on first use (`bind`), never at
import time, so one code base serves every stage and the local moto stack.
"""

from __future__ import annotations

import threading

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from ..settings import Settings, get_settings


class _Meta:
    region = "ap-southeast-1"
    host = None
    max_retry_attempts = 3


class CatalogueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "catalogue-index"
        projection = AllProjection()

    catalogue = UnicodeAttribute(hash_key=True)
    code_version = UnicodeAttribute(range_key=True)


class ProcedureModel(Model):
    """One item per procedure version; versions are immutable once published."""

    class Meta(_Meta):
        table_name = "motcua-procedures"

    code = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)
    catalogue = UnicodeAttribute(default="ALL")
    code_version = UnicodeAttribute()
    effective_date = UnicodeAttribute()
    published_at = UnicodeAttribute()
    published_by = UnicodeAttribute()
    doc = MapAttribute()
    catalogue_index = CatalogueIndex()


def _index(name: str, hash_attr: str, range_attr: str) -> type[GlobalSecondaryIndex]:
    """A GSI of two string keys projecting the whole item (PynamoDB wants one class per index)."""
    attrs = {"Meta": type("Meta", (), {"index_name": name, "projection": AllProjection()}),
             hash_attr: UnicodeAttribute(hash_key=True), range_attr: UnicodeAttribute(range_key=True)}
    return type(f"{name.title().replace('-', '')}", (GlobalSecondaryIndex,), attrs)


OwnerIndex = _index("owner-index", "owner_id", "submitted_at")
AgencyIndex = _index("agency-index", "agency_code", "submitted_at")
AgencyStatusIndex = _index("agency-status-index", "agency_status", "submitted_at")
# Open dossiers only (sparse): the deadline watch and the late queue.
AgencyDueIndex = _index("agency-due-index", "agency_open", "due_date")
# The officers' search indexes (chalicelib/domain/search.py plans queries on them).
AgencyProcedureIndex = _index("agency-procedure-index", "agency_procedure", "submitted_at")
AgencyUnitIndex = _index("agency-unit-index", "agency_unit", "submitted_at")
AssigneeIndex = _index("assignee-index", "assignee_key", "submitted_at")
AgencyReceivedIndex = _index("agency-received-index", "agency_code", "received_at")
AgencyNameIndex = _index("agency-name-index", "agency_code", "applicant_key")
AgencyIdentityIndex = _index("agency-identity-index", "agency_identity", "submitted_at")
PartnerIndex = _index("partner-index", "partner_agency", "submitted_at")


class CodeIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "code-index"
        projection = KeysOnlyProjection()

    code = UnicodeAttribute(hash_key=True)


class DossierModel(Model):
    """The dossier's current state. `version` is the optimistic lock and equals its last event's seq."""

    class Meta(_Meta):
        table_name = "motcua-dossiers"

    id = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    agency_code = UnicodeAttribute()
    agency_status = UnicodeAttribute()
    status = UnicodeAttribute()
    submitted_at = UnicodeAttribute()
    version = NumberAttribute()
    agency_open = UnicodeAttribute(null=True)  # the agency code while the dossier is open, else absent
    due_date = UnicodeAttribute(null=True)
    # Search keys (sparse where the fact may be missing); see chalicelib/domain/search.py.
    procedure_code = UnicodeAttribute(null=True)
    agency_procedure = UnicodeAttribute(null=True)
    agency_unit = UnicodeAttribute(null=True)
    assignee_key = UnicodeAttribute(null=True)
    received_at = UnicodeAttribute(null=True)
    applicant_key = UnicodeAttribute(null=True)
    applicant_id = UnicodeAttribute(null=True)
    agency_identity = UnicodeAttribute(null=True)
    partner_agency = UnicodeAttribute(null=True)
    doc = MapAttribute()
    owner_index = OwnerIndex()
    agency_procedure_index = AgencyProcedureIndex()
    agency_unit_index = AgencyUnitIndex()
    assignee_index = AssigneeIndex()
    agency_received_index = AgencyReceivedIndex()
    agency_name_index = AgencyNameIndex()
    agency_identity_index = AgencyIdentityIndex()
    partner_index = PartnerIndex()
    agency_due_index = AgencyDueIndex()
    agency_index = AgencyIndex()
    agency_status_index = AgencyStatusIndex()
    code_index = CodeIndex()


DayIndex = _index("day-index", "day", "at")


class EventModel(Model):
    """Immutable event log (the transactional outbox); its stream feeds the event relay."""

    class Meta(_Meta):
        table_name = "motcua-events"

    dossier_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    event_id = UnicodeAttribute()
    type = UnicodeAttribute()
    at = UnicodeAttribute()
    day = UnicodeAttribute(null=True)  # UTC date of `at`: replays by time range read one partition a day
    day_index = DayIndex()
    actor = MapAttribute()
    payload = MapAttribute()
    schema_version = NumberAttribute()
    correlation_id = UnicodeAttribute(null=True)


class NotificationModel(Model):
    """One message to one recipient for one event; the key makes a second send of it impossible
    (`id` = `<event seq>#<channel>#<event id>`)."""

    class Meta(_Meta):
        table_name = "motcua-notifications"

    dossier_id = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    channel = UnicodeAttribute()
    recipient = UnicodeAttribute()
    language = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    body = UnicodeAttribute()
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    lease_until = NumberAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)
    correlation_id = UnicodeAttribute(null=True)


class ControlModel(Model):
    """Small bookkeeping items keyed by a prefixed `pk`: daily code counters (`SEQ#`),
    idempotency keys (`IDEM#`), uploads (`UPLOAD#`) and code reservations (`CODE#`)."""

    class Meta(_Meta):
        table_name = "motcua-control"

    pk = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(null=True)
    counter = NumberAttribute(null=True)
    owner_id = UnicodeAttribute(null=True)
    ref = UnicodeAttribute(null=True)
    request_hash = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)
    doc = MapAttribute(null=True)


_MODELS: dict[type[Model], str] = {
    ProcedureModel: "procedures_table",
    DossierModel: "dossiers_table",
    EventModel: "events_table",
    ControlModel: "control_table",
    NotificationModel: "notifications_table",
}
_bound: tuple | None = None
_lock = threading.Lock()


def bind(settings: Settings | None = None) -> Settings:
    """Point every model at this stage's tables; cheap when nothing changed."""
    global _bound
    settings = settings or get_settings()
    key = settings.cache_key
    if key != _bound:
        with _lock:
            for model, attr in _MODELS.items():
                model.Meta.table_name = getattr(settings, attr)
                model.Meta.region = settings.region
                model.Meta.host = settings.endpoint_url
                model._connection = None
            _bound = key
    return settings


_connections: dict[tuple, object] = {}


def connection():
    """A connection for transactions, built once per region and endpoint."""
    from pynamodb.connection import Connection

    settings = bind()
    key = (settings.region, settings.endpoint_url)
    if key not in _connections:
        _connections[key] = Connection(region=settings.region, host=settings.endpoint_url, max_retry_attempts=3)
    return _connections[key]
