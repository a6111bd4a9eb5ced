"""Response bodies: what every route answers, as pydantic models the OpenAPI document is generated from.

They describe the JSON the handlers build today (`Dossier.to_dict()` plus the view's keys, `Procedure.to_dict()`,
the upload views, the metric reads); nothing builds a response through them, so they must follow the handlers,
never the other way round. A record made from a fixed dict literal is closed (`extra="forbid"`: an undocumented key
fails the contract tests); a record that copies a request's fields (a proposal, a decision, a return, a payment) is
open, so a new optional request field cannot make a real response "not conform". Times are UTC ISO-8601 strings
(`2026-03-02T02:15:00.000Z`), days ISO dates in Vietnam's calendar; money is integer VND.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..domain import procedures
from ..domain.event_types import EventType
from ..domain.states import Action, Role, Status


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


Ulid = Annotated[str, Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", description="Sortable unique id (ULID).")]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the stored bytes, hex.")]
DossierCode = Annotated[str, Field(
    pattern=r"^[0-9A-Z][0-9A-Z.]*[0-9A-Z]-\d{6}-\d{4,}$",
    description="National dossier code `<agency code>-<YYMMDD>-<daily sequence>`, printed on the receipt.")]
ProcedureCode = Annotated[str, Field(pattern=r"^\d\.\d{6}$", description="National procedure code, e.g. 1.014199.")]
AgencyCode = Annotated[str, Field(description="National agency code, e.g. 000.00.20.H26.")]
NationalStatus = Annotated[int, Field(ge=1, le=10, description="The national portal's status code (TrangThaiHoSo).")]
Locale = Literal["vi", "en"]
DeliveryMethod = Literal["online", "desk", "post"]
Rating = Literal["satisfied", "neutral", "not_satisfied"]
Cursor = Annotated[str | None, Field(description="Opaque: pass as `cursor` for the next page; null on the last.")]


# --------------------------------------------------------------------------- who did it


# Citizens see staff by name, role and agency, never by internal id or username (Decree 13/2023): for an applicant
# caller those two keys are left out of every person the dossier names, except the applicant themselves.
_HIDDEN_FROM_APPLICANT = " Left out when the applicant reads it, unless it is the applicant's own."


class Actor(Closed):
    """The caller who took a step, as the verified token said (events, forms 02 and 03)."""

    id: str | None = Field(None, description="The account's subject (Cognito `sub`), or `system:<job>` for scheduled "
                                             "work." + _HIDDEN_FROM_APPLICANT)
    username: str | None = Field(None, description="The account's username." + _HIDDEN_FROM_APPLICANT)
    role: Role | None = Field(description="The role the step was taken in.")
    name: str | None
    agency_code: AgencyCode | None


class StaffRef(Closed):
    """Who recorded a processing step, as printed on the forms."""

    id: str | None = Field(None, description="The staff member's account." + _HIDDEN_FROM_APPLICANT)
    name: str = Field(description="Display name, or the username when the account has none.")
    role: Role | None
    agency_code: AgencyCode | None
    unit: str | None = Field(description="The competent unit (phòng chuyên môn) of a leader or specialist.")


# --------------------------------------------------------------------------- what was submitted


class ApplicantRepresentative(Open):
    full_name: str
    citizen_id: str | None
    position: str | None


class PersonApplicant(Open):
    type: Literal["person"]
    full_name: str
    citizen_id: str = Field(description="12-digit citizen ID (CCCD).")
    date_of_birth: date
    phone: str | None
    email: str | None
    address: str


class BusinessApplicant(Open):
    type: Literal["business"]
    name: str
    tax_code: str = Field(description="Enterprise tax code (mã số thuế), 10 or 13 digits.")
    address: str
    representative: ApplicantRepresentative
    phone: str | None
    email: str | None


Applicant = Annotated[PersonApplicant | BusinessApplicant, Field(discriminator="type")]


class StoredFile(Closed):
    """A verified file: type detected from its bytes, size and hash measured on the stored object."""

    upload_id: Ulid
    file_name: str
    content_type: str = Field(description="Detected from the file's content, not taken from the client.")
    size: int = Field(ge=1, description="Bytes.")
    sha256: Sha256
    paper_id: Ulid | None = Field(None, description="Set when the file is a paper reused from the applicant's store "
                                                    "(docs/papers.md): the same stored object, not a copy.")


class CertificateHolder(Closed):
    """Who a signing certificate names."""

    common_name: str | None
    organisation: str | None
    serial_number: str | None = Field(description="The certificate's serial number, hexadecimal.")


class ResultSignature(Closed):
    """The digital signature (PAdES) a result carries: made by the platform with the issuing agency's key, or
    already on the PDF the officer attached (then verified and kept as is)."""

    signed_by: CertificateHolder
    signed_at: datetime | None = Field(description="The signing time (the timestamp's, when there is one).")
    timestamped: bool
    signed_here: bool = Field(description="True: the platform signed it when the result was issued.")
    verification_url: str = Field(description="The public page or API address that verifies this document "
                                               "(the QR code on the document leads there).")


class ResultFile(StoredFile):
    """An electronic result document (PDF) attached by issue_result; download it with
    GET /dossiers/{id}/results/{upload_id}. `sha256` and `size` are the issued (signed) document's."""

    signature: ResultSignature | None = Field(
        None, description="None: issued unsigned (no signing certificate configured for the agency).")


class FormLink(Closed):
    """A one-stop form the dossier has: GET `href` (Accept: application/pdf) gives the PDF."""

    form: Literal["receipt", "supplement-request", "refusal", "apology", "stop-notice", "control-slip",
                  "payment-receipt"]
    number: str = Field(description="The form's number in the circular (Mẫu số).")
    title: str = Field(description="The form's official (Vietnamese) title.")
    href: str


class ComponentRecord(Closed):
    """One component (thành phần hồ sơ) and every file given for it; a supplement appends, never replaces."""

    component_id: str
    files: list[StoredFile]


class DeliveryChoice(Open):
    method: DeliveryMethod = Field(description="How the applicant wants the result: online, at the desk, by post.")
    address: str | None = Field(description="Postal address, for `post`.")


# --------------------------------------------------------------------------- forms 01–05


class ReceiptProcedure(Closed):
    code: ProcedureCode
    version: int = Field(ge=1)
    name_vi: str
    name_en: str


class ReceiptAgency(Closed):
    code: AgencyCode
    name_vi: str
    name_en: str


class ReceiptComponent(Closed):
    component_id: str
    name_vi: str
    files: int = Field(ge=0, description="How many files were received for it.")


class ProcessingTime(Closed):
    value: int = Field(ge=1)
    unit: Literal["working_days", "working_hours", "calendar_days"]


class ReceiptOfficer(Closed):
    id: str | None = Field(None, description="The officer's account." + _HIDDEN_FROM_APPLICANT)
    name: str


