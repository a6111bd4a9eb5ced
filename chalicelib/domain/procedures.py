"""The procedure catalogue: administrative procedures (thủ tục hành chính) and their versions.

A procedure is identified by its national code (e.g. ``1.014199``) and published in versions: rules
change every few years, so a dossier is always handled under the version in effect on the day it
was received, never under whatever is current now.

This module is the procedure's one definition: the pydantic models below carry every constraint
(field bounds and the rules across fields). The publication request (``api.schemas.PublishProcedure``)
derives from :class:`ProcedureDefinition`, the store and the seed catalogue validate through
:class:`Procedure`, so a rule written here holds for an editor's request, a stored version and the
seed file alike. pydantic is pure Python; it is still kept off the app's import path (nothing imported
at cold start imports this module).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError, PydanticKnownError

from .fields import Line, Text, in_date_range
from .messages import MESSAGES

SEED_PATH = Path(__file__).resolve().parent.parent / "data" / "procedures.json"

TimeUnit = Literal["working_days", "working_hours", "calendar_days"]
ApplicantType = Literal["person", "business"]
CodeSource = Literal["verified", "assumed"]
MimeType = Literal["application/pdf", "image/jpeg", "image/png"]
TIME_UNITS: tuple[str, ...] = get_args(TimeUnit)
APPLICANT_TYPES: tuple[str, ...] = get_args(ApplicantType)
CODE_SOURCES: tuple[str, ...] = get_args(CodeSource)
ACCEPTED_MIME_TYPES: tuple[str, ...] = get_args(MimeType)
MAX_FILE_BYTES = 50 * 1024 * 1024



def _whole_number(value: Any) -> Any:
    # bool is an int subclass and pydantic's lax mode reads "10" as 10: neither is a number an editor meant.
    # DynamoDB hands numbers back as Decimal, which stays accepted when it is integral.
    if isinstance(value, (bool, str)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return value


def _iso_date(value: Any) -> Any:
    # Only a date or its ISO text: pydantic would also read a timestamp number or a midnight datetime as a day.
    # The text is read here, so strict validation (of the API's responses) sees a date.
    if isinstance(value, datetime) or not isinstance(value, (str, date)):
        raise PydanticCustomError("date_type", "Input should be a valid date")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else value
        except ValueError:
            raise PydanticCustomError("date_parsing", "Input should be a valid date") from None
    return value


def _non_empty(items: tuple) -> tuple:
    if not items:
        raise PydanticKnownError("too_short", {"field_type": "Tuple", "min_length": 1, "actual_length": 0})
    return items


# In an Annotated type the Field goes before the validator: the other order loses the bounds from the JSON Schema.
_WHOLE = BeforeValidator(_whole_number)
Day = Annotated[date, AfterValidator(in_date_range), BeforeValidator(_iso_date)]
# [0-9], not \d: the regex engine's \d matches every script's digits ("１.０１４１９９").
ProcedureCode = Annotated[str, Field(min_length=8, max_length=16, pattern=r"^[0-9]\.[0-9]{6}$",
                                     description="National procedure code, e.g. 1.014199.")]
AgencyCode = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[0-9A-Z][0-9A-Z.]*[0-9A-Z]$",
                                  description="National agency code, e.g. 000.00.20.H26.")]
FieldCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
# Component ids appear in upload keys and URLs: lowercase words joined by hyphens.
ComponentId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
LegalDocument = Annotated[str, Field(min_length=1, max_length=300)]
# Not Field(min_length=1): on a tuple, pydantic counts the items left once the refused ones are dropped, so one bad
# item would also be reported as "too short". Checked once the items are valid, and documented by hand.
_NON_EMPTY = (Field(json_schema_extra={"minItems": 1}), AfterValidator(_non_empty))


class OnlineLevel(StrEnum):
    """Dịch vụ công trực tuyến toàn trình / một phần."""

    FULL = "full"  # everything online, result included
    PARTIAL = "partial"  # some steps need paper or a visit


class _Record(BaseModel):
    # Immutable and hashable: a published version never changes, and caches hand the same object to every caller.
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _problem(loc: tuple[str | int, ...], code: str, given: Any, params: dict | None = None) -> InitErrorDetails:
    """A rule across fields, reported on the field at fault. The error's type is its message code, which the API
    passes through as the field error's code with the context as its parameters (api/schemas.py `field_errors`)."""
    return InitErrorDetails(type=PydanticCustomError(code, MESSAGES[code][1], params or {}), loc=loc, input=given)


