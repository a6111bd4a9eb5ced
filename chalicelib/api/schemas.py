"""Request bodies: structure, types and lengths (pydantic). Domain rules come after, in the domain.

Imported by handlers on first use, not at module import: pydantic is not needed to start the app.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from ..domain.fields import LINE as _LINE
from ..domain.fields import LINES as _LINES
from ..domain.fields import Line, SaneDate, Text
from ..domain.procedures import CodeSource, ProcedureCode, ProcedureDefinition
from .validation import Strict

LongText = Annotated[str, Field(min_length=1, max_length=2000, pattern=_LINES)]
OptionalNote = Annotated[str, Field(max_length=2000, pattern=_LINES)]
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


class Person(Strict):
    type: Literal["person"]
    full_name: Text
    citizen_id: Annotated[str, Field(min_length=1, max_length=20)]
    date_of_birth: SaneDate
    phone: Annotated[str, Field(max_length=20)] | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    address: Line


class Representative(Strict):
    full_name: Text
    citizen_id: Annotated[str, Field(max_length=20)] | None = None
    position: Annotated[str, Field(max_length=200)] | None = None


class Business(Strict):
    type: Literal["business"]
    name: Annotated[str, Field(min_length=1, max_length=300, pattern=_LINE)]
    tax_code: Annotated[str, Field(min_length=1, max_length=20)]
    address: Line
    representative: Representative
    phone: Annotated[str, Field(max_length=20)] | None = None
    email: Annotated[str, Field(max_length=254)] | None = None


class ComponentFiles(Strict):
    component_id: Identifier
    upload_ids: Annotated[list[Identifier], Field(max_length=20)] = []
    # Papers given once (docs/papers.md): papers of the applicant's store standing in for files, as if uploaded again.
    papers: Annotated[list[Identifier], Field(max_length=20, description="Ids of papers from the applicant's store "
                                              "(GET /me/papers; at the desk GET /desk/applicants/{id_number}/papers) "
                                              "reused for this component instead of uploading them again.")] = []


class Delivery(Strict):
    method: Literal["online", "desk", "post"]
    address: Annotated[str, Field(max_length=500, pattern=_LINE)] | None = None


class PostalIntake(Strict):
    """A dossier that came by public post (channel 3), recorded by the desk."""

    tracking_number: Identifier  # the post's item number (e.g. EB123456789VN)
    received_on: SaneDate  # the local day the post delivered it: the statutory clock counts from it


class SubmitDossier(Strict):
    procedure_code: ProcedureCode
    applicant: Annotated[Person | Business, Field(discriminator="type")]
    summary: LongText
    components: Annotated[list[ComponentFiles], Field(min_length=1, max_length=50)]
    delivery: Delivery
    sms_opt_in: bool = False
    locale: Literal["vi", "en"] | None = None
    postal: PostalIntake | None = None  # desk officers only: the dossier came by post


class CreateUpload(Strict):
    procedure_code: ProcedureCode
    component_id: Identifier
    file_name: Annotated[str, Field(min_length=1, max_length=255, pattern=_LINE)]
    content_type: Annotated[str, Field(min_length=1, max_length=100)]
    size: Annotated[int, Field(ge=1)]


class Receive(Strict):
    note: OptionalNote = ""


class SupplementItem(Strict):
    component_id: Identifier
    reason: LongText


class RequestSupplement(Strict):
    items: Annotated[list[SupplementItem], Field(min_length=1, max_length=50)]
    note: OptionalNote = ""


class Refuse(Strict):
    reason: LongText


class Resubmit(Strict):
    components: Annotated[list[ComponentFiles], Field(min_length=1, max_length=50)]
    note: OptionalNote = ""


# The procedure's one definition (chalicelib/domain/procedures.py), its constraints and rules included.
class PublishProcedure(ProcedureDefinition, Strict):
    """A new version of a procedure; the server numbers the version."""

    # Whether the code was checked against the national database; a new version inherits it.
    code_source: CodeSource | None = None


class Transfer(Strict):
    unit: Identifier
    note: OptionalNote = ""
    step_due: SaneDate | None = None


class Forward(Strict):
    """A dossier received for another agency's procedure goes to that agency, electronically; the paper originals,
    where the procedure needs them, by public post with this tracking number."""

    note: OptionalNote = ""
    paper_tracking_number: Identifier | None = None


class Assign(Strict):
    specialist: Identifier  # the specialist's username in the user pool
    note: OptionalNote = ""
    step_due: SaneDate | None = None


class Propose(Strict):
    assessment: LongText
    proposal: Literal["approve", "reject"]
    note: OptionalNote = ""


class Decide(Strict):
    note: OptionalNote = ""


class WithReason(Strict):
    reason: LongText


class RequestFee(Strict):
    amount_vnd: Annotated[int, Field(ge=1, le=10_000_000_000)]
    purpose: Text
    note: OptionalNote = ""


class RecordPayment(Strict):
    amount_vnd: Annotated[int, Field(ge=1, le=10_000_000_000)]
    method: Literal["cash", "bank_transfer", "online"]
    receipt_number: Identifier | None = None
    note: OptionalNote = ""


class StartPayment(Strict):
    """Pay the requested fee online (docs/payments.md): the answer names the gateway's page to send the payer to."""

    locale: Literal["vi", "en"] = "vi"  # the gateway page's language


class IssueResult(Strict):
    upload_ids: Annotated[list[Identifier], Field(min_length=1, max_length=20)]
    note: OptionalNote = ""


