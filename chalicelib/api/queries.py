"""Query parameters of the routes that take them: one model per route, unknown parameters refused."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ..domain.codes import parse_dossier_code
from ..domain.fields import SaneDate
from ..domain.states import Status
from .types import Cursor, Flag, PageLimit, Version
from .validation import Strict

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z.-]+$")]
Search = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


def _period(value: str) -> str:
    from datetime import date

    from ..domain.periods import BadPeriod, parse_period

    try:
        parse_period(value, date(2026, 1, 1))  # the shape only: a rolling period is resolved at read time
    except BadPeriod:
        raise PydanticCustomError("metrics.period", "not a period") from None
    return value


def _known_agency(value: str) -> str:
    from ..domain.agencies import agency

    if agency(value) is None:
        raise PydanticCustomError("agency.unknown", "unknown agency", {"agency_code": value})
    return value


Period = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$",
                              description="`2026-Q4`, `2026-11`, `2026` or `rolling-30d` (default)."),
                   AfterValidator(_period)]
Agency = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z.-]+$",
                              description="Agency code in the national list (GET /agencies)."),
                   AfterValidator(_known_agency)]
Format = Literal["json", "csv", "xlsx"]
_TEXT = r"^[^\x00-\x1f\x7f]*$"


def _dossier_code(value: str) -> str:
    value = value.upper()
    if parse_dossier_code(value) is None:
        raise PydanticCustomError("field.dossier_code", "not a dossier code")
    return value


# The shape is documented in the schema; the check itself answers `field.dossier_code`, not a pattern error.
_CODE_SHAPE = r"^[0-9A-Za-z][0-9A-Za-z.]*[0-9A-Za-z]-[0-9]{6}-[0-9]{4,}$"
DossierCode = Annotated[str, Field(min_length=1, max_length=64, json_schema_extra={"pattern": _CODE_SHAPE},
                                   description="Exact national dossier code, e.g. 000.00.20.H26-261121-0001."),
                        AfterValidator(_dossier_code)]


def _text(max_length: int, description: str | None = None):
    return Annotated[str, Field(min_length=1, max_length=max_length, pattern=_TEXT, description=description)]


class Page(Strict):
    limit: PageLimit = 20
    cursor: Cursor | None = None


class ListProcedures(Page):
    field: Code | None = Field(None, description="Field code, e.g. `foreign-workers`.")
    agency: Code | None = Field(None, description="Agency code in the national list.")
    q: Search | None = Field(None, description="Words of the code or name, with or without diacritics.")
    online_level: Literal["full", "partial"] | None = None
    reception_anywhere: Flag | None = Field(None, description="`true`: only procedures received regardless of "
                                            "administrative boundaries (any agency's desk may take them in).")


class GetProcedure(Strict):
    version: Version | None = Field(None, description="A published version; default: the one in effect today.")


class DeskSearch(Page):
    """Every filter narrows the list; the officer's own agency (and unit) only."""

    status: Status | None = None
    procedure: _text(16, "Procedure code.") | None = None
    assignee: _text(64, "The specialist's username.") | None = None
    name: _text(200, "Applicant name or its beginning, with or without diacritics.") | None = None
    id_number: _text(20, "The applicant's citizen ID or tax code.") | None = None
    code: DossierCode | None = None
    due_after: SaneDate | None = None
    due_before: SaneDate | None = None
    received_from: SaneDate | None = None
    received_to: SaneDate | None = None
    overdue: Flag = False
    incoming: Flag = Field(False, description="Inter-agency work another agency sent to the caller's agency.")

    @staticmethod
    def cross_field_errors(params: dict) -> list:
        """Reversed date ranges, judged on the raw values so they are reported with every other error."""
        from datetime import date

        from ..domain.errors import FieldError

        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(params[name]) if isinstance(params.get(name), str) else params.get(name)
            except ValueError:
                return None

        return [FieldError(high, "search.range_reversed", {"from": day(low).isoformat()})
                for low, high in (("due_after", "due_before"), ("received_from", "received_to"))
                if day(low) and day(high) and day(low) > day(high)]


class Scorecard(Strict):
    agency: Agency
    period: Period | None = None
    rescore: Flag = False
    format: Format | None = Field(None, description="Default: from `Accept`, else JSON.")


class Indicator(Strict):
    agency: Agency | None = Field(None, description="Default: the caller's agency.")
    period: Period | None = None
    rescore: Flag = False
    format: Format | None = None
    procedure: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    group_by: Literal["procedure", "unit", "officer", "day"] | None = None


def _period_errors(params: dict, max_days: int | None = None) -> list:
    """A `from`..`to` period reversed (or longer than `max_days`), judged on the raw values so that it is reported
    with every other error."""
    from datetime import date

    from ..domain.errors import FieldError

    try:
        low, high = date.fromisoformat(params["from"]), date.fromisoformat(params["to"])
    except (KeyError, TypeError, ValueError):
        return []
    if low > high:
        return [FieldError("to", "search.range_reversed", {"from": low.isoformat()})]
    if max_days is not None and (high - low).days > max_days:
        return [FieldError("to", "register.period_too_long", {"max_days": max_days})]
    return []


class Register(Strict):
    """The register of dossiers (sổ theo dõi hồ sơ) of the caller's agency: received in `from`..`to`."""

    from_: SaneDate = Field(alias="from", description="First day of receipt (local date).")
    to: SaneDate = Field(description="Last day of receipt (local date), at most 366 days after `from`.")
    format: Literal["pdf", "xlsx"] = "pdf"

    @staticmethod
    def cross_field_errors(params: dict) -> list:
        return _period_errors(params, max_days=366)


class StaffList(Page):
    agency: Agency = Field(description="The agency whose staff to list.")


class StaffReads(Page):
    """One staff member's reads of dossiers (the access log), on local days `from` to `to`."""

    staff: _text(128, "The staff member's username or account id.")
    from_: SaneDate | None = Field(None, alias="from", description="First day (local date), inclusive.")
    to: SaneDate | None = Field(None, description="Last day (local date), inclusive.")

    @staticmethod
    def cross_field_errors(params: dict) -> list:
        return _period_errors(params)


class PaymentReconciliation(Strict):
    """The daily reconciliation of the caller's agency's online payments (docs/payments.md)."""

    date: SaneDate = Field(description="The day (Vietnam time) whose gateway statement to compare.")
    format: Literal["json", "csv", "xlsx"] = "json"


class PublishedFeedback(Page):
    agency: Agency


class QueueAgency(Strict):
    """One agency's desk queue (docs/queue.md)."""

    agency: Agency


class Papers(Page):
    """An applicant's store of papers (docs/papers.md): newest first, a page at a time; or, with `procedure`, the
    papers a dossier of that procedure could reuse today, each with the components it fits (one answer, no pages)."""

    type: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9.:-]*$",
                               description="Only papers of this type, e.g. `health-certificate`.")] | None = None
    procedure: Annotated[str, Field(min_length=8, max_length=16, pattern=r"^[0-9]\.[0-9]{6}$",
                                    description="A procedure code: only the papers a dossier of it could reuse "
                                                "today (the version in effect).")] | None = None

    @staticmethod
    def cross_field_errors(params: dict) -> list:
        from ..domain.errors import FieldError

        return [FieldError("procedure", "paper.procedure_with_page")
                for name in ("type", "cursor") if params.get("procedure") and params.get(name)][:1]
