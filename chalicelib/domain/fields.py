"""Field types shared by the domain's models and the API's: written once, so a bound holds everywhere."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

# No control characters: names and reasons are printed on forms and sent by SMS. Long texts may break lines.
# The API reports a text failing either pattern as `field.control_characters`.
LINE = r"^[^\x00-\x1f\x7f]*$"
LINES = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Text = Annotated[str, Field(min_length=1, max_length=200, pattern=LINE)]
Line = Annotated[str, Field(min_length=1, max_length=500, pattern=LINE)]

# Dates the platform can reason about: a due date computed from 9999-12-31 overflows.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def in_date_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise PydanticCustomError("date_out_of_range", "date out of range",
                                  {"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()})
    return value


SaneDate = Annotated[date, Field(description="A day between 1900-01-01 and 2100-12-31."),
                    AfterValidator(in_date_range)]
