"""Officers' work queues and search: which index answers a query, and what narrows it within that index.

Pure planning, no AWS: the store runs the plan as one DynamoDB Query on the chosen index (never a
scan). The most selective filter picks the index and its key range; every other filter, and the
caller's own scope (a leader's or specialist's unit), narrows the read range with a filter expression.
See docs/data-model.md for the indexes and docs/api.md for the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from .calendar import LOCAL_TZ
from .identity import normalise_text_for_search
from .principal import Principal
from .states import Role
from .times import iso

# index name -> (partition attribute, sort attribute), as in chalicelib/store/models.py
INDEXES: dict[str, tuple[str, str]] = {
    "agency-index": ("agency_code", "submitted_at"),
    "agency-status-index": ("agency_status", "submitted_at"),
    "agency-due-index": ("agency_open", "due_date"),
    "agency-procedure-index": ("agency_procedure", "submitted_at"),
    "agency-unit-index": ("agency_unit", "submitted_at"),
    "assignee-index": ("assignee_key", "submitted_at"),
    "agency-received-index": ("agency_code", "received_at"),
    "agency-name-index": ("agency_code", "applicant_key"),
    "agency-identity-index": ("agency_identity", "submitted_at"),
    "partner-index": ("partner_agency", "submitted_at"),
}
# Keys only, no sort key and no agency in its key: a plan on it is run by DossierStore.find_by_code
# (the id from the index, then the item, with the plan's filters keeping it to the caller's scope).
CODE_INDEX = "code-index"


@dataclass(frozen=True)
class DeskFilters:
    """What an officer asks for; dates are local (Vietnam) calendar days, bounds inclusive."""

    status: str | None = None
    procedure: str | None = None
    assignee: str | None = None  # a specialist's username
    due_after: date | None = None
    due_before: date | None = None
    overdue: bool = False
    received_from: date | None = None
    received_to: date | None = None
    name: str | None = None  # the applicant's name or its beginning, with or without diacritics
    id_number: str | None = None  # the applicant's citizen ID (or a business's tax code)
    incoming: bool = False  # dossiers another agency sent to the caller's agency for its part
    code: str | None = None  # the national dossier code, exactly


@dataclass(frozen=True)
class Condition:
    attribute: str
    op: str  # "eq", "between", "le", "ge", "begins_with"
    values: tuple


@dataclass(frozen=True)
class Plan:
    index: str
    partition: str
    key_range: Condition | None = None
    filters: tuple[Condition, ...] = field(default_factory=tuple)
    newest_first: bool = True

    @property
    def key_attributes(self) -> tuple[str, str]:
        return INDEXES[self.index]

    @property
    def by_code(self) -> bool:
        return self.index == CODE_INDEX


def name_key(name: str) -> str:
    """How applicant names are stored and searched: diacritics-insensitive, lowercase, single-spaced."""
    return normalise_text_for_search(name)


def applicant_name(applicant: dict) -> str:
    return applicant.get("full_name") or applicant.get("name") or ""


def applicant_id_number(applicant: dict) -> str | None:
    value = applicant.get("citizen_id") or applicant.get("tax_code")
    return value.strip().upper() if value else None


def _day_start_utc(day: date) -> str:
    return iso(datetime.combine(day, time.min, LOCAL_TZ))


def _due_range(filters: DeskFilters, today: date) -> tuple[str | None, str | None]:
    low = filters.due_after.isoformat() if filters.due_after else None
    highs = [d for d in (filters.due_before, today - timedelta(days=1) if filters.overdue else None) if d]
    return low, (min(highs).isoformat() if highs else None)


def _range(attribute: str, low: str | None, high: str | None) -> Condition:
    if low is not None and high is not None:
        return Condition(attribute, "between", (low, high))
    return Condition(attribute, "ge", (low,)) if low is not None else Condition(attribute, "le", (high,))


class NothingMatches(ValueError):
    """The filters exclude each other (e.g. overdue and due from today on): the answer is empty, no read needed."""


class UnsupportedFilter(ValueError):
    """A filter that means nothing in the requested view (e.g. a home-agency assignee on incoming work)."""


def plan(filters: DeskFilters, principal: Principal, today: date) -> Plan:
    """The index, key range and filters for `filters`, inside what `principal` may see.

    Candidates are listed most selective first; the first becomes the key condition, the others
    filter expressions. Incoming inter-agency work belongs to other agencies, so there the keys
    that carry the home agency's code are matched on their unprefixed twins instead.
    """
    agency = principal.agency_code or ""
    incoming = filters.incoming
    if incoming and (filters.assignee or filters.status):
        raise UnsupportedFilter("assignee" if filters.assignee else "status")
    candidates: list[tuple[str, str, Condition | None, bool]] = []  # index, partition, key range, newest first
    narrowing: list[Condition] = []

    def keyed(index: str, partition: str, key_range: Condition | None, newest_first: bool,
              as_filter: Condition) -> None:
        if not incoming:
            candidates.append((index, partition, key_range, newest_first))
        narrowing.append(as_filter)

    if filters.id_number:
        number = filters.id_number.strip().upper()
        value = f"{agency}#{number}"
        keyed("agency-identity-index", value, None, True, Condition("applicant_id", "eq", (number,)) if incoming
              else Condition("agency_identity", "eq", (value,)))
    if filters.name:
        cond = Condition("applicant_key", "begins_with", (name_key(filters.name),))
        keyed("agency-name-index", agency, cond, False, cond)
    if filters.assignee:
        value = f"{agency}#{filters.assignee}"
        keyed("assignee-index", value, None, True, Condition("assignee_key", "eq", (value,)))
    if filters.procedure:
        value = f"{agency}#{filters.procedure}"
        keyed("agency-procedure-index", value, None, True,
              Condition("procedure_code", "eq", (filters.procedure,)) if incoming
              else Condition("agency_procedure", "eq", (value,)))
    if filters.received_from or filters.received_to:
        low = _day_start_utc(filters.received_from) if filters.received_from else None
        # The last day is inclusive: everything before the next local midnight.
        high = _day_start_utc(filters.received_to + timedelta(days=1)) if filters.received_to else None
        cond = _range("received_at", low, high)
        keyed("agency-received-index", agency, cond, True, cond)
    low, high = _due_range(filters, today)
    if low and high and low > high:
        raise NothingMatches("due")
    if low or high:
        cond = _range("due_date", low, high)
        keyed("agency-due-index", agency, cond, False, cond)
    if filters.status:
        value = f"{agency}#{filters.status}"
        keyed("agency-status-index", value, None, False, Condition("agency_status", "eq", (value,)))

    scope = None if incoming else _scope(principal, agency)
    if incoming:
        candidates.append(("partner-index", agency, None, True))
    if scope is not None:
        index = "agency-unit-index" if scope.attribute == "agency_unit" else "assignee-index"
        candidates.append((index, scope.values[0], None, True))
        narrowing.append(scope)
    candidates.append(("agency-index", agency, None, True))
    if filters.code:
        # A code names one dossier: nothing is more selective. Its index carries no agency, so the
        # caller's agency (home, or partner for incoming work) narrows it as a filter instead.
        candidates.insert(0, (CODE_INDEX, filters.code.strip().upper(), None, True))
        narrowing.append(Condition("partner_agency" if incoming else "agency_code", "eq", (agency,)))

    index, partition, key_range, newest_first = candidates[0]
    pk_attribute = "code" if index == CODE_INDEX else INDEXES[index][0]
    rest = tuple(c for c in narrowing if c != key_range and not (c.attribute == pk_attribute and c.op == "eq"))
    return Plan(index, partition, key_range, rest, newest_first)


def _scope(principal: Principal, agency: str) -> Condition | None:
    """Desk officers see their agency's queue; leaders and specialists what reached their unit
    (a specialist without a unit: what is assigned to them)."""
    if principal.has(Role.OFFICER, Role.ADMIN):
        return None
    if principal.unit:
        return Condition("agency_unit", "eq", (f"{agency}#{principal.unit}",))
    return Condition("assignee_key", "eq", (f"{agency}#{principal.username}",))
