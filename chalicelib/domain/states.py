"""The dossier state machine: one table that the API, the docs and the tests all read.

Each status maps to exactly one national status code (`TrangThaiHoSo`, 1–10 in DOMAIN.md).
`clock` says what the statutory clock does while a dossier sits in a status:
`not_started` before reception, `running` while the agency owes work, `paused` while the
applicant owes something, `stopped` once the dossier has ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .event_types import EventType


class Role(StrEnum):
    CITIZEN = "citizen"
    OFFICER = "officer"  # one-stop desk officer
    SPECIALIST = "specialist"
    LEADER = "leader"
    ADMIN = "admin"
    SYSTEM = "system"  # the platform's own scheduled work; never granted by a token


class Status(StrEnum):
    SUBMITTED = "submitted"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    # Asked during processing: the clock stops until the applicant resubmits, then the specialist resumes.
    SUPPLEMENT_IN_PROCESSING = "supplement_in_processing"
    RECEIVED = "received"
    # Received at another agency's desk and forwarded: the competent agency's desk takes it in and routes it on.
    FORWARDED = "forwarded"
    REFUSED = "refused"
    TRANSFERRED = "transferred"
    ASSIGNED = "assigned"
    AT_OTHER_AGENCY = "at_other_agency"  # inter-agency (liên thông): another agency does its part
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    STOPPED = "stopped"
    WITHDRAWN = "withdrawn"
    FEE_REQUESTED = "fee_requested"
    RESULT_ISSUED = "result_issued"
    IN_POST = "in_post"
    RETURNED = "returned"


@dataclass(frozen=True)
class StatusInfo:
    national_status: int
    clock: str
    name_vi: str
    name_en: str


STATUSES: dict[Status, StatusInfo] = {
    Status.SUBMITTED: StatusInfo(1, "not_started", "Mới đăng ký", "Newly registered"),
    Status.SUPPLEMENT_REQUESTED: StatusInfo(5, "paused", "Yêu cầu bổ sung", "Supplement requested"),
    Status.SUPPLEMENT_IN_PROCESSING: StatusInfo(5, "paused", "Yêu cầu bổ sung trong quá trình giải quyết",
                                                "Supplement requested during processing"),
    Status.RECEIVED: StatusInfo(2, "running", "Đã tiếp nhận", "Received"),
    # Still "received" for the national portal: the receipt stands, the competent agency has not begun.
    Status.FORWARDED: StatusInfo(2, "running", "Đã chuyển cơ quan có thẩm quyền giải quyết",
                                 "Forwarded to the competent agency"),
    Status.REFUSED: StatusInfo(3, "stopped", "Từ chối tiếp nhận", "Not received (refused)"),
    Status.TRANSFERRED: StatusInfo(4, "running", "Đã chuyển phòng chuyên môn", "Transferred to the competent unit"),
    Status.ASSIGNED: StatusInfo(4, "running", "Chuyên viên đang xử lý", "Being assessed by a specialist"),
    Status.AT_OTHER_AGENCY: StatusInfo(4, "running", "Đang xử lý liên thông tại cơ quan khác",
                                       "With another agency for its part (inter-agency)"),
    Status.PROPOSED: StatusInfo(4, "running", "Chờ lãnh đạo phê duyệt", "Awaiting the leader's decision"),
    Status.APPROVED: StatusInfo(9, "stopped", "Đã giải quyết (chấp thuận)", "Processed (approved)"),
    Status.REJECTED: StatusInfo(9, "stopped", "Đã giải quyết (không chấp thuận)", "Processed (rejected)"),
    Status.STOPPED: StatusInfo(8, "stopped", "Dừng xử lý", "Processing stopped"),
    Status.WITHDRAWN: StatusInfo(7, "stopped", "Công dân rút hồ sơ", "Withdrawn by the applicant"),
    Status.FEE_REQUESTED: StatusInfo(6, "paused", "Chờ thực hiện nghĩa vụ tài chính", "Awaiting payment of fees"),
    Status.RESULT_ISSUED: StatusInfo(9, "stopped", "Đã có kết quả, chờ trả", "Result issued, awaiting return"),
    Status.IN_POST: StatusInfo(9, "stopped", "Đang chuyển phát kết quả", "Result in the post"),
    Status.RETURNED: StatusInfo(10, "stopped", "Đã trả kết quả", "Result returned"),
}


class Action(StrEnum):
    SUBMIT = "submit"
    RECEIVE = "receive"
    FORWARD = "forward"
    REQUEST_SUPPLEMENT = "request_supplement"
    REFUSE = "refuse"
    RESUBMIT = "resubmit"
    TRANSFER = "transfer"
    ASSIGN = "assign"
    PROPOSE = "propose"
    SEND_TO_AGENCY = "send_to_agency"
    RETURN_FROM_AGENCY = "return_from_agency"
    SEND_BACK = "send_back"
    APPROVE = "approve"
    REJECT = "reject"
    STOP = "stop"
    WITHDRAW = "withdraw"
    REQUEST_FEE = "request_fee"
    RECORD_PAYMENT = "record_payment"
    START_PAYMENT = "start_payment"
    UPDATE_PAYMENT = "update_payment"
    ISSUE_RESULT = "issue_result"
    RETURN_ONLINE = "return_online"
    RETURN_AT_DESK = "return_at_desk"
    SEND_BY_POST = "send_by_post"
    RECORD_DELIVERY = "record_delivery"
    FLAG_DUE_SOON = "flag_due_soon"
    FLAG_OVERDUE = "flag_overdue"
    APOLOGISE = "apologise"
    ALLOW_APOLOGY = "allow_apology"
    EVALUATE = "evaluate"


@dataclass(frozen=True)
class Transition:
    source: Status | None  # None: the action creates the dossier
    action: Action
    target: Status
    roles: frozenset[Role]
    event_type: EventType
    handover: bool = False  # the dossier changes hands: a line on the control slip (form 06 since Circular 03/2025)
    delivery: str | None = None  # only for dossiers whose result goes by this method


def _t(source: Status | None, action: Action, target: Status, roles: set[Role], event: EventType,
       handover: bool = False, delivery: str | None = None) -> Transition:
    return Transition(source, action, target, frozenset(roles), event, handover, delivery)


# Before a decision the applicant may withdraw and a leader may stop processing.
_WITHDRAWABLE = (Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED, Status.RECEIVED, Status.FORWARDED,
                 Status.TRANSFERRED, Status.ASSIGNED, Status.AT_OTHER_AGENCY, Status.PROPOSED, Status.FEE_REQUESTED,
                 Status.SUPPLEMENT_IN_PROCESSING)
_STOPPABLE = (Status.TRANSFERRED, Status.ASSIGNED, Status.AT_OTHER_AGENCY, Status.PROPOSED, Status.FEE_REQUESTED,
              Status.SUPPLEMENT_IN_PROCESSING)
_DECIDED = (Status.APPROVED, Status.REJECTED)
# Where a dossier may be once a fee was asked for: an online payment's news may arrive in any of these.
_AFTER_FEE = (Status.FEE_REQUESTED, Status.ASSIGNED, Status.AT_OTHER_AGENCY, Status.PROPOSED,
              Status.SUPPLEMENT_IN_PROCESSING, *_DECIDED, Status.STOPPED, Status.WITHDRAWN, Status.RESULT_ISSUED,
              Status.IN_POST, Status.RETURNED)
# The statutory clock runs or waits: the deadline is watched, and an apology may set a new one.
_OPEN = (Status.RECEIVED, Status.FORWARDED, Status.TRANSFERRED, Status.ASSIGNED, Status.AT_OTHER_AGENCY,
         Status.PROPOSED, Status.FEE_REQUESTED, Status.SUPPLEMENT_IN_PROCESSING)


TRANSITIONS: tuple[Transition, ...] = (
    # Online by the applicant, or at the one-stop desk by the officer who takes in the papers.
    _t(None, Action.SUBMIT, Status.SUBMITTED, {Role.CITIZEN, Role.OFFICER}, EventType.SUBMITTED),
    _t(Status.SUBMITTED, Action.RECEIVE, Status.RECEIVED, {Role.OFFICER}, EventType.RECEIVED),
    _t(Status.SUBMITTED, Action.REQUEST_SUPPLEMENT, Status.SUPPLEMENT_REQUESTED, {Role.OFFICER},
       EventType.SUPPLEMENT_REQUESTED),
    _t(Status.SUBMITTED, Action.REFUSE, Status.REFUSED, {Role.OFFICER}, EventType.REFUSED),
    _t(Status.SUPPLEMENT_REQUESTED, Action.RESUBMIT, Status.SUBMITTED, {Role.CITIZEN}, EventType.RESUBMITTED),
    _t(Status.RECEIVED, Action.TRANSFER, Status.TRANSFERRED, {Role.OFFICER}, EventType.TRANSFERRED, True),
    # Reception regardless of administrative boundaries: the desk that received a dossier of another agency's
    # procedure forwards it there (instead of transferring it); that agency's desk takes the hand-over and
    # transfers it to its competent unit. Which of the two a received dossier offers is a guard (access.py).
    _t(Status.RECEIVED, Action.FORWARD, Status.FORWARDED, {Role.OFFICER}, EventType.FORWARDED, True),
    _t(Status.FORWARDED, Action.TRANSFER, Status.TRANSFERRED, {Role.OFFICER}, EventType.TRANSFERRED, True),
    _t(Status.TRANSFERRED, Action.ASSIGN, Status.ASSIGNED, {Role.LEADER}, EventType.ASSIGNED, True),
    _t(Status.ASSIGNED, Action.PROPOSE, Status.PROPOSED, {Role.SPECIALIST}, EventType.PROPOSED, True),
    # Inter-agency (liên thông): the assessing specialist sends the part another agency must do;
    # any staff member of that agency returns it with their reply, back to the same specialist.
    _t(Status.ASSIGNED, Action.SEND_TO_AGENCY, Status.AT_OTHER_AGENCY, {Role.SPECIALIST}, EventType.SENT_TO_AGENCY,
       True),
    _t(Status.AT_OTHER_AGENCY, Action.RETURN_FROM_AGENCY, Status.ASSIGNED, {Role.OFFICER, Role.SPECIALIST, Role.LEADER},
       EventType.RETURNED_FROM_AGENCY, True),
    _t(Status.PROPOSED, Action.SEND_BACK, Status.ASSIGNED, {Role.LEADER}, EventType.SENT_BACK, True),
    _t(Status.PROPOSED, Action.APPROVE, Status.APPROVED, {Role.LEADER}, EventType.APPROVED),
    _t(Status.PROPOSED, Action.REJECT, Status.REJECTED, {Role.LEADER}, EventType.REJECTED),
    _t(Status.ASSIGNED, Action.REQUEST_FEE, Status.FEE_REQUESTED, {Role.OFFICER, Role.SPECIALIST},
       EventType.FEE_REQUESTED),
    # Paid at the desk (an officer records it) or online (the platform, on the gateway's word: docs/payments.md).
    _t(Status.FEE_REQUESTED, Action.RECORD_PAYMENT, Status.ASSIGNED, {Role.OFFICER, Role.SYSTEM}, EventType.FEE_PAID),
    _t(Status.FEE_REQUESTED, Action.START_PAYMENT, Status.FEE_REQUESTED, {Role.CITIZEN}, EventType.PAYMENT_STARTED),
    # An online payment's failure, expiry or refund is recorded whatever became of the dossier meanwhile.
    *(_t(s, Action.UPDATE_PAYMENT, s, {Role.SYSTEM}, EventType.PAYMENT_UPDATED) for s in _AFTER_FEE),
    # A supplement found missing during assessment: every item at once (form 02), the clock stopped until the
    # applicant resubmits; the appointment date then moves by the working days waited.
    _t(Status.ASSIGNED, Action.REQUEST_SUPPLEMENT, Status.SUPPLEMENT_IN_PROCESSING, {Role.SPECIALIST, Role.LEADER},
       EventType.SUPPLEMENT_REQUESTED),
    _t(Status.SUPPLEMENT_IN_PROCESSING, Action.RESUBMIT, Status.ASSIGNED, {Role.CITIZEN}, EventType.RESUBMITTED),
    *(_t(s, Action.ISSUE_RESULT, Status.RESULT_ISSUED, {Role.OFFICER, Role.SPECIALIST, Role.LEADER},
         EventType.RESULT_ISSUED, True) for s in _DECIDED),
    _t(Status.RESULT_ISSUED, Action.RETURN_ONLINE, Status.RETURNED, {Role.OFFICER}, EventType.RETURNED,
       delivery="online"),
    _t(Status.RESULT_ISSUED, Action.RETURN_AT_DESK, Status.RETURNED, {Role.OFFICER}, EventType.RETURNED,
       delivery="desk"),
    _t(Status.RESULT_ISSUED, Action.SEND_BY_POST, Status.IN_POST, {Role.OFFICER}, EventType.SENT_BY_POST,
       delivery="post"),
    _t(Status.IN_POST, Action.RECORD_DELIVERY, Status.RETURNED, {Role.OFFICER}, EventType.RETURNED),
    *(_t(s, Action.STOP, Status.STOPPED, {Role.LEADER}, EventType.STOPPED) for s in _STOPPABLE),
    # Deadline watch: these keep the status (the scan flags, the apology letter moves the date).
    *(_t(s, Action.FLAG_DUE_SOON, s, {Role.SYSTEM}, EventType.DUE_SOON) for s in _OPEN),
    *(_t(s, Action.FLAG_OVERDUE, s, {Role.SYSTEM}, EventType.OVERDUE) for s in _OPEN),
    *(_t(s, Action.APOLOGISE, s, {Role.OFFICER, Role.LEADER, Role.SPECIALIST}, EventType.APOLOGY_ISSUED)
      for s in _OPEN),
    *(_t(s, Action.ALLOW_APOLOGY, s, {Role.ADMIN}, EventType.APOLOGY_ALLOWED) for s in _OPEN),
    *(_t(s, Action.WITHDRAW, Status.WITHDRAWN, {Role.CITIZEN}, EventType.WITHDRAWN) for s in _WITHDRAWABLE),
    # The applicant rates the handling once the result is back (and may amend it for a while). A rating
    # of "not satisfied" is published as `dossier.rated_not_satisfied` so the agency hears of it.
    _t(Status.RETURNED, Action.EVALUATE, Status.RETURNED, {Role.CITIZEN}, EventType.EVALUATED),
)

NOT_SATISFIED_EVENT = EventType.RATED_NOT_SATISFIED

_BY_KEY: dict[tuple[Status | None, Action], Transition] = {(t.source, t.action): t for t in TRANSITIONS}


def find_transition(source: Status | None, action: Action) -> Transition | None:
    return _BY_KEY.get((source, action))


def allowed_actions(source: Status | None, roles: frozenset[Role] | set[Role]) -> list[str]:
    """What the caller may do next; a forbidden request answers with this list."""
    return [t.action.value for t in TRANSITIONS if t.source == source and t.roles & set(roles)]


def national_status(status: Status) -> int:
    return STATUSES[status].national_status