class Receipt(Closed):
    """Form 01: the receipt and appointment slip (giấy tiếp nhận hồ sơ và hẹn trả kết quả)."""

    form: Literal["01"]
    dossier_code: DossierCode
    procedure: ReceiptProcedure
    agency: ReceiptAgency = Field(description="The agency competent for the procedure.")
    receiving_agency: ReceiptAgency | None = Field(None, description="The agency whose desk received the dossier, "
                                                   "when it is not the competent one (it forwards the dossier there).")
    applicant_name: str | None
    components: list[ReceiptComponent]
    received_at: datetime
    received_at_local: str = Field(pattern=r"^\d{2}:\d{2} \d{2}/\d{2}/\d{4}$",
                                   description="Reception time as printed, Vietnam time: `HH:MM DD/MM/YYYY`.")
    appointment_date: date = Field(description="The day the result is promised (ngày hẹn trả).")
    lookup_url: str | None = Field(default=None, description="Where the applicant follows the dossier without "
                                                             "signing in (GET /public/dossiers/{code}).")
    processing_time: ProcessingTime
    delivery: DeliveryChoice
    officer: ReceiptOfficer = Field(description="The desk officer who received the dossier.")
    note: str


class RequestedItem(Open):
    component_id: str
    reason: str
    name_vi: str = Field(description="The component's name in the procedure, Vietnamese.")
    name_en: str


class SupplementRequest(Closed):
    """Form 02: everything the applicant must add or correct, at once."""

    form: Literal["02"]
    number: int = Field(ge=1, description="1 for the first request on this dossier, then 2, ...")
    requested_at: datetime
    requested_by: Actor
    items: list[RequestedItem]
    note: str
    resolved_at: datetime | None = Field(description="When the applicant resubmitted; null while awaited.")


class Refusal(Closed):
    """Form 03: the refusal to receive, with its reason."""

    form: Literal["03"]
    reason: str
    refused_at: datetime
    refused_by: Actor


class Apology(Closed):
    """Form 04: the apology letter for a late dossier, with the new appointment date."""

    form: Literal["04"]
    reason: str
    previous_due_date: date | None
    new_due_date: date | None
    at: datetime
    by: StaffRef


class SlipParty(Open):
    """One side of a hand-over. `kind` says what it is; the giver of a processing step is the staff member
    (no `kind`), the taker a desk, unit, specialist, leader or other agency."""

    kind: Literal["applicant", "desk", "unit", "specialist", "leader", "agency"] | None = None
    id: str | None = None
    name: str | None = None
    username: str | None = None
    role: Role | None = None
    agency_code: AgencyCode | None = None
    unit: str | None = None


class ControlSlipStep(Closed):
    """A control slip line (form 06; 05 before Circular 03/2025): one hand-over, from whom to whom, when, due
    when, on time or not."""

    step: int = Field(ge=1)
    action: Action = Field(description="The action that handed the dossier over.")
    from_: SlipParty = Field(alias="from")
    to: SlipParty
    handed_at: datetime
    due_date: date | None = Field(description="When this holder's part is due (the step's own date, if one was set).")
    completed_at: datetime | None = Field(description="When the dossier left this holder; null while it is there.")
    on_time: bool | None = Field(description="Completed by its due date; null while open.")


# --------------------------------------------------------------------------- processing records


class Assignee(Closed):
    id: str | None = Field(None, description="The specialist's account." + _HIDDEN_FROM_APPLICANT)
    name: str | None
    username: str | None = Field(None, description="The specialist's username." + _HIDDEN_FROM_APPLICANT)


class Proposal(Open):
    """The specialist's assessment and proposed outcome."""

    assessment: str
    proposal: Literal["approve", "reject"]
    note: str
    at: datetime
    by: StaffRef


class Decision(Open):
    """The leader's decision; `reason` on a rejection, `note` on an approval."""

    outcome: Literal["approve", "reject"]
    note: str | None = None
    reason: str | None = None
    at: datetime
    by: StaffRef


class Ended(Open):
    """Processing stopped by a leader, or the dossier withdrawn by its applicant."""

    action: Literal["stop", "withdraw"]
    reason: str
    at: datetime
    by: StaffRef


class Payment(Open):
    amount_vnd: int = Field(ge=1)
    method: Literal["cash", "bank_transfer", "online"]
    receipt_number: str | None = None
    note: str
    at: datetime
    by: StaffRef = Field(description="The officer who recorded the payment (the platform, for one paid online).")
    payment_id: str | None = Field(None, description="Paid online: the payment (GET /dossiers/{id}/payments).")


class PostalRecord(Closed):
    tracking_number: str
    received_on: date = Field(description="The local day the post delivered it to the agency: the clock's start.")


class Forwarded(Closed):
    """The hand-over of a dossier received at another agency's desk to the competent agency (reception regardless of
    administrative boundaries)."""

    from_agency: AgencyCode = Field(description="The agency whose desk received the dossier.")
    to_agency: AgencyCode = Field(description="The competent agency, whose desk takes the dossier over.")
    to_agency_name: str | None
    at: datetime
    by: StaffRef
    note: str
    paper_tracking_number: str | None = Field(description="The paper originals' public-post tracking number, if "
                                                          "sent.")


class OnlineState(Closed):
    payment_id: str
    state: Literal["created", "pending", "succeeded", "failed", "expired", "refunding", "refunded", "refund_declined"]
    at: datetime


class Fee(Closed):
    """The financial obligation asked of the applicant; the statutory clock stops until it is paid."""

    amount_vnd: int = Field(ge=1, description="Integer VND.")
    purpose: str
    requested_at: datetime
    requested_by: StaffRef
    payment: Payment | None = Field(description="Null until the payment is recorded (at the desk or online).")
    online: OnlineState | None = Field(None, description="The latest online payment's state, once one was started.")


class Delivered(Open):
    delivered_on: date
    note: str
    at: datetime
    by: StaffRef


class Returned(Open):
    """How the result went back: online, collected at the desk, or posted (then delivered)."""

    method: DeliveryMethod
    at: datetime
    by: StaffRef
    note: str | None = None
    received_by: str | None = Field(default=None, description="At the desk: who collected the result.")
    id_number: str | None = Field(default=None, description="At the desk: the collector's ID number.")
    tracking_number: str | None = Field(default=None, description="By post: the carrier's tracking number.")
    carrier: str | None = None
    delivered: Delivered | None = Field(default=None, description="By post: the delivery, once recorded.")


class InterAgencyStep(Closed):
    """An inter-agency step (liên thông): the part another agency does, and its reply."""

    step: int = Field(ge=1)
    agency_code: AgencyCode
    agency_name: str | None
    request: str = Field(description="What the other agency is asked to do.")
    step_due: date | None
    sent_at: datetime
    sent_by: StaffRef
    reply: str | None
    returned_at: datetime | None
    returned_by: StaffRef | None
    on_time: bool | None = Field(description="Returned by `step_due` (or no date was set); null while away.")


