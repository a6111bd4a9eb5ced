"""Request bodies: structure, types and lengths (pydantic). Domain rules come after, in the domain.

Imported by handlers on first use, not at module import: pydantic is not needed to start the app.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

from ..domain.errors import FieldError, ValidationFailed
from ..domain.fields import LINE as _LINE
from ..domain.fields import LINES as _LINES
from ..domain.fields import Line, SaneDate, Text
from ..domain.messages import MESSAGES
from ..domain.procedures import CodeSource, ProcedureCode, ProcedureDefinition

LongText = Annotated[str, Field(min_length=1, max_length=2000, pattern=_LINES)]
OptionalNote = Annotated[str, Field(max_length=2000, pattern=_LINES)]
Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
M = TypeVar("M", bound="Strict")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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
    upload_ids: Annotated[list[Identifier], Field(max_length=20)]


class Delivery(Strict):
    method: Literal["online", "desk", "post"]
    address: Annotated[str, Field(max_length=500, pattern=_LINE)] | None = None


class SubmitDossier(Strict):
    procedure_code: ProcedureCode
    applicant: Annotated[Person | Business, Field(discriminator="type")]
    summary: LongText
    components: Annotated[list[ComponentFiles], Field(min_length=1, max_length=50)]
    delivery: Delivery
    sms_opt_in: bool = False
    locale: Literal["vi", "en"] | None = None


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


_CODES = {
    "missing": "field.required", "extra_forbidden": "field.unknown", "string_too_long": "field.too_long",
    "string_too_short": "field.blank", "too_long": "field.too_long", "too_short": "field.too_short",
    "literal_error": "field.choice", "enum": "field.choice", "union_tag_invalid": "field.choice",
    "union_tag_not_found": "field.required", "date_parsing": "field.date", "date_from_datetime_parsing": "field.date",
    "date_type": "field.date", "date_from_datetime_inexact": "field.date", "date_out_of_range": "field.range",
    "dossier_code": "field.dossier_code", "metrics_period": "metrics.period", "agency_unknown": "agency.unknown",
    "int_parsing_size": "field.number", "int_parsing": "field.number",
    "int_type": "field.number", "int_from_float": "field.number", "greater_than_equal": "field.range",
    "less_than_equal": "field.range", "string_pattern_mismatch": "field.invalid", "bool_parsing": "field.type",
    "bool_type": "field.type", "string_type": "field.type", "list_type": "field.type", "tuple_type": "field.type",
    "model_type": "field.type", "dict_type": "field.type", "model_attributes_type": "field.type",
}


def _path(loc: tuple[Any, ...], tags: set[str]) -> str:
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in tags and i > 0:
            continue  # discriminated unions insert the tag into the location
        else:
            out += ("." if out else "") + str(part)
    return out or "body"


_OWN_PARAMS = ("agency_code",)


def field_errors(error: ValidationError) -> list[FieldError]:
    found = []
    for item in error.errors(include_url=False):
        ctx = item.get("ctx") or {}
        if item["type"] in MESSAGES:  # a domain rule's own code, e.g. a procedure's rules across fields
            found.append(FieldError(_path(tuple(item["loc"]), {"person", "business"}), item["type"], dict(ctx)))
            continue
        code = _CODES.get(item["type"], "field.invalid")
        # Our own error types carry their message parameters in the context.
        own = {k: v for k, v in ctx.items() if k in _OWN_PARAMS}
        if code == "field.invalid" and ctx.get("pattern") in (_LINE, _LINES):
            code = "field.control_characters"
        params = dict(own)
        if "max_length" in ctx:
            params["max"] = ctx["max_length"]
        if "min_length" in ctx:
            params["min"] = ctx["min_length"]
        if "expected" in ctx or "expected_tags" in ctx:
            params["choices"] = str(ctx.get("expected") or ctx.get("expected_tags")).replace("'", "")
        if code == "field.blank" and ctx.get("min_length", 1) > 1:
            code = "field.too_short"
        found.append(FieldError(_path(tuple(item["loc"]), {"person", "business"}), code, params))
    return found


def parse(model: type[M], data: dict) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(field_errors(error)) from error


class Transfer(Strict):
    unit: Identifier
    note: OptionalNote = ""
    step_due: SaneDate | None = None


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
