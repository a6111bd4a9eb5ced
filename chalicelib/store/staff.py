"""The staff directory in DynamoDB (StaffTable; docs/identity.md): members, their unique usernames, and the
record of every change. Writes are transactions — a member and its change record, or a new member and its
username — so the record never misses a change and two members never share a username."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..domain.errors import Conflict
from . import cursors
from .models import StaffModel, bind, connection

MEMBER = "MEMBER"


@dataclass(frozen=True)
class StaffMember:
    id: str  # the user pool's `sub`
    username: str
    name: str
    email: str | None
    roles: tuple[str, ...]
    agency_code: str | None
    unit: str | None = None
    title: str | None = None  # what citizens see beside the name ("Chuyên viên", ...)
    enabled: bool = True
    version: int = 1
    updated_at: str = ""
    updated_by: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["roles"] = list(self.roles)
        return data


def _member(model: StaffModel) -> StaffMember:
    doc = model.doc.as_dict() if model.doc else {}
    return StaffMember(id=model.id, username=model.username, name=doc.get("name") or model.username,
                       email=doc.get("email"), roles=tuple(doc.get("roles") or ()),
                       agency_code=model.agency_code or None, unit=doc.get("unit"), title=doc.get("title"),
                       enabled=bool(doc.get("enabled", True)), version=int(model.version or 1),
                       updated_at=doc.get("updated_at", ""), updated_by=doc.get("updated_by") or {})


def _model(member: StaffMember) -> StaffModel:
    doc = {k: v for k, v in member.to_dict().items() if k not in ("id", "username", "agency_code", "version")}
    # An agency-less member (an administrator) stays out of the agency index: no attribute, no index entry.
    return StaffModel(pk=f"STAFF#{member.id}", sk=MEMBER, id=member.id, username=member.username,
                      agency_code=member.agency_code or None, version=member.version, doc=doc)


def _change(member: StaffMember, changes: dict, at: str, by: dict) -> StaffModel:
    return StaffModel(pk=f"STAFF#{member.id}", sk=f"CHANGE#{at}#{secrets.token_hex(3)}",
                      doc={"at": at, "by": by, "changes": changes})


class StaffStore:
    def __init__(self) -> None:
        bind()

    def get(self, staff_id: str) -> StaffMember | None:
        try:
            return _member(StaffModel.get(f"STAFF#{staff_id}", MEMBER, consistent_read=True))
        except DoesNotExist:
            return None

    def by_username(self, username: str) -> StaffMember | None:
        try:
            pointer = StaffModel.get(f"USERNAME#{username.lower()}", MEMBER)
        except DoesNotExist:
            return None
        return self.get(pointer.id)

    def create(self, member: StaffMember, changes: dict, at: str, by: dict) -> None:
        """A new member, its username taken, and the record of its creation: all or nothing."""
        try:
            with TransactWrite(connection=connection()) as tx:
                tx.save(_model(member), condition=StaffModel.pk.does_not_exist())
                tx.save(StaffModel(pk=f"USERNAME#{member.username.lower()}", sk=MEMBER, id=member.id),
                        condition=StaffModel.pk.does_not_exist())
                tx.save(_change(member, changes, at, by))
        except TransactWriteError as error:
            raise Conflict("staff_exists") from error

    def update(self, member: StaffMember, expected_version: int, changes: dict, at: str, by: dict) -> None:
        """Write the member if nobody changed it since `expected_version`, with the record of the change."""
        try:
            with TransactWrite(connection=connection()) as tx:
                tx.save(_model(member), condition=StaffModel.version == expected_version)
                tx.save(_change(member, changes, at, by))
        except TransactWriteError as error:
            raise Conflict("concurrent_update") from error

    def changes(self, staff_id: str, limit: int = 100) -> list[dict]:
        """The member's recorded changes, newest first."""
        found = StaffModel.query(f"STAFF#{staff_id}", StaffModel.sk.startswith("CHANGE#"), scan_index_forward=False,
                                 limit=limit)
        return [item.doc.as_dict() for item in found]

    def list_agency(self, agency_code: str, limit: int, cursor: str | None) -> tuple[list[StaffMember], str | None]:
        """One agency's members by username, a page at a time (the agency index: no scan)."""
        conn: Connection = StaffModel._get_connection()
        page = conn.query(agency_code, index_name="agency-index", limit=limit,
                          exclusive_start_key=cursors.decode(cursor, {"agency_code": agency_code}))
        members = [_member(StaffModel.from_raw_data(item)) for item in page.get("Items", [])]
        return members, cursors.encode(page.get("LastEvaluatedKey"))