class EvaluationCriteria(Open):
    """The national rating form's criteria (Decree 61/2018, Article 35); only those the applicant rated."""

    timeliness: Rating | None = None
    attitude: Rating | None = None
    guidance: Rating | None = None
    transparency: Rating | None = None
    visits: int | None = Field(default=None, ge=0, description="Times the applicant had to come or be contacted.")


class Evaluation(Closed):
    """The applicant's rating of the handling, amendable until `amend_until`."""

    satisfied: bool
    criteria: EvaluationCriteria
    comment: str
    evaluated_at: datetime = Field(description="When it was first given.")
    updated_at: datetime
    amendments: int = Field(ge=0)
    amend_until: datetime


# --------------------------------------------------------------------------- the dossier


_DOSSIER_EXAMPLE: dict[str, Any] = {
    "id": "01JNSR7Q4K8M2V5X9A3B6C1D0E", "code": "000.00.20.H26-260302-0007", "procedure_code": "1.010833",
    "procedure_version": 1, "agency_code": "000.00.20.H26", "owner_id": "5f3c2a9e-1b7d-4c8e-9a61-2d4f8b0c7e13",
    "applicant": {"type": "person", "full_name": "Nguyễn Văn An", "citizen_id": "001090012345",
                  "date_of_birth": "1990-05-12", "phone": "0912345678", "email": "an.nguyen@example.vn",
                  "address": "12 Phố Huế, Hai Bà Trưng, Hà Nội"},
    "summary": "Đề nghị cấp giấy xác nhận thân nhân liệt sĩ Nguyễn Văn Bình",
    "components": [
        {"component_id": "application-form", "files": [
            {"upload_id": "01JNSR5A1B2C3D4E5F6G7H8J9K", "file_name": "don-de-nghi.pdf",
             "content_type": "application/pdf", "size": 182344,
             "sha256": "9f2b5c1e7a3d4b6c8e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"}]},
        {"component_id": "relationship-proof", "files": [
            {"upload_id": "01JNSR6B2C3D4E5F6G7H8J9K0M", "file_name": "giay-khai-sinh.jpg",
             "content_type": "image/jpeg", "size": 954112,
             "sha256": "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b"}]}],
    "delivery": {"method": "online", "address": None}, "channel": 2, "status": "assigned",
    "submitted_at": "2026-03-02T01:12:45.120Z", "locale": "vi", "sms_opt_in": True,
    "received_at": "2026-03-02T02:15:00.000Z", "due_date": "2026-03-09",
    "receipt": {
        "form": "01", "dossier_code": "000.00.20.H26-260302-0007",
        "procedure": {"code": "1.010833", "version": 1, "name_vi": "Cấp giấy xác nhận thân nhân của người có công",
                      "name_en": "Certificate confirming the relatives of a person with meritorious services"},
        "agency": {"code": "000.00.20.H26", "name_vi": "Sở Lao động - Thương binh và Xã hội thành phố Hà Nội",
                   "name_en": "Hanoi Department of Labour, Invalids and Social Affairs"},
        "applicant_name": "Nguyễn Văn An",
        "components": [{"component_id": "application-form", "name_vi": "Đơn đề nghị (theo mẫu)", "files": 1},
                       {"component_id": "relationship-proof",
                        "name_vi": "Giấy tờ chứng minh quan hệ thân nhân với người có công", "files": 1}],
        "received_at": "2026-03-02T02:15:00.000Z", "received_at_local": "09:15 02/03/2026",
        "appointment_date": "2026-03-09", "lookup_url": "/public/dossiers/000.00.20.H26-260302-0007",
        "processing_time": {"value": 5, "unit": "working_days"},
        "delivery": {"method": "online", "address": None},
        "officer": {"id": "8d1e4f2a-6b3c-4a7d-9e05-c2b1a3f4d5e6", "name": "Lê Thị Hoa"}, "note": "Đủ thành phần"},
    "supplement_requests": [], "refusal": None, "version": 4, "updated_at": "2026-03-03T03:40:10.500Z",
    "unit": "nguoi-co-cong",
    "assignee": {"id": "c4b7e2d9-0a1f-4e3b-8c6d-7f5a9b2e1d03", "name": "Phạm Thị Chuyên",
                 "username": "specialist.hanoi"},
    "proposal": None, "decision": None, "ended": None,
    "control_slip": [
        {"step": 1, "action": "receive", "from": {"kind": "applicant", "name": "Nguyễn Văn An"},
         "to": {"kind": "desk", "id": "8d1e4f2a-6b3c-4a7d-9e05-c2b1a3f4d5e6", "name": "Lê Thị Hoa", "role": "officer",
                "agency_code": "000.00.20.H26", "unit": None},
         "handed_at": "2026-03-02T02:15:00.000Z", "due_date": "2026-03-09",
         "completed_at": "2026-03-02T03:02:11.000Z", "on_time": True},
        {"step": 2, "action": "transfer",
         "from": {"id": "8d1e4f2a-6b3c-4a7d-9e05-c2b1a3f4d5e6", "name": "Lê Thị Hoa", "role": "officer",
                  "agency_code": "000.00.20.H26", "unit": None},
         "to": {"kind": "unit", "unit": "nguoi-co-cong", "name": "Phòng Người có công",
                "agency_code": "000.00.20.H26"},
         "handed_at": "2026-03-02T03:02:11.000Z", "due_date": "2026-03-09",
         "completed_at": "2026-03-03T03:40:10.500Z", "on_time": True},
        {"step": 3, "action": "assign",
         "from": {"id": "2a9c5e1b-7d3f-4b8a-a6c0-e4d2f1b3c5a7", "name": "Trần Văn Lãnh", "role": "leader",
                  "agency_code": "000.00.20.H26", "unit": "nguoi-co-cong"},
         "to": {"kind": "specialist", "id": "c4b7e2d9-0a1f-4e3b-8c6d-7f5a9b2e1d03", "name": "Phạm Thị Chuyên",
                "username": "specialist.hanoi"},
         "handed_at": "2026-03-03T03:40:10.500Z", "due_date": "2026-03-09", "completed_at": None, "on_time": None}],
    "fee": None, "paused_at": None, "results": [], "returned": None, "deadline_alert": None, "apologies": [],
    "apology_allowance": 1, "inter_agency": [], "statutory_due_date": "2026-03-09", "evaluation": None,
    "national_status": 4, "status_name": "Chuyên viên đang xử lý",
    "allowed_actions": ["propose", "send_to_agency", "request_fee"],
    "forms": [{"form": "receipt", "number": "01", "title": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
               "href": "/dossiers/01JNSR7Q4K8M2V5X9A3B6C1D0E/forms/receipt.pdf"},
              {"form": "control-slip", "number": "06", "title": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
               "href": "/dossiers/01JNSR7Q4K8M2V5X9A3B6C1D0E/forms/control-slip.pdf"}],
}


