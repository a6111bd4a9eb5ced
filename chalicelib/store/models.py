"""PynamoDB models: the only place that knows table layouts and key design (see docs/data-model.md).

Table names, region and endpoint are bound from the settings on first use (`bind`), never at
import time, so one code base serves every stage and the local moto stack.
"""

from __future__ import annotations

import threading
import zlib
from dataclasses import dataclass

from pynamodb.attributes import BinaryAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
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


@dataclass(frozen=True)
class IndexSpec:
    """One GSI of the dossiers table, declared once: PynamoDB's index classes are built from it, and
    infra/resources.yaml must declare the same (tests/infra/test_template.py compares them)."""

    name: str
    hash_key: str
    range_key: str | None
    include: tuple[str, ...] = ()  # non-key attributes projected; none means KEYS_ONLY

    @property
    def projection(self) -> dict:
        """As CloudFormation and DescribeTable spell it."""
        if not self.include:
            return {"ProjectionType": "KEYS_ONLY"}
        return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(self.include)}


# Each index projects its keys plus exactly what chalicelib/domain/search.py may put in a filter
# expression on it (a filter cannot see an attribute the index does not hold; every plan is checked by
# tests/unit/test_index_projections.py). A list page takes the ids from the index and reads the page's
# dossiers with one BatchGetItem, so a dossier change rewrites an index entry only when one of its few
# projected attributes changes, for 1 write unit instead of the whole item's size (docs/data-model.md).
_SCOPE = ("agency_unit", "assignee_key")
DOSSIER_INDEXES: tuple[IndexSpec, ...] = (
    IndexSpec("owner-index", "owner_id", "submitted_at"),
    IndexSpec("agency-index", "agency_code", "submitted_at"),
    IndexSpec("agency-status-index", "agency_status", "submitted_at", _SCOPE),
    # Open dossiers only (sparse): the deadline watch and the late queue.
    IndexSpec("agency-due-index", "agency_open", "due_date", ("agency_status", *_SCOPE)),
    # The officers' search indexes (chalicelib/domain/search.py plans queries on them).
    IndexSpec("agency-procedure-index", "agency_procedure", "submitted_at",
              ("agency_status", *_SCOPE, "due_date", "received_at")),
    IndexSpec("agency-unit-index", "agency_unit", "submitted_at"),
    IndexSpec("assignee-index", "assignee_key", "submitted_at",
              ("agency_procedure", "agency_status", "agency_unit", "due_date", "received_at")),
    IndexSpec("agency-received-index", "agency_code", "received_at", ("agency_status", *_SCOPE, "due_date")),
    IndexSpec("agency-name-index", "agency_code", "applicant_key",
              ("agency_procedure", "agency_status", *_SCOPE, "due_date", "received_at")),
    IndexSpec("agency-identity-index", "agency_identity", "submitted_at",
              ("agency_procedure", "agency_status", *_SCOPE, "due_date", "received_at", "applicant_key")),
    # Incoming work is filtered on the unprefixed twins of the home agency's keys.
    IndexSpec("partner-index", "partner_agency", "submitted_at",
              ("applicant_id", "applicant_key", "due_date", "procedure_code", "received_at")),
    # Lookup by national dossier code needs only the id back; the item is then read by its key.
    IndexSpec("code-index", "code", None),
)
DOSSIER_INDEX = {spec.name: spec for spec in DOSSIER_INDEXES}


