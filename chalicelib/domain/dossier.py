"""The dossier record: what the store keeps and the API shows of one application."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from .states import STATUSES, Status
from .times import iso, parse_iso

# Submission channel codes of the national portal (`KenhThucHien`).
CHANNEL_DESK, CHANNEL_ONLINE, CHANNEL_POST = 1, 2, 3


@dataclass
class Dossier:
    id: str
    code: str
    procedure_code: str
    procedure_version: int
    agency_code: str
    owner_id: str
    applicant: dict
    summary: str
    components: list[dict]
    delivery: dict
    channel: int
    status: Status
    submitted_at: datetime
    locale: str = "vi"
    sms_opt_in: bool = False
    received_at: datetime | None = None
    due_date: date | None = None
    receipt: dict | None = None
    supplement_requests: list[dict] = field(default_factory=list)
    refusal: dict | None = None
    version: int = 0
    updated_at: datetime | None = None
    unit: str | None = None  # the competent unit it was transferred to
    assignee: dict | None = None  # the specialist: {id, name}
    proposal: dict | None = None
    decision: dict | None = None
    ended: dict | None = None  # stop or withdrawal: {action, reason, at, by}
    control_slip: list[dict] = field(default_factory=list)
    fee: dict | None = None  # {amount_vnd, purpose, requested_at, requested_by, payment}
    paused_at: str | None = None  # UTC ISO time the statutory clock stopped (waiting for the applicant)
    results: list[dict] = field(default_factory=list)  # result documents: {upload_id, file_name, sha256, ...}
    returned: dict | None = None  # how the result went back: {method, at, by, ...}
    deadline_alert: str | None = None  # "due_soon" or "overdue", set by the deadline scan
    apologies: list[dict] = field(default_factory=list)  # apology letters (form 04)
    apology_allowance: int = 1  # how many apology letters may be issued (an admin may allow more)
    inter_agency: list[dict] = field(default_factory=list)  # liên thông steps: {agency_code, request, reply, ...}
    # The appointment date as the rules set it (reception, plus time waiting for a fee), never moved by
    # an apology letter: what "on time" is judged against (docs/metrics.md). ISO date.
    statutory_due_date: str | None = None
    evaluation: dict | None = None  # the applicant's rating once the result is back
    # Where it was submitted ("platform" or "national_portal") and, when forwarded, the portal's code (MaHoSo).
    origin: str = "platform"
    portal_code: str | None = None
    # Channel 3: what the desk recorded of a dossier that came by public post: {tracking_number, received_on}.
    postal: dict | None = None
    # Papers given once (domain/papers.py): the components for which the applicant's store held, when submitting, a
    # paper that could stand in for them — what "not asked again for papers already accepted" is judged on.
    reusable_components: list[str] = field(default_factory=list)
    # Reception regardless of administrative boundaries: the agency whose desk took the dossier in, when it is not
    # the competent one (`agency_code`); the dossier's code carries it. `forwarded` records the hand-over to the
    # competent agency: {from_agency, to_agency, to_agency_name, at, by, note, paper_tracking_number}.
    receiving_agency: str | None = None
    forwarded: dict | None = None

    @property
    def awaiting_forward(self) -> bool:
        """Taken in at another agency's desk and not yet forwarded to the competent one."""
        return self.receiving_agency is not None and self.forwarded is None

    @property
    def holding_agency(self) -> str:
        """The agency whose staff hold and act on the dossier: the receiving desk's until it forwards the dossier,
        the competent agency's from then on (and always, for a dossier received there)."""
        return self.receiving_agency if self.awaiting_forward else self.agency_code

    @property
    def partner_agency(self) -> str | None:
        """The other agency holding the dossier for its part, while it does."""
        if self.status == Status.AT_OTHER_AGENCY and self.inter_agency:
            return self.inter_agency[-1]["agency_code"]
        return None

    @property
    def partner_agencies(self) -> set[str]:
        return {step["agency_code"] for step in self.inter_agency}

    @property
    def national_status(self) -> int:
        return STATUSES[self.status].national_status

    def to_dict(self) -> dict:
        """The stored and API shape; times are UTC ISO-8601, the due date a local date."""
        data = asdict(self)
        data["status"] = self.status.value
        data["national_status"] = self.national_status
        for key in ("submitted_at", "received_at", "updated_at"):
            data[key] = iso(getattr(self, key))
        data["due_date"] = self.due_date.isoformat() if self.due_date else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Dossier:
        data = dict(data)
        data.pop("national_status", None)
        data["status"] = Status(data["status"])
        for key in ("submitted_at", "received_at", "updated_at"):
            data[key] = parse_iso(data.get(key))
        data["due_date"] = date.fromisoformat(data["due_date"]) if data.get("due_date") else None
        data["channel"] = int(data["channel"])
        data["version"] = int(data.get("version") or 0)
        data["procedure_version"] = int(data["procedure_version"])
        return cls(**data)


def statutory_due(dossier: Dossier) -> date | None:
    """The rules' appointment date; for dossiers stored before it was kept, the date before the first
    apology letter."""
    if dossier.statutory_due_date:
        return date.fromisoformat(dossier.statutory_due_date)
    if dossier.apologies and dossier.apologies[0].get("previous_due_date"):
        return date.fromisoformat(dossier.apologies[0]["previous_due_date"])
    return dossier.due_date