class ReturnAtDesk(Strict):
    received_by: Text  # who collected the result
    id_number: Annotated[str, Field(max_length=20, pattern=_LINE)] | None = None
    note: OptionalNote = ""


class SendByPost(Strict):
    tracking_number: Identifier
    carrier: Text = "VNPost"
    note: OptionalNote = ""


class RecordDelivery(Strict):
    delivered_on: SaneDate
    note: OptionalNote = ""


class ResultUpload(Strict):
    file_name: Annotated[str, Field(min_length=1, max_length=255, pattern=_LINE)]
    content_type: Annotated[str, Field(min_length=1, max_length=100)]
    size: Annotated[int, Field(ge=1)]


class Apologise(Strict):
    new_due_date: SaneDate
    reason: LongText


class SendToAgency(Strict):
    to_agency: Identifier  # the other agency's code (GET /agencies)
    request: LongText  # what that agency is asked to do
    step_due: SaneDate | None = None
    note: OptionalNote = ""


class ReturnFromAgency(Strict):
    reply: LongText  # the other agency's answer or the outcome of its part
    note: OptionalNote = ""


Rating = Literal["satisfied", "neutral", "not_satisfied"]


class Criteria(Strict):
    """The criteria of the national portal's rating form (Decree 61/2018, Article 35)."""

    timeliness: Rating | None = None  # the result came by the appointment date
    attitude: Rating | None = None  # the officers' conduct
    guidance: Rating | None = None  # clear, once-only guidance on what to supply
    transparency: Rating | None = None  # fees and steps as published
    visits: Annotated[int, Field(ge=0, le=50)] | None = None  # times the applicant had to come or be contacted


class Evaluate(Strict):
    satisfied: StrictBool
    criteria: Criteria = Criteria()
    comment: OptionalNote = ""




# ----------------------------------------------------------------- the staff directory (administrators)

StaffRole = Literal["officer", "specialist", "leader", "admin"]
Username = Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$",
                                description="Lower case letters, digits, `.`, `_`, `-`.")]
Email = Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class InviteStaff(Strict):
    username: Username
    name: Text
    email: Email
    title: Line | None = None
    roles: Annotated[list[StaffRole], Field(min_length=1, max_length=4)]
    agency_code: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    unit: Identifier | None = None


class ChangeStaff(Strict):
    """Only the fields given change."""

    name: Text | None = None
    title: Line | None = None
    roles: Annotated[list[StaffRole], Field(min_length=1, max_length=4)] | None = None
    agency_code: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    unit: Identifier | None = None


class Profile(Strict):
    """A citizen's own details, kept to pre-fill their next submission; every field may be left out."""

    full_name: Text | None = None
    citizen_id: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    date_of_birth: SaneDate | None = None
    phone: Annotated[str, Field(max_length=20)] | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    address: Line | None = None
    language: Literal["vi", "en"] = "vi"


# A dossier forwarded by the national portal: the model lives with the rest of the portal's mapping.
from ..domain.portal_inbound import PortalForward  # noqa: E402,F401

# --------------------------------------------------------------------------- feedback and petitions (docs/feedback.md)

FeedbackText = Annotated[str, Field(min_length=1, max_length=5000, pattern=_LINES)]


class FeedbackContact(Strict):
    """How the agency reaches the person: never published. Someone not signed in gives an email or a phone."""

    name: Text
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    phone: Annotated[str, Field(max_length=20, pattern=r"^\+?[0-9 .-]{8,20}$")] | None = None


class FileFeedback(Strict):
    kind: Literal["feedback", "petition"]  # phản ánh (something went wrong) or kiến nghị (a proposal)
    agency_code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z.-]+$")]
    procedure_code: ProcedureCode | None = None
    # One of the person's own dossiers (signed in): the agency and procedure are the dossier's.
    dossier_code: Annotated[str, Field(max_length=64, pattern=r"^[0-9A-Za-z.-]+$")] | None = None
    title: Text
    content: FeedbackText
    contact: FeedbackContact
    locale: Literal["vi", "en"] | None = None  # the language of the messages to the person (default: theirs, or vi)


class FeedbackInfo(Strict):
    text: FeedbackText  # the person's reply to the agency's question


class RateFeedback(Strict):
    satisfied: StrictBool
    comment: OptionalNote = ""


class RefuseFeedback(Strict):
    reason: LongText


class AskFeedback(Strict):
    question: LongText


class AnswerFeedback(Strict):
    text: FeedbackText


class PublishFeedback(Strict):
    """What goes on the public list; each part defaults to the item's own text. Personal data is taken out either
    way (names, contacts, ID numbers, dossier codes)."""

    title: Text | None = None
    question: FeedbackText | None = None
    answer: FeedbackText | None = None

# --------------------------------------------------------------------------- desk queue tickets (docs/queue.md)

DeskServiceId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$",
                                     description="One of the agency's desk services (GET /queue/services).")]
CounterName = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^\w[\w -]*$",
                                   description="The counter (quầy) the officer calls to, as the hall's signs name "
                                               "it, e.g. `3`.")]


class TakeTicket(Strict):
    agency_code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z.-]+$")]
    service: DeskServiceId


class CallNext(Strict):
    counter: CounterName
    service: DeskServiceId | None = Field(None, description="Only this service's line; without it, the oldest "
                                                            "ticket of any.")


class CloseTicket(Strict):
    dossier_code: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z.-]+$",
                                       description="The dossier received during the visit, as its receipt prints "
                                                   "it.")] | None = None