class PortalSync(Closed):
    """The dossier's sync state with the national portal (docs/national-portal.md)."""

    portal_code: str | None = Field(description="The code the portal knows the dossier by (MaHoSo).")
    record_version: int = Field(ge=0, description="The dossier version whose record the portal acknowledged.")
    progress_version: int = Field(ge=0, description="The last event whose progress entry the portal acknowledged.")
    portal_status: NationalStatus | None = Field(description="The status the portal holds.")
    attempts: int = Field(ge=0, description="Failed pushes since the last success.")
    last_error: str | None
    last_attempt_at: datetime | None
    synced_at: datetime | None = Field(description="When the portal last acknowledged the record.")
    first_synced_at: datetime | None
    in_sync: bool = Field(description="The portal has acknowledged the dossier's current version.")


class PortalForwardResult(Closed):
    """The dossier a national-portal forward became."""

    error_code: Literal["00"]
    MaHoSo: str = Field(description="The portal's code, as forwarded.")
    dossier_id: Ulid
    dossier_code: DossierCode
    status: Status


class Dossier(Closed):
    """A dossier (hồ sơ) as its caller may see it: the stored record, its readable status and what the caller
    can do next. Sent with an `ETag: "<version>"` header; send it back as `If-Match` to act on this version."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_DOSSIER_EXAMPLE]})

    id: Ulid
    code: DossierCode
    procedure_code: ProcedureCode
    procedure_version: int = Field(ge=1, description="The procedure version the dossier is handled under.")
    agency_code: AgencyCode
    owner_id: str = Field(description="The applicant's account, or `walk-in:<id>` for a dossier taken in at the desk.")
    applicant: Applicant
    summary: str
    components: list[ComponentRecord]
    delivery: DeliveryChoice
    channel: Literal[1, 2, 3] = Field(description="Submission channel (KenhThucHien): 1 desk, 2 online, 3 post.")
    status: Status
    submitted_at: datetime
    locale: Locale = Field(description="Language of the applicant's messages.")
    sms_opt_in: bool
    received_at: datetime | None
    due_date: date | None = Field(description="The appointment date (ngày hẹn trả), as last moved.")
    receipt: Receipt | None
    supplement_requests: list[SupplementRequest]
    refusal: Refusal | None
    version: int = Field(ge=0, description="Incremented by every change; the ETag.")
    updated_at: datetime | None
    unit: str | None = Field(description="The competent unit the dossier was transferred to.")
    assignee: Assignee | None = Field(description="The specialist assessing the dossier.")
    proposal: Proposal | None
    decision: Decision | None
    ended: Ended | None
    control_slip: list[ControlSlipStep] = Field(
        description="The control slip (form 06), also at GET /dossiers/{id}/control-slip.")
    fee: Fee | None
    paused_at: datetime | None = Field(description="When the statutory clock stopped to wait for the applicant.")
    results: list[ResultFile]
    returned: Returned | None
    deadline_alert: Literal["due_soon", "overdue"] | None = Field(description="Set by the hourly deadline watch.")
    apologies: list[Apology]
    apology_allowance: int = Field(ge=0, description="How many apology letters may be issued.")
    inter_agency: list[InterAgencyStep]
    statutory_due_date: date | None = Field(
        description="The appointment date as the rules set it, never moved by an apology letter.")
    evaluation: Evaluation | None
    origin: Literal["platform", "national_portal"] = Field(
        "platform", description="Where the dossier was submitted: here, or on the national portal, which forwarded it.")
    portal_code: str | None = Field(None, description="The national portal's code (MaHoSo) of a forwarded dossier.")
    postal: PostalRecord | None = Field(None, description="Channel 3: the post's tracking number and the day it came.")
    reusable_components: list[str] = Field(
        [], description="The components for which the applicant's store held, when submitting, a paper that could "
                        "stand in for them (docs/papers.md): a component among them filled with new uploads instead "
                        "counts as the applicant asked again for a paper already given.")
    receiving_agency: AgencyCode | None = Field(
        None, description="The agency whose one-stop desk received the dossier, when not the competent one "
                          "(`agency_code`): its code is the dossier code's; its desk forwards the dossier.")
    forwarded: Forwarded | None = Field(None, description="The hand-over to the competent agency, once made.")
    national_status: NationalStatus
    status_name: str = Field(description="The status in the language of `Accept-Language`.")
    allowed_actions: list[Action] = Field(description="What this caller may do next (role, scope and guards).")
    national_portal_sync: PortalSync | None = Field(
        None, description="Staff only, on GET /dossiers/{id}: what the national portal has acknowledged.")
    forms: list[FormLink] = Field(description="The one-stop forms issued for the dossier so far, as PDFs.")


class DossierPage(Closed):
    """The caller's own dossiers, newest first."""

    items: list[Dossier]
    next_cursor: Cursor


class DeskFiltersEcho(Closed):
    """The filters the desk search applied, as understood."""

    status: Status | None = None
    procedure: str | None = None
    assignee: str | None = None
    due_after: date | None = None
    due_before: date | None = None
    overdue: bool | None = None
    received_from: date | None = None
    received_to: date | None = None
    name: str | None = None
    id_number: str | None = None
    incoming: bool | None = None
    code: DossierCode | None = None


class DeskQueue(Closed):
    """Dossiers of the officer's agency (a leader's or specialist's unit) matching every filter."""

    agency_code: AgencyCode
    filters: DeskFiltersEcho
    items: list[Dossier]
    next_cursor: Cursor


class ControlSlip(Closed):
    """The control slip (phiếu kiểm soát quá trình giải quyết hồ sơ): form 06 of Circular 03/2025, 05 before it."""

    form: Literal["05", "06"] = Field(description="Its number in the circular in force when the dossier was received.")
    dossier_id: Ulid
    code: DossierCode
    due_date: date | None
    steps: list[ControlSlipStep]


class HistoryEvent(Closed):
    """One immutable event of the dossier's history (docs/events.md lists every type and its payload)."""

    id: Ulid
    seq: int = Field(ge=1, description="1, 2, 3, ... per dossier; equals the dossier version it produced.")
    type: EventType
    at: datetime
    actor: Actor
    payload: dict[str, Any] = Field(description="Always `status`, `national_status` and `previous_status`, "
                                                "then what the step recorded (docs/events.md).")
    schema_version: int = Field(ge=1)
    correlation_id: str | None


class History(Closed):
    dossier_id: str
    events: list[HistoryEvent]


class Notification(Closed):
    """A message sent about the dossier, and what became of it."""

    id: str
    event_id: Ulid
    event_type: EventType
    channel: Literal["email", "sms", "staff_email"] = Field(
        description="`staff_email` (the agency's internal mail) is shown to staff only.")
    recipient: str
    language: Locale
    subject: str | None = Field(description="Null for an SMS.")
    body: str
    status: Literal["queued", "sent", "failed", "retrying"]
    reason: str | None = Field(description="Why it failed or is being retried.")
    attempts: int = Field(ge=0)
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None