def _dossier_index(name: str) -> GlobalSecondaryIndex:
    """The PynamoDB index for DOSSIER_INDEX[name] (PynamoDB wants one class per index)."""
    spec = DOSSIER_INDEX[name]
    projection = IncludeProjection(list(spec.include)) if spec.include else KeysOnlyProjection()
    attrs = {"Meta": type("Meta", (), {"index_name": spec.name, "projection": projection}),
             spec.hash_key: UnicodeAttribute(hash_key=True)}
    if spec.range_key:
        attrs[spec.range_key] = UnicodeAttribute(range_key=True)
    return type(spec.name.title().replace("-", ""), (GlobalSecondaryIndex,), attrs)()


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
    # The whole record, zlib-compressed JSON (packing.pack_doc): every step rewrites the item in a transaction,
    # and compressed it is a third of the size, so a third of the write units. Items written before keep `doc`.
    doc_z = BinaryAttribute(null=True, legacy_encoding=False)
    doc = MapAttribute(null=True)
    owner_index = _dossier_index("owner-index")
    agency_index = _dossier_index("agency-index")
    agency_status_index = _dossier_index("agency-status-index")
    agency_due_index = _dossier_index("agency-due-index")
    agency_procedure_index = _dossier_index("agency-procedure-index")
    agency_unit_index = _dossier_index("agency-unit-index")
    assignee_index = _dossier_index("assignee-index")
    agency_received_index = _dossier_index("agency-received-index")
    agency_name_index = _dossier_index("agency-name-index")
    agency_identity_index = _dossier_index("agency-identity-index")
    partner_index = _dossier_index("partner-index")
    code_index = _dossier_index("code-index")


DayIndex = _index("day-index", "day", "at")
# A day's events of the whole country on one partition key would be the hottest key of the platform (about
# 200 events a second at peak, docs/data-model.md "Hot keys"): the day index's key is `<UTC date>#<shard>`,
# the shard taken from the dossier id (a dossier's events share it). Readers query every shard and merge by `at`.
DAY_SHARDS = 16


def day_key(at: str, dossier_id: str) -> str:
    """The day index's partition key of an event at `at` (stored ISO-8601 UTC) of a dossier."""
    return f"{at[:10]}#{zlib.crc32(dossier_id.encode()) % DAY_SHARDS:02d}"


def day_partitions(day: str) -> list[str]:
    """Every day-index partition key of a UTC day (`YYYY-MM-DD`): the bare date first, which events written
    before the shards still carry (events are never rewritten), then each shard."""
    return [day, *(f"{day}#{shard:02d}" for shard in range(DAY_SHARDS))]


class EventModel(Model):
    """Immutable event log (the transactional outbox); its stream feeds the event relay."""

    class Meta(_Meta):
        table_name = "motcua-events"

    dossier_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    event_id = UnicodeAttribute()
    type = UnicodeAttribute()
    at = UnicodeAttribute()
    day = UnicodeAttribute(null=True)  # day_key(): `<UTC date of at>#<shard>`, for replays by time range
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


class StaffByAgency(GlobalSecondaryIndex):
    """The directory of one agency, by username: only member items carry `agency_code` (sparse)."""

    class Meta:
        index_name = "agency-index"
        projection = AllProjection()

    agency_code = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute(range_key=True)


class StaffModel(Model):
    """The staff directory (docs/identity.md): `STAFF#<id>`/`MEMBER` is a member (id = the user pool's `sub`),
    `STAFF#<id>`/`CHANGE#<at>#<n>` one recorded change of it, `USERNAME#<username>`/`MEMBER` the unique
    username's pointer to the id."""

    class Meta(_Meta):
        table_name = "motcua-staff"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute(null=True)
    username = UnicodeAttribute(null=True)
    agency_code = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    doc = MapAttribute(null=True)
    agency_index = StaffByAgency()


# What the auditor's list of one staff member's reads shows, besides the keys (tests/infra/test_template.py compares
# it with the template's staff-index).
ACCESS_LOG_STAFF_PROJECTION = ("at", "dossier_code", "username", "name", "title", "roles", "agency_code", "route",
                               "file_id")


class AccessByStaff(GlobalSecondaryIndex):
    """One staff member's reads across dossiers, by time."""

    class Meta:
        index_name = "staff-index"
        projection = IncludeProjection(list(ACCESS_LOG_STAFF_PROJECTION))

    staff_id = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)


class AccessLogModel(Model):
    """The access log (Decree 13/2023): one item per read of a dossier by someone other than its applicant, keyed
    `dossier_id` + `at_id` (`<UTC ISO time>#<random>`, so a dossier's entries sort by time). Written once, never
    changed (chalicelib/domain/access_log.py)."""

    class Meta(_Meta):
        table_name = "motcua-access-log"

    dossier_id = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)
    at = UnicodeAttribute()
    dossier_code = UnicodeAttribute(null=True)
    staff_id = UnicodeAttribute()
    username = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)
    roles = ListAttribute(of=UnicodeAttribute, null=True)
    agency_code = UnicodeAttribute(null=True)
    route = UnicodeAttribute()
    file_id = UnicodeAttribute(null=True)
    staff_index = AccessByStaff()