class Component(_Record):
    """One document (thành phần hồ sơ) a dossier of the procedure must or may contain."""

    id: ComponentId
    name_vi: Text
    name_en: Text
    required: StrictBool
    accepted_types: Annotated[tuple[MimeType, ...], *_NON_EMPTY]
    max_size_bytes: Annotated[int, Field(ge=1, le=MAX_FILE_BYTES), _WHOLE]


# TimeLimit and FeeItem, not ProcessingTime and Fee: the publication request puts these models in the OpenAPI
# document, where each name is one schema, and api/responses.py already names a (receipt's) ProcessingTime and a
# (dossier's) Fee.
class TimeLimit(_Record):
    """The time the agency has to settle a dossier (thời hạn giải quyết)."""

    value: Annotated[int, Field(ge=1, le=3650), _WHOLE]
    unit: TimeUnit


class FeeItem(_Record):
    """One fee or charge (phí, lệ phí) of the procedure, in integer VND."""

    amount_vnd: Annotated[int, Field(ge=0), _WHOLE]
    description_vi: Text
    description_en: Text


class Announcement(_Record):
    """How this version was made public (docs/metrics.md "Publicity"): the decision that announced it (quyết định
    công bố thủ tục hành chính) and the day it was published in the national database of procedures."""

    decision: Line = Field(description="The announcing decision's number, e.g. 1234/QĐ-BLĐTBXH.")
    signed_on: Day = Field(description="The day the decision was signed.")
    published_on: Day | None = Field(None, description="The day the procedure was published (the national database "
                                                       "of administrative procedures); null while it is not.")