class NotificationList(Closed):
    dossier_id: str
    items: list[Notification]


class PublicProcedure(Closed):
    code: ProcedureCode
    name_vi: str
    name_en: str


class PublicDossier(Closed):
    """What anyone holding the dossier code may see of its progress: never who the applicant is."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "code": "000.00.20.H26-260302-0007",
        "procedure": {"code": "1.010833", "name_vi": "Cấp giấy xác nhận thân nhân của người có công",
                      "name_en": "Certificate confirming the relatives of a person with meritorious services"},
        "agency": {"code": "000.00.20.H26", "name_vi": "Sở Lao động - Thương binh và Xã hội thành phố Hà Nội",
                   "name_en": "Hanoi Department of Labour, Invalids and Social Affairs"},
        "national_status": 4, "status_name": "Chuyên viên đang xử lý", "submitted_at": "2026-03-02T01:12:45.120Z",
        "received_at": "2026-03-02T02:15:00.000Z", "appointment_date": "2026-03-09", "returned_at": None,
        "applicant_name": "Nguyễn V** A*"}]})

    code: DossierCode
    procedure: PublicProcedure
    agency: ReceiptAgency
    national_status: NationalStatus
    status_name: str = Field(description="The status in the language of `Accept-Language`.")
    submitted_at: datetime
    received_at: datetime | None
    appointment_date: date | None
    returned_at: datetime | None = Field(description="When the result reached the applicant.")
    applicant_name: str = Field(description="Masked as the national portal does: `Nguyễn V** A*`.")


# --------------------------------------------------------------------------- uploads and results


class UploadRecord(Closed):
    """An upload: `pending` until verified, then `verified` or `rejected`; `attached` once a dossier uses it."""

    id: Ulid
    status: Literal["pending", "verified", "rejected", "attached"]
    procedure_code: ProcedureCode
    component_id: str = Field(description="The procedure's component, or `result` for a result document.")
    file_name: str
    content_type: str | None = Field(description="Detected from the stored bytes; null before verification.")
    size: int | None
    sha256: Sha256 | None
    attached_to: str | None = Field(description="The dossier the file belongs to, once attached.")


class PresignedPost(Closed):
    """Send the file as multipart/form-data to `url` with every field, the file last (field `file`)."""

    method: Literal["POST"]
    url: str
    fields: dict[str, str]


class UploadTicket(Closed):
    """Where to upload one file; then POST /uploads/{id}/complete to have it verified."""

    id: Ulid
    status: Literal["pending"]
    procedure_code: ProcedureCode
    component_id: str
    dossier_id: Ulid | None = Field(default=None, description="Only for a result document.")
    max_size_bytes: int = Field(ge=1)
    upload: PresignedPost
    expires_in: int = Field(ge=1, description="Seconds the presigned POST stays valid.")


class ResultLink(Closed):
    """A short-lived link to download a result document."""

    url: str
    expires_in: int = Field(ge=1, description="Seconds.")


# --------------------------------------------------------------------------- the catalogue


_PROCEDURE_EXAMPLE: dict[str, Any] = {
    "code": "1.010833", "version": 1, "effective_date": "2022-02-15",
    "name_vi": "Cấp giấy xác nhận thân nhân của người có công",
    "name_en": "Certificate confirming the relatives of a person with meritorious services",
    "field_code": "people-with-merit", "field_vi": "Người có công", "field_en": "People with meritorious services",
    "agency_code": "000.00.20.H26", "agency_name_vi": "Sở Lao động - Thương binh và Xã hội thành phố Hà Nội",
    "agency_name_en": "Hanoi Department of Labour, Invalids and Social Affairs",
    "processing_time": {"value": 5, "unit": "working_days"}, "fees": [], "online_level": "full",
    "legal_basis": ["Pháp lệnh Ưu đãi người có công với cách mạng số 02/2020/UBTVQH14",
                    "Nghị định số 131/2021/NĐ-CP quy định chi tiết và biện pháp thi hành Pháp lệnh Ưu đãi người có "
                    "công với cách mạng"],
    "components": [
        {"id": "application-form", "name_vi": "Đơn đề nghị cấp giấy xác nhận thân nhân của người có công (theo mẫu)",
         "name_en": "Application for a certificate of relatives of a person with meritorious services",
         "required": True, "accepted_types": ["application/pdf"], "max_size_bytes": 5242880},
        {"id": "relationship-proof", "name_vi": "Giấy tờ chứng minh quan hệ thân nhân với người có công",
         "name_en": "Proof of family relationship with the person with meritorious services", "required": True,
         "accepted_types": ["application/pdf", "image/jpeg", "image/png"], "max_size_bytes": 5242880}],
    "applicant_types": ["person"], "code_source": "assumed",
}
_PAID_PROCEDURE_EXAMPLE: dict[str, Any] = {
    **_PROCEDURE_EXAMPLE, "code": "1.014200", "version": 2, "effective_date": "2025-08-07",
    "name_vi": "Cấp lại giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam",
    "name_en": "Re-issuance of a work permit for a foreign worker in Vietnam",
    "field_code": "foreign-workers", "field_vi": "Lao động nước ngoài", "field_en": "Foreign workers",
    "processing_time": {"value": 3, "unit": "working_days"}, "online_level": "partial",
    "fees": [{"amount_vnd": 450000, "description_vi": "Lệ phí cấp lại giấy phép lao động",
              "description_en": "Fee for re-issuing a work permit"}],
    "legal_basis": ["Nghị định số 219/2025/NĐ-CP quy định về người lao động nước ngoài làm việc tại Việt Nam"],
    "components": [
        {"id": "application-form", "name_vi": "Văn bản đề nghị cấp lại giấy phép lao động (Mẫu số 11)",
         "name_en": "Application for re-issuance of a work permit (Form 11)", "required": True,
         "accepted_types": ["application/pdf"], "max_size_bytes": 10485760},
        {"id": "photos", "name_vi": "02 ảnh màu cỡ 4 cm x 6 cm, phông nền trắng",
         "name_en": "Two 4 cm x 6 cm colour photos, white background", "required": True,
         "accepted_types": ["image/jpeg", "image/png"], "max_size_bytes": 2097152}],
    "applicant_types": ["business"], "code_source": "verified",
}


class Procedure(procedures.Procedure):
    """One version of an administrative procedure (thủ tục hành chính) as published in the catalogue: the
    domain's one definition (chalicelib/domain/procedures.py), with examples for the reference."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PROCEDURE_EXAMPLE, _PAID_PROCEDURE_EXAMPLE]})


class ProcedurePage(Closed):
    items: list[Procedure]
    next_cursor: Cursor


class AgencyUnit(Closed):
    id: str
    name_vi: str
    name_en: str


class Agency(Closed):
    code: AgencyCode
    name_vi: str
    name_en: str
    units: list[AgencyUnit] = Field(description="Competent units a dossier can be transferred to.")