class PaymentsByDossier(GlobalSecondaryIndex):
    class Meta:
        index_name = "dossier-index"
        projection = AllProjection()

    dossier_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class PaymentsToWatch(GlobalSecondaryIndex):
    """Sparse: payments with an outcome to learn or a refund to follow, by when to ask the gateway."""

    class Meta:
        index_name = "watch-index"
        projection = KeysOnlyProjection()

    watch_shard = UnicodeAttribute(hash_key=True)
    check_after = UnicodeAttribute(range_key=True)


class PaymentsByDay(GlobalSecondaryIndex):
    """Sparse: succeeded payments by `<terminal>#<yyyyMMdd>`, for the daily reconciliation report."""

    class Meta:
        index_name = "day-index"
        projection = AllProjection()

    pay_day = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)


class PaymentModel(Model):
    """One online payment of a fee (docs/payments.md): an order at the gateway and what became of it."""

    class Meta(_Meta):
        table_name = "motcua-payments"

    id = UnicodeAttribute(hash_key=True)
    dossier_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    state = UnicodeAttribute()
    version = NumberAttribute()
    watch_shard = UnicodeAttribute(null=True)
    check_after = UnicodeAttribute(null=True)
    pay_day = UnicodeAttribute(null=True)
    doc = MapAttribute()
    dossier_index = PaymentsByDossier()
    watch_index = PaymentsToWatch()
    day_index = PaymentsByDay()


class FeedbackQueue(GlobalSecondaryIndex):
    """Sparse: items with a step due from the agency, by the day it is due."""

    class Meta:
        index_name = "queue-index"
        projection = IncludeProjection(["status", "kind", "title", "filed_at", "procedure_code", "dossier_code",
                                        "late_steps", "overdue_steps"])

    queue_agency = UnicodeAttribute(hash_key=True)
    due_on = UnicodeAttribute(range_key=True)


class FeedbackToWatch(GlobalSecondaryIndex):
    class Meta:
        index_name = "watch-index"
        projection = KeysOnlyProjection()

    watch_shard = UnicodeAttribute(hash_key=True)
    check_on = UnicodeAttribute(range_key=True)


class FeedbackPublished(GlobalSecondaryIndex):
    class Meta:
        index_name = "public-index"
        projection = IncludeProjection(["public", "kind", "procedure_code", "filed_at"])

    public_agency = UnicodeAttribute(hash_key=True)
    published_at = UnicodeAttribute(range_key=True)


class FeedbackByOwner(GlobalSecondaryIndex):
    class Meta:
        index_name = "owner-index"
        projection = IncludeProjection(["status", "kind", "title", "agency_code"])

    owner_id = UnicodeAttribute(hash_key=True)
    filed_at = UnicodeAttribute(range_key=True)


class FeedbackModel(Model):
    """One feedback or petition (docs/feedback.md); its events are in EventsTable under `FB#<code>`."""

    class Meta(_Meta):
        table_name = "motcua-feedback"

    code = UnicodeAttribute(hash_key=True)
    agency_code = UnicodeAttribute()
    status = UnicodeAttribute()
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    filed_at = UnicodeAttribute()
    version = NumberAttribute()
    procedure_code = UnicodeAttribute(null=True)
    dossier_code = UnicodeAttribute(null=True)
    late_steps = ListAttribute(of=UnicodeAttribute, null=True)
    overdue_steps = ListAttribute(of=UnicodeAttribute, null=True)
    queue_agency = UnicodeAttribute(null=True)
    due_on = UnicodeAttribute(null=True)
    watch_shard = UnicodeAttribute(null=True)
    check_on = UnicodeAttribute(null=True)
    public_agency = UnicodeAttribute(null=True)
    published_at = UnicodeAttribute(null=True)
    owner_id = UnicodeAttribute(null=True)
    public = MapAttribute(null=True)
    doc = MapAttribute()
    queue_index = FeedbackQueue()
    watch_index = FeedbackToWatch()
    public_index = FeedbackPublished()
    owner_index = FeedbackByOwner()


