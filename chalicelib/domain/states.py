"""The dossier state machine: one table that the API, the docs and the tests all read.

Each status maps to exactly one national status code (`TrangThaiHoSo`, 1–10 in DOMAIN.md).
`clock` says what the statutory clock does while a dossier sits in a status:
`not_started` before reception, `running` while the agency owes work, `paused` while the
applicant owes something, `stopped` once the dossier has ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    OFFICER = "officer"  # one-stop desk officer
    SPECIALIST = "specialist"
    LEADER = "leader"
    ADMIN = "admin"


class Status(StrEnum):
    SUBMITTED = "submitted"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    RECEIVED = "received"
    REFUSED = "refused"


@dataclass(frozen=True)
class StatusInfo:
    national_status: int
    clock: str
    name_vi: str
    name_en: str


STATUSES: dict[Status, StatusInfo] = {
    Status.SUBMITTED: StatusInfo(1, "not_started", "Mới đăng ký", "Newly registered"),
    Status.SUPPLEMENT_REQUESTED: StatusInfo(5, "paused", "Yêu cầu bổ sung", "Supplement requested"),
    Status.RECEIVED: StatusInfo(2, "running", "Đã tiếp nhận", "Received"),
    Status.REFUSED: StatusInfo(3, "stopped", "Từ chối tiếp nhận", "Not received (refused)"),
}


class Action(StrEnum):
    SUBMIT = "submit"
    RECEIVE = "receive"
    REQUEST_SUPPLEMENT = "request_supplement"
    REFUSE = "refuse"
    RESUBMIT = "resubmit"


@dataclass(frozen=True)
class Transition:
    source: Status | None  # None: the action creates the dossier
    action: Action
    target: Status
    roles: frozenset[Role]
    event_type: str


def _t(source: Status | None, action: Action, target: Status, roles: set[Role], event: str) -> Transition:
    return Transition(source, action, target, frozenset(roles), event)


TRANSITIONS: tuple[Transition, ...] = (
    _t(None, Action.SUBMIT, Status.SUBMITTED, {Role.CITIZEN}, "dossier.submitted"),
    _t(Status.SUBMITTED, Action.RECEIVE, Status.RECEIVED, {Role.OFFICER}, "dossier.received"),
    _t(Status.SUBMITTED, Action.REQUEST_SUPPLEMENT, Status.SUPPLEMENT_REQUESTED, {Role.OFFICER},
       "dossier.supplement_requested"),
    _t(Status.SUBMITTED, Action.REFUSE, Status.REFUSED, {Role.OFFICER}, "dossier.refused"),
    _t(Status.SUPPLEMENT_REQUESTED, Action.RESUBMIT, Status.SUBMITTED, {Role.CITIZEN}, "dossier.resubmitted"),
)

_BY_KEY: dict[tuple[Status | None, Action], Transition] = {(t.source, t.action): t for t in TRANSITIONS}


def find_transition(source: Status | None, action: Action) -> Transition | None:
    return _BY_KEY.get((source, action))


def allowed_actions(source: Status | None, roles: frozenset[Role] | set[Role]) -> list[str]:
    """What the caller may do next; a forbidden request answers with this list."""
    return [t.action.value for t in TRANSITIONS if t.source == source and t.roles & set(roles)]


def national_status(status: Status) -> int:
    return STATUSES[status].national_status