class AgencyList(Closed):
    items: list[Agency]


class Health(Closed):
    status: Literal["ok"]


# --------------------------------------------------------------------------- service-quality metrics


class IndicatorPeriod(Closed):
    label: str = Field(description="As asked: 2026-Q4, 2026-11, 2026 or rolling-30d.")
    from_: date = Field(alias="from")
    to: date


class ScorecardPeriod(IndicatorPeriod):
    days: int = Field(ge=1)


class NoData(Closed):
    """Why there is no value: `not_measured` (what the platform lacks to measure it) or `nothing_to_measure`."""

    code: Literal["not_measured", "nothing_to_measure"]
    vi: str
    en: str


class IndicatorScore(Closed):
    """One indicator (or measure): its rate and the points it earns. Null rate: no data yet, never a guessed 0."""

    id: str
    group: str
    name_vi: str
    name_en: str
    kind: Literal["rate", "complement", "average_hours", "count"]
    numerator: float | None
    denominator: float | None
    rate: float | None = Field(description="A share 0–1; hours for `average_hours`; the count for `count`.")
    threshold: float | None
    max_points: float
    points: float | None
    has_data: bool
    why_no_data: NoData | None = Field(description="Null when it has data.")


class GroupScore(Closed):
    id: str
    name_vi: str
    name_en: str
    max: float
    score: float | None = Field(description="Points of the measured indicators; null when none could be measured.")
    measured_max: float = Field(description="The points the measured indicators could have earned.")
    indicators: list[IndicatorScore]


class TargetScore(Closed):
    """One of the ministry's targets: actual against target."""

    id: str
    name_vi: str
    name_en: str
    kind: Literal["rate", "complement", "per_officer_year", "at_most"]
    numerator: float | None
    denominator: float | None
    actual: float | None
    target: float
    met: bool | None
    has_data: bool
    why_no_data: NoData | None = Field(description="Null when it has data.")


class TotalScore(Closed):
    score: float | None
    max: float
    measured_max: float


class CatalogueFacts(Closed):
    procedures: int = Field(ge=0)
    online: int = Field(ge=0)
    complete: int = Field(ge=0)
    online_used: int = Field(ge=0)
    fee_bearing: int = Field(ge=0, description="Procedures with a fee to pay.")
    payable_online: int = Field(ge=0, description="Of those, the ones whose fee can be paid online.")
    announced: int = Field(ge=0, description="Versions in force whose announcing decision is recorded.")
    announced_on_time: int = Field(ge=0, description="Of those, signed 20 working days before taking effect.")
    published_due: int = Field(ge=0, description="Announced versions whose publication is due (or done).")
    published_on_time: int = Field(ge=0, description="Of those, published within 5 working days of the decision.")


class Scorecard(Closed):
    """The national service-quality index (Decision 766) for one agency and period (docs/metrics.md)."""

    agency: AgencyCode
    period: ScorecardPeriod
    rescored: bool = Field(description="Scored with today's weights instead of those in effect on the period's end.")
    counters: dict[str, float] = Field(description="The raw counters summed over the period, by name.")
    catalogue: CatalogueFacts
    desk_officers: int = Field(ge=0)
    items_read: int = Field(ge=0, description="Counter items read to answer: the request's cost.")
    config_effective_from: date
    total: TotalScore
    groups: list[GroupScore]
    targets: list[TargetScore]
    measures: list[IndicatorScore]


class IndicatorRow(IndicatorScore):
    key: str = Field(description="`total`, or the procedure code, unit, officer or day (YYYY-MM-DD) of the row.")


class IndicatorDetail(Closed):
    """One indicator in total or per procedure, unit, officer or day."""

    agency: AgencyCode
    indicator: str
    name_vi: str
    name_en: str
    period: IndicatorPeriod
    group_by: Literal["procedure", "unit", "officer", "day"] | None
    procedure: str | None
    rows: list[IndicatorRow]
    items_read: int = Field(ge=0)


# --------------------------------------------------------------------------- errors


class ProblemFieldError(Closed):
    field: str = Field(description="The request field, e.g. `components[0].upload_ids[1]`, or a query parameter.")
    code: str = Field(description="Stable code, e.g. `field.required`, `upload.not_verified`.")
    message: str = Field(description="Readable, in the language of `Accept-Language`.")
    params: dict[str, Any] = Field(default_factory=dict, description="Values the message names; absent when none.")