class PapersByType(GlobalSecondaryIndex):
    class Meta:
        index_name = "type-index"
        projection = AllProjection()

    owner_type = UnicodeAttribute(hash_key=True)
    paper_id = UnicodeAttribute(range_key=True)


class PaperModel(Model):
    """One paper of an applicant's store (docs/papers.md): `owner` is `acct#<account>` or `id#<ID number>`, `paper_id`
    the stored object's upload id (ULID: newest last); `owner_type` = `<owner>#<type>` keys the newest papers of one
    type. Written with the dossier's change that makes it, never changed after."""

    class Meta(_Meta):
        table_name = "motcua-papers"

    owner = UnicodeAttribute(hash_key=True)
    paper_id = UnicodeAttribute(range_key=True)
    owner_type = UnicodeAttribute()
    doc = MapAttribute()
    type_index = PapersByType()


# What the desk's and the display's lists show of a ticket, besides the keys (infra/resources.yaml lists the same).
TICKET_LIST_PROJECTION = ("number", "service", "status", "counter", "taken_at", "called_at", "version")


class TicketsWaiting(GlobalSecondaryIndex):
    """Sparse: tickets waiting in one service's line of one day (`<agency>#<service>#<day>`), in number order."""

    class Meta:
        index_name = "waiting-index"
        projection = IncludeProjection(list(TICKET_LIST_PROJECTION))

    waiting_line = UnicodeAttribute(hash_key=True)
    line_position = UnicodeAttribute(range_key=True)


class TicketsActive(GlobalSecondaryIndex):
    """Sparse: tickets called or being served at an agency's counters today (`<agency>#<day>`), by last call."""

    class Meta:
        index_name = "active-index"
        projection = IncludeProjection(list(TICKET_LIST_PROJECTION))

    active_day = UnicodeAttribute(hash_key=True)
    last_called_at = UnicodeAttribute(range_key=True)


class TicketsCalled(GlobalSecondaryIndex):
    """Sparse: every ticket called at an agency on a day (`<agency>#<day>`), by last call (the display's recent
    calls)."""

    class Meta:
        index_name = "called-index"
        projection = IncludeProjection(list(TICKET_LIST_PROJECTION))

    called_day = UnicodeAttribute(hash_key=True)
    last_called_at = UnicodeAttribute(range_key=True)


class TicketModel(Model):
    """One desk queue ticket (docs/queue.md); its events are in EventsTable under `TQ#<id>`."""

    class Meta(_Meta):
        table_name = "motcua-queue"

    id = UnicodeAttribute(hash_key=True)
    agency_code = UnicodeAttribute()
    service = UnicodeAttribute()
    number = UnicodeAttribute()
    day = UnicodeAttribute()
    status = UnicodeAttribute()
    taken_at = UnicodeAttribute()
    version = NumberAttribute()
    counter = UnicodeAttribute(null=True)
    called_at = UnicodeAttribute(null=True)
    last_called_at = UnicodeAttribute(null=True)
    waiting_line = UnicodeAttribute(null=True)
    line_position = UnicodeAttribute(null=True)
    active_day = UnicodeAttribute(null=True)
    called_day = UnicodeAttribute(null=True)
    doc = MapAttribute()
    waiting_index = TicketsWaiting()
    active_index = TicketsActive()
    called_index = TicketsCalled()

_MODELS: dict[type[Model], str] = {
    ProcedureModel: "procedures_table",
    DossierModel: "dossiers_table",
    EventModel: "events_table",
    ControlModel: "control_table",
    NotificationModel: "notifications_table",
    StaffModel: "staff_table",
    AccessLogModel: "access_log_table",
    PaymentModel: "payments_table",
    FeedbackModel: "feedback_table",
    PaperModel: "papers_table",
    TicketModel: "queue_table",
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
