"""Field types shared by request bodies and query parameters, each with bounds an attacker cannot stretch.

Numbers arriving as text are ASCII digits of bounded length before they are numbers: `int()` takes other
scripts' digits and thousands of digits, and both used to reach places that could not cope.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError


def _ascii_digits(max_digits: int):
    def check(value: Any) -> Any:
        if isinstance(value, str) and not (value.isascii() and value.isdigit() and 0 < len(value) <= max_digits):
            raise PydanticCustomError("int_parsing", "not a whole number")
        return value

    return check


# Field before the validator: the other order loses the bounds from the JSON Schema.
PageLimit = Annotated[int, Field(ge=1, le=100, description="Page size (1–100)."), BeforeValidator(_ascii_digits(3))]
Version = Annotated[int, Field(ge=1, le=999_999), BeforeValidator(_ascii_digits(6))]
# Judged by the store, which knows what its cursors look like and answers `bad_cursor`.
Cursor = Annotated[str, Field(description="Opaque cursor from the previous page's `next_cursor`.")]


def _true_or_false(value: Any) -> Any:
    if isinstance(value, str) and value not in ("true", "false"):
        raise PydanticCustomError("literal_error", "true or false", {"expected": "true, false"})
    return value


# A query flag: `true` or `false`, nothing else ("yes", "1" and "on" are ambiguous in a URL someone typed).
Flag = Annotated[bool, BeforeValidator(_true_or_false)]