class ProblemDetails(Open):
    """RFC 9457 problem (`application/problem+json`), Vietnamese by default, English with `Accept-Language: en`."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"type": "urn:motcua:problem:validation_failed", "title": "Dữ liệu không hợp lệ", "status": 422,
         "detail": "Có 1 lỗi trong dữ liệu gửi lên.", "code": "validation_detail",
         "instance": "/dossiers/01JNSR7Q4K8M2V5X9A3B6C1D0E/record-payment",
         "errors": [{"field": "amount_vnd", "code": "fee.amount_mismatch",
                     "message": "Số tiền phải bằng số đã yêu cầu (450000 đồng).",
                     "params": {"requested": 450000}}]},
        {"type": "urn:motcua:problem:conflict", "title": "Xung đột trạng thái", "status": 409,
         "detail": "Không thể thực hiện “approve” khi hồ sơ ở trạng thái “assigned”.",
         "code": "transition_not_allowed", "instance": "/dossiers/01JNSR7Q4K8M2V5X9A3B6C1D0E/approve",
         "allowed_actions": ["stop"]}]})

    type: str = Field(pattern=r"^urn:motcua:problem:[a-z_]+$", description="Stable problem type.")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    code: str = Field(description="Stable code of the detail, e.g. `dossier_not_found`, `transition_not_allowed`.")
    instance: str | None = Field(default=None, description="The path that was asked for.")
    errors: list[ProblemFieldError] = Field(default_factory=list, description="Per-field errors (400, 422).")
    allowed_actions: list[Action] = Field(default_factory=list,
                                          description="On a 409 transition conflict: what the caller may do instead.")
    accepted: list[str] = Field(default_factory=list,
                                description="On a 415: the media types the route takes (a PDF, or a JSON object).")


# --------------------------------------------------------------------------- documents


class SignatureCheck(Closed):
    """One signature found in the PDF and what checking it found."""

    signed_by: CertificateHolder
    signed_at: datetime | None
    timestamped: bool
    intact: bool = Field(description="The signed bytes are the ones in the file (nothing altered inside them).")
    valid: bool = Field(description="The cryptographic signature over them is good.")
    trusted: bool = Field(description="The signer's certificate chains to a root the platform trusts.")
    covers_whole_file: bool = Field(description="No bytes were added after this signature.")
    modified_after_signing: bool = Field(description="Content was changed by an update after signing.")


class IssuedResult(Closed):
    """The result the platform issued with exactly these bytes."""

    dossier_code: DossierCode
    agency_code: AgencyCode
    agency_name: str
    issued_at: datetime


class Verification(Closed):
    """What anyone may learn about a PDF: its signatures, whether it is unchanged since, and whether this platform
    issued it (by its SHA-256)."""

    verdict: Literal["valid", "invalid", "untrusted", "modified", "unsigned"] = Field(
        description="`valid`: every signature good, trusted and covering the whole file; `invalid`: a signature "
                    "does not match the bytes; `untrusted`: good but not from a trusted certificate; `modified`: "
                    "changed after signing; `unsigned`: no signature.")
    sha256: Sha256
    signatures: list[SignatureCheck]
    issued_here: bool = Field(description="True when these exact bytes are a result this platform issued.")
    result: IssuedResult | None


# --------------------------------------------------------------------------- the staff directory


class StaffMember(Closed):
    """A staff member's authority as the platform's directory keeps it (the user pool only signs them in)."""

    id: str = Field(description="The account's subject (`sub`) in the user pool.")
    username: str
    name: str
    email: str | None
    title: str | None = Field(description="What citizens see beside the name.")
    roles: list[Literal["officer", "specialist", "leader", "admin"]]
    agency_code: AgencyCode | None
    unit: str | None
    enabled: bool
    version: int = Field(ge=1, description="Incremented by every change; the ETag.")
    updated_at: str
    updated_by: dict = Field(description="Who made the last change: `{id, username, name}`.")


class StaffChange(Closed):
    at: str
    by: dict = Field(description="Who made it: `{id, username, name}`.")
    changes: dict = Field(description="`{field: [before, after]}`, or `created` with the first placement.")


class StaffDetail(StaffMember):
    changes: list[StaffChange] = Field(description="Every recorded change, newest first (at most 100).")


class StaffPage(Closed):
    items: list[StaffMember]
    next_cursor: Cursor


# --------------------------------------------------------------------------- the access log


class AccessLogReader(Closed):
    """Who read the dossier. The applicant sees staff by name, title or role and agency: `id` and `username` are
    left out of their log."""

    id: str | None = Field(None, description="The staff member's account (`sub`). Staff and auditors only.")
    username: str | None = Field(None, description="Staff and auditors only.")
    name: str | None = Field(description="Display name; null when the account has none.")
    title: str | None = Field(description="Title (chức danh), when the directory gives one.")
    roles: list[Role]
    agency_code: AgencyCode | None
    agency_name: str | None = Field(description="In the language of `Accept-Language`.")


class AccessLogEntry(Closed):
    """One read of a dossier by someone other than its applicant: who, when and why (the route)."""

    id: str = Field(description="The entry's key: `<at>#<random>`.")
    at: datetime
    dossier_id: Ulid
    dossier_code: DossierCode | None
    route: str = Field(description="Method and route template, e.g. `GET /dossiers/{dossier_id}/files/{upload_id}`.",
                       examples=["GET /dossiers/{dossier_id}"])
    file_id: str | None = Field(description="The file downloaded, for a file's route.")
    reader: AccessLogReader


class AccessLogPage(Closed):
    """The dossier's access log, newest first."""

    dossier_id: Ulid
    items: list[AccessLogEntry]
    next_cursor: Cursor


class StaffAccessLog(Closed):
    """One staff member's reads of dossiers, newest first."""

    staff: str = Field(description="The `staff` asked for, as given (a username or an account id).")
    staff_id: str = Field(description="The account id the entries are keyed by.")
    items: list[AccessLogEntry]
    next_cursor: Cursor


# --------------------------------------------------------------------------- the citizen's own profile


class Me(Closed):
    """The caller as the platform sees them."""

    id: str
    username: str
    name: str | None
    roles: list[Literal["citizen", "officer", "specialist", "leader", "admin"]]
    agency_code: AgencyCode | None
    unit: str | None


class Profile(Closed):
    """What a citizen keeps to pre-fill their next submission (docs/identity.md)."""

    full_name: str | None
    citizen_id: str | None
    date_of_birth: date | None
    phone: str | None
    email: str | None
    address: str | None
    language: Locale
    national_identity: bool = Field(description="Signed in with the national identity: the name and citizen ID come "
                                                "from it and cannot be changed here (the date of birth and contacts "
                                                "start from it).")
    updated_at: str | None


# Every top-level body a route answers (the OpenAPI document's response components).
RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    Dossier, DossierPage, DeskQueue, PublicDossier, ControlSlip, History, NotificationList, UploadRecord,
    UploadTicket, ResultLink, Procedure, ProcedurePage, AgencyList, Health, Scorecard, IndicatorDetail, ProblemDetails,
    Verification, StaffMember, StaffDetail, StaffPage, AccessLogPage, StaffAccessLog,
)


class PaymentEntry(Closed):
    at: datetime
    state: str
    source: Literal["applicant", "ipn", "reconciliation", "platform"]


class OnlinePayment(Closed):
    """An online payment of the dossier's fee (docs/payments.md)."""

    id: str
    dossier_id: str
    state: Literal["created", "pending", "succeeded", "failed", "expired", "refunding", "refunded", "refund_declined"]
    amount_vnd: int
    provider: str
    created_at: datetime
    expires_at: datetime
    transaction_no: str | None
    bank: str | None
    paid_at: datetime | None
    applied: bool | None = Field(description="A success: whether it paid the fee (false: the fee was settled "
                                             "otherwise, and the money is returned).")
    refund: dict[str, Any] | None
    history: list[PaymentEntry]


class PaymentOrder(Closed):
    """Where to send the payer: the gateway's page for this order."""

    payment_id: str
    redirect_url: str
    expires_at: datetime
    amount_vnd: int
    state: str


class PaymentList(Closed):
    items: list[OnlinePayment]


class GatewayAnswer(Closed):
    """What the payment gateway expects back from a notification (docs/payments.md §1.4)."""

    RspCode: Literal["00", "01", "02", "04", "97", "99"]
    Message: str


class ReconciliationRow(Closed):
    outcome: Literal["matched", "missing_here", "missing_there", "amount_differs"]
    kind: Literal["payment", "refund"]
    reference: str
    transaction_no: str
    gateway_amount_vnd: int | None
    recorded_amount_vnd: int | None
    recorded_state: str
    dossier_code: str
    paid_at: str


class Reconciliation(Closed):
    date: date
    terminal: str
    summary: dict[str, int]
    rows: list[ReconciliationRow]


# --------------------------------------------------------------------------- feedback and petitions (docs/feedback.md)

FeedbackStatus = Literal["received", "info_requested", "refused", "answered", "published"]
FeedbackStep = Literal["refuse", "request_info", "provide_info", "answer", "publish", "rate"]


class FeedbackPublic(Closed):
    """What the public list shows: the question and the answer with personal data taken out."""

    title: str
    question: str
    answer: str
    published_at: datetime


class FeedbackInfoRequest(Closed):
    question: str
    asked_at: datetime
    answer: str | None = None
    answered_at: datetime | None = None


