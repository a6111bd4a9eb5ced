"""Query parameters of the routes that take them: one model per route, unknown parameters refused."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ..domain.codes import parse_dossier_code
from ..domain.states import Status
from .schemas import Strict
from .types import Cursor, Flag, PageLimit, SaneDate, Version

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z.-]+$")]
Search = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
Period = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z-]+$",
                              description="`2026-Q4`, `2026-11`, `2026` or `rolling-30d` (default).")]
Format = Literal["json", "csv", "xlsx"]
_TEXT = r"^[^\x00-\x1f\x7f]*$"


def _dossier_code(value: str) -> str:
    value = value.upper()
    if parse_dossier_code(value) is None:
        raise PydanticCustomError("dossier_code", "not a dossier code")
    return value


DossierCode = Annotated[str, Field(min_length=1, max_length=64, description="Exact national dossier code."),
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
    agency: Code
    period: Period | None = None
    rescore: Flag = False
    format: Format | None = Field(None, description="Default: from `Accept`, else JSON.")


class Indicator(Strict):
    agency: Code | None = Field(None, description="Default: the caller's agency.")
    period: Period | None = None
    rescore: Flag = False
    format: Format | None = None
    procedure: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    group_by: Literal["procedure", "unit", "officer", "day"] | None = None
