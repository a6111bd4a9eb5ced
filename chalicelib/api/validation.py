"""Validation with pydantic, reported as the platform's per-field errors (codes with wording in
`domain/messages.py`). Imported on first use: a route that parses nothing never loads pydantic."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..domain.errors import FieldError, ValidationFailed
from ..domain.fields import LINE as _LINE
from ..domain.fields import LINES as _LINES
from ..domain.messages import MESSAGES

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    """Request bodies and queries: unknown fields refused, text stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


_CODES = {
    "missing": "field.required", "extra_forbidden": "field.unknown", "string_too_long": "field.too_long",
    "string_too_short": "field.blank", "too_long": "field.too_long", "too_short": "field.too_short",
    "literal_error": "field.choice", "enum": "field.choice", "union_tag_invalid": "field.choice",
    "union_tag_not_found": "field.required", "date_parsing": "field.date", "date_from_datetime_parsing": "field.date",
    "date_type": "field.date", "date_from_datetime_inexact": "field.date", "date_out_of_range": "field.range",
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


def field_errors(error: ValidationError) -> list[FieldError]:
    found = []
    for item in error.errors(include_url=False):
        ctx = item.get("ctx") or {}
        if item["type"] in MESSAGES:  # a domain rule's own code, e.g. a procedure's rules across fields
            found.append(FieldError(_path(tuple(item["loc"]), {"person", "business"}), item["type"], dict(ctx)))
            continue
        code = _CODES.get(item["type"], "field.invalid")
        if code == "field.invalid" and ctx.get("pattern") in (_LINE, _LINES):
            code = "field.control_characters"
        params = {}
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