class FeedbackStepRecord(Closed):
    text: str
    at: datetime
    by: str | None = Field(None, description="The officer's name.")


class FeedbackRating(Closed):
    satisfied: bool
    comment: str = ""
    at: datetime


class FeedbackItem(Closed):
    """One feedback or petition. `view` `full` (the person who filed it, or its agency's staff) has everything;
    `public` (anyone, once published) only what is on the public list."""

    code: str = Field(description="`PAKN-<agency>-<YYMMDD>-<sequence>`, to follow it.")
    view: Literal["full", "public"]
    kind: Literal["feedback", "petition"]
    agency_code: AgencyCode
    procedure_code: str | None = None
    status: FeedbackStatus
    filed_at: datetime
    public: FeedbackPublic | None = None
    title: str | None = None
    content: str | None = None
    dossier_code: str | None = None
    contact: dict[str, str] | None = Field(None, description="Name, email, phone: never published.")
    received_on: date | None = Field(None, description="The working day the limits count from.")
    due: dict[str, date] | None = Field(None, description="The limit of each agency step still ahead.")
    late_steps: list[str] | None = None
    overdue_steps: list[str] | None = None
    info_requests: list[FeedbackInfoRequest] | None = None
    refusal: FeedbackStepRecord | None = None
    answer: FeedbackStepRecord | None = None
    rating: FeedbackRating | None = None
    allowed_steps: list[FeedbackStep] | None = Field(None, description="What this caller may do next.")
    version: int | None = None


class FeedbackFiled(FeedbackItem):
    key: str | None = Field(None, description="Shown once, to someone not signed in: send it as `Feedback-Key` to "
                                              "read, reply to and rate the item.")


class FeedbackRow(Closed):
    code: str
    kind: Literal["feedback", "petition"]
    status: FeedbackStatus | None = None
    title: str | None = None
    agency_code: AgencyCode | None = None
    procedure_code: str | None = None
    dossier_code: str | None = None
    filed_at: datetime
    due_on: date | None = None
    published_at: datetime | None = None
    days_left: int | None = Field(None, description="Working days to the due day; negative when overdue.")
    late_steps: list[str] = []
    overdue_steps: list[str] = []
    public: FeedbackPublic | None = None


class FeedbackPage(Closed):
    items: list[FeedbackRow]
    next_cursor: Cursor


# --------------------------------------------------------------------------- desk queue tickets (docs/queue.md)

TicketStatus = Literal["waiting", "called", "serving", "done", "no_show"]
TicketStep = Literal["recall", "serve", "done", "no_show"]
TicketNumber = Annotated[str, Field(pattern=r"^[A-Z]\d{3,}$", description="`<service letter><3 digits>`, e.g. "
                                                                          "`A007`: per agency, service and day.")]


class DeskService(Closed):
    id: str
    prefix: str = Field(description="The letter its ticket numbers start with.")
    name_vi: str
    name_en: str


class DeskServices(Closed):
    agency_code: AgencyCode
    name_vi: str
    name_en: str
    services: list[DeskService]


class QueueTicket(Closed):
    """A ticket as the person who took it follows it: no personal data, so its id is all it takes."""

    id: Ulid
    number: TicketNumber
    agency_code: AgencyCode
    service: str
    service_name_vi: str
    service_name_en: str
    day: date = Field(description="The local day it was taken: its line and its number belong to that day.")
    status: TicketStatus
    taken_at: datetime
    people_ahead: int | None = Field(None, description="While it waits: the tickets of its line before it.")
    counter: str | None = Field(None, description="Where it was called to.")
    called_at: datetime | None = None
    last_called_at: datetime | None = None
    calls: int = 0
    waiting_minutes: int | None = Field(None, description="Taken → first call, whole minutes.")
    follow_url: str = Field(description="The page that follows it (the web client's, when configured).")


class DeskTicket(QueueTicket):
    """A ticket as the desk sees it."""

    started_at: datetime | None = None
    closed_at: datetime | None = None
    service_minutes: int | None = Field(None, description="Serving started (or called) → closed, whole minutes.")
    dossier_code: str | None = Field(None, description="The dossier received during the visit, if named.")
    officer: str | None = Field(None, description="The name of the officer who took the last step.")
    allowed_steps: list[TicketStep]
    version: int


class TicketRow(Closed):
    id: Ulid
    number: TicketNumber
    service: str
    status: TicketStatus
    counter: str | None = None
    taken_at: datetime
    called_at: datetime | None = None
    last_called_at: datetime | None = None
    version: int | None = Field(None, description="On the desk's lists only.")


class QueueDisplay(Closed):
    """The hall's screen: the tickets at the counters now (latest call first) and the day's latest calls."""

    agency_code: AgencyCode
    day: date
    now: list[TicketRow]
    recent: list[TicketRow]


class TicketLine(Closed):
    service: str
    waiting_count: int
    waiting: list[TicketRow] = Field(description="Its first tickets, in number order (at most 50).")


class TicketQueue(Closed):
    """Today at the officer's desk: each service's line, and the tickets at the counters."""

    agency_code: AgencyCode
    day: date
    lines: list[TicketLine]
    in_service: list[TicketRow]


# --------------------------------------------------------------------------- papers given once (docs/papers.md)


class PaperFile(Closed):
    """The stored object a paper is: the verified upload, or the issued result."""

    upload_id: Ulid
    file_name: str
    content_type: str
    size: int = Field(ge=0, description="Bytes.")
    sha256: Sha256


class Paper(Closed):
    """One paper of an applicant's store: a file given for a component of a dossier, or a result issued for one.
    Reuse it in a new dossier with `components[].papers: [id]`."""

    id: Ulid = Field(description="The paper's id: the stored object's upload id.")
    type: str = Field(description="The document type, e.g. `health-certificate`, `work-permit`, "
                                  "`1.014199:application-form` (a form of one procedure) or `result:1.010833`.")
    name_vi: str
    name_en: str
    source: Literal["component", "result"]
    dossier_id: Ulid = Field(description="The dossier it came from.")
    dossier_code: DossierCode
    agency_code: AgencyCode
    procedure_code: ProcedureCode
    component_id: str | None = Field(description="The component it was given for; null for a result.")
    accepted_at: datetime = Field(description="When it was given (submitted) or, for a result, issued.")
    valid_until: date | None = Field(description="The last day it is valid (Vietnam's calendar); null: no end.")
    valid: bool = Field(description="Valid today.")
    file: PaperFile
    fits: list[str] | None = Field(None, description="With `procedure=`: the components of that procedure it may "
                                                     "stand in for today.")


class PaperPage(Closed):
    """An applicant's papers, newest first (or, with `procedure=`, those a dossier of it could reuse)."""

    owner: Literal["account", "id_number"] = Field(
        description="Whose store: the signed-in account's, or an identity number's (a walk-in applicant's, at a desk).")
    items: list[Paper]
    next_cursor: Cursor