class ProcedureDefinition(_Record):
    """What an editor writes for a version: everything but what the server sets (the version number, and
    where the national code was checked, which a new version inherits)."""

    code: ProcedureCode
    effective_date: Day = Field(description="Dossiers received from this day on are handled under this version.")
    name_vi: Line
    name_en: Line
    field_code: FieldCode = Field(description="The field (lĩnh vực) the catalogue filters on, e.g. foreign-workers.")
    field_vi: Text
    field_en: Text
    agency_code: AgencyCode
    agency_name_vi: Text
    agency_name_en: Text
    processing_time: TimeLimit
    fees: Annotated[tuple[FeeItem, ...], Field(max_length=20)] = ()
    online_level: OnlineLevel
    legal_basis: Annotated[tuple[LegalDocument, ...], Field(max_length=30), *_NON_EMPTY]
    components: Annotated[tuple[Component, ...], Field(max_length=50), *_NON_EMPTY]
    applicant_types: Annotated[tuple[ApplicantType, ...], *_NON_EMPTY]
    # The national portal's names for it (docs/national-portal.md): forwarded dossiers are mapped by them and
    # every sync carries them. Unset, the portal knows the procedure by `code` and the field by `field_code`.
    national_code: ProcedureCode | None = Field(None, description="The national portal's procedure code (MaTTHC), "
                                                "when it differs from `code`.")
    national_field_code: FieldCode | None = Field(None, description="The national portal's field code (MaLinhVuc).")
    announcement: Announcement | None = Field(None, description="The announcing decision and the publication day: "
                                                                "what the index's publicity indicators judge.")
    # Decree 61/2018 as amended by Decree 107/2021 (and Decree 118/2025): a procedure on the published list of those
    # received regardless of administrative boundaries may be taken in at any one-stop desk, which forwards it to
    # the competent agency (docs/api.md "Reception across administrative boundaries").
    reception_anywhere: StrictBool = Field(False, description="Received regardless of administrative boundaries "
                                           "(tiếp nhận không phụ thuộc địa giới hành chính): any agency's one-stop "
                                           "desk may take a dossier in and forwards it to `agency_code`.")

    @property
    def portal_procedure_code(self) -> str:
        return self.national_code or self.code

    @property
    def portal_field_code(self) -> str:
        return self.national_field_code or self.field_code

    @model_validator(mode="after")
    def _rules_across_fields(self) -> ProcedureDefinition:
        problems: list[InitErrorDetails] = []
        # Reception checks completeness against the required components: with none, any empty dossier
        # would be "complete".
        if not any(c.required for c in self.components):
            problems.append(_problem(("components",), "procedure.no_required_component", None))
        seen: set[str] = set()
        for i, component in enumerate(self.components):
            if component.id in seen:
                problems.append(_problem(("components", i, "id"), "component.duplicate", component.id,
                                         {"component_id": component.id}))
            seen.add(component.id)
        for i, kind in enumerate(self.applicant_types):
            if kind in self.applicant_types[:i]:
                problems.append(_problem(("applicant_types", i), "field.duplicate", kind, {"value": kind}))
        announced = self.announcement
        if announced and announced.published_on and announced.published_on < announced.signed_on:
            problems.append(_problem(("announcement", "published_on"), "procedure.published_before_announced",
                                     announced.published_on.isoformat()))
        if problems:
            raise ValidationError.from_exception_data(type(self).__name__, problems)
        return self

    def component(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)

    @property
    def required_components(self) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.required)


class Procedure(ProcedureDefinition):
    """One published version of one procedure. ``code_source`` says whether the national code was checked
    against a published catalogue ("verified") or picked as plausible ("assumed")."""

    version: Annotated[int, Field(ge=1), _WHOLE]
    code_source: CodeSource = "assumed"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as stored and as the API answers: dates as ISO strings, tuples as lists, enums as their
        values; keys in the catalogue's order (code, version, then the definition)."""
        data = self.model_dump(mode="json")
        return {"code": data.pop("code"), "version": data.pop("version"), **data}


def effective_version(versions: Iterable[Procedure], on: date) -> Procedure | None:
    """The highest version whose effective date is on or before ``on``; None if none is in force yet.

    Versions of different procedures must not be mixed: picking "the latest" across codes would
    silently hand back another procedure.
    """
    candidates = list(versions)
    codes = {p.code for p in candidates}
    if len(codes) > 1:
        raise ValueError(f"effective_version needs versions of one procedure, got codes {sorted(codes)}")
    in_force = [p for p in candidates if p.effective_date <= on]
    return max(in_force, key=lambda p: p.version, default=None)


_seed_cache: tuple[Procedure, ...] | None = None


def load_seed_catalogue() -> list[Procedure]:
    """The seed catalogue shipped with the code (``chalicelib/data/procedures.json``), validated by the
    same model as a published version."""
    global _seed_cache
    if _seed_cache is None:
        raw = json.loads(SEED_PATH.read_text(encoding="utf-8"))
        if not isinstance(raw, list):
            raise ValueError(f"{SEED_PATH}: expected a JSON list of procedures")
        parsed = []
        for i, item in enumerate(raw):
            try:
                parsed.append(Procedure.model_validate(item))
            except ValidationError as error:
                label = item.get("code") if isinstance(item, dict) else None
                raise ValueError(f"{SEED_PATH}: procedure [{i}] {label!r}: {error}") from error
        _seed_cache = tuple(parsed)
    # A fresh list each call: callers may sort or filter it in place.
    return list(_seed_cache)
