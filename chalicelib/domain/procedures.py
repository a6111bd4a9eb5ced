"""The procedure catalogue: administrative procedures (thủ tục hành chính) and their versions.

A procedure is identified by its national code (e.g. ``1.014199``) and published in versions: rules
change every few years, so a dossier is always handled under the version in effect on the day it
was received, never under whatever is current now. Everything here is plain data; storage and the
API live elsewhere.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

SEED_PATH = Path(__file__).resolve().parent.parent / "data" / "procedures.json"

TIME_UNITS = ("working_days", "working_hours", "calendar_days")
APPLICANT_TYPES = ("person", "business")
CODE_SOURCES = ("verified", "assumed")
ACCEPTED_MIME_TYPES = ("application/pdf", "image/jpeg", "image/png")

_CODE_RE = re.compile(r"^\d\.\d{6}$", re.ASCII)  # \d alone would match any Unicode digit
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class OnlineLevel(StrEnum):
    """Dịch vụ công trực tuyến toàn trình / một phần."""

    FULL = "full"  # everything online, result included
    PARTIAL = "partial"  # some steps need paper or a visit


@dataclass(frozen=True)
class Component:
    """One document (thành phần hồ sơ) a dossier of the procedure must or may contain."""

    id: str
    name_vi: str
    name_en: str
    required: bool
    accepted_types: tuple[str, ...]
    max_size_bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name_vi": self.name_vi, "name_en": self.name_en, "required": self.required,
                "accepted_types": list(self.accepted_types), "max_size_bytes": self.max_size_bytes}


@dataclass(frozen=True)
class ProcessingTime:
    value: int
    unit: str  # one of TIME_UNITS

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit}


@dataclass(frozen=True)
class Fee:
    amount_vnd: int
    description_vi: str
    description_en: str

    def to_dict(self) -> dict[str, Any]:
        return {"amount_vnd": self.amount_vnd, "description_vi": self.description_vi,
                "description_en": self.description_en}


@dataclass(frozen=True)
class Procedure:
    """One version of one procedure. ``code_source`` says whether the national code was checked
    against a published catalogue ("verified") or picked as plausible ("assumed")."""

    code: str
    version: int
    effective_date: date
    name_vi: str
    name_en: str
    field_code: str
    field_vi: str
    field_en: str
    agency_code: str
    agency_name_vi: str
    agency_name_en: str
    processing_time: ProcessingTime
    fees: tuple[Fee, ...]
    online_level: OnlineLevel
    legal_basis: tuple[str, ...]
    components: tuple[Component, ...]
    applicant_types: tuple[str, ...]
    code_source: str = "assumed"

    def component(self, component_id: str) -> Component | None:
        return next((c for c in self.components if c.id == component_id), None)

    @property
    def required_components(self) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.required)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, tuples as lists, enums as their values."""
        return {
            "code": self.code,
            "version": self.version,
            "effective_date": self.effective_date.isoformat(),
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "field_code": self.field_code,
            "field_vi": self.field_vi,
            "field_en": self.field_en,
            "agency_code": self.agency_code,
            "agency_name_vi": self.agency_name_vi,
            "agency_name_en": self.agency_name_en,
            "processing_time": self.processing_time.to_dict(),
            "fees": [f.to_dict() for f in self.fees],
            "online_level": self.online_level.value,
            "legal_basis": list(self.legal_basis),
            "components": [c.to_dict() for c in self.components],
            "applicant_types": list(self.applicant_types),
            "code_source": self.code_source,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Procedure:
        """Inverse of :meth:`to_dict`. Checks shapes and types only (use :func:`validate_procedure` for
        the business rules); unknown keys are ignored so storage can add its own attributes."""
        if not isinstance(data, Mapping):
            raise ValueError(f"procedure must be an object, got {type(data).__name__}")
        label = f"procedure {data.get('code')!r}"
        r = _Reader(data, label)
        online_level = r.text("online_level")
        try:
            level = OnlineLevel(online_level)
        except ValueError:
            raise ValueError(f"{label}: online_level must be one of {[m.value for m in OnlineLevel]}, "
                             f"got {online_level!r}") from None
        time_reader = r.obj("processing_time")
        return cls(
            code=r.text("code"),
            version=r.integer("version"),
            effective_date=r.iso_date("effective_date"),
            name_vi=r.text("name_vi"),
            name_en=r.text("name_en"),
            field_code=r.text("field_code"),
            field_vi=r.text("field_vi"),
            field_en=r.text("field_en"),
            agency_code=r.text("agency_code"),
            agency_name_vi=r.text("agency_name_vi"),
            agency_name_en=r.text("agency_name_en"),
            processing_time=ProcessingTime(value=time_reader.integer("value"), unit=time_reader.text("unit")),
            fees=tuple(Fee(amount_vnd=f.integer("amount_vnd"), description_vi=f.text("description_vi"),
                           description_en=f.text("description_en")) for f in r.objs("fees")),
            online_level=level,
            legal_basis=r.texts("legal_basis"),
            components=tuple(Component(id=c.text("id"), name_vi=c.text("name_vi"), name_en=c.text("name_en"),
                                       required=c.flag("required"), accepted_types=c.texts("accepted_types"),
                                       max_size_bytes=c.integer("max_size_bytes"))
                             for c in r.objs("components")),
            applicant_types=r.texts("applicant_types"),
            code_source=r.text("code_source", default="assumed"),
        )


class _Reader:
    """Typed access to one JSON object, with errors that name the path of the bad value."""

    _MISSING = object()

    def __init__(self, data: Mapping[str, Any], path: str) -> None:
        self._data = data
        self._path = path

    def _get(self, key: str, default: Any = _MISSING) -> Any:
        if key not in self._data:
            if default is not self._MISSING:
                return default
            raise ValueError(f"{self._path}: missing field {key!r}")
        return self._data[key]

    def _fail(self, key: str, expected: str, value: Any) -> ValueError:
        return ValueError(f"{self._path}.{key}: expected {expected}, got {value!r}")

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self._fail(key, "a string", value)
        return value

    def integer(self, key: str) -> int:
        value = self._get(key)
        # bool is an int subclass, and DynamoDB hands numbers back as Decimal: accept integral
        # numbers whatever their Python type, but never True/False or 1.5.
        if isinstance(value, bool):
            raise self._fail(key, "an integer", value)
        if isinstance(value, int):
            return value
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise self._fail(key, "an integer", value)

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false", value)
        return value

    def iso_date(self, key: str) -> date:
        value = self._get(key)
        if isinstance(value, date) and not isinstance(value, datetime):  # a datetime is a date too
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self._fail(key, "an ISO date (YYYY-MM-DD)", value)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings", value)
        return tuple(value)

    def obj(self, key: str) -> _Reader:
        value = self._get(key)
        if not isinstance(value, Mapping):
            raise self._fail(key, "an object", value)
        return _Reader(value, f"{self._path}.{key}")

    def objs(self, key: str) -> list[_Reader]:
        value = self._get(key)
        if not isinstance(value, (list, tuple)):
            raise self._fail(key, "a list of objects", value)
        readers = []
        for i, item in enumerate(value):
            if not isinstance(item, Mapping):
                raise ValueError(f"{self._path}.{key}[{i}]: expected an object, got {item!r}")
            readers.append(_Reader(item, f"{self._path}.{key}[{i}]"))
        return readers


def validate_procedure(p: Procedure) -> list[str]:
    """Business rules a procedure version must meet before it is published; [] means fine.

    Problems are short English sentences, one per rule broken, so an editor can fix all at once.
    """
    problems: list[str] = []
    if not _CODE_RE.match(p.code):
        problems.append(f"code {p.code!r} is not of the national form <digit>.<6 digits>, e.g. 1.014199")
    if not _is_int(p.version) or p.version < 1:
        problems.append(f"version must be a positive integer, got {p.version!r}")
    for name in ("name_vi", "name_en", "field_code", "field_vi", "field_en", "agency_code", "agency_name_vi",
                 "agency_name_en"):
        if not str(getattr(p, name)).strip():
            problems.append(f"{name} is blank")
    if p.code_source not in CODE_SOURCES:
        problems.append(f"code_source must be one of {list(CODE_SOURCES)}, got {p.code_source!r}")

    time = p.processing_time
    if not _is_int(time.value) or time.value <= 0:
        problems.append(f"processing time must be a positive integer, got {time.value!r}")
    if time.unit not in TIME_UNITS:
        problems.append(f"processing time unit must be one of {list(TIME_UNITS)}, got {time.unit!r}")

    for i, fee in enumerate(p.fees):
        if not _is_int(fee.amount_vnd) or fee.amount_vnd < 0:
            problems.append(f"fees[{i}].amount_vnd must be a non-negative integer, got {fee.amount_vnd!r}")
        if not fee.description_vi.strip() or not fee.description_en.strip():
            problems.append(f"fees[{i}] needs a description in both languages")

    if not p.legal_basis or not all(b.strip() for b in p.legal_basis):
        problems.append("legal_basis must list at least one legal document, none blank")

    if not p.applicant_types:
        problems.append("applicant_types must not be empty")
    for kind in p.applicant_types:
        if kind not in APPLICANT_TYPES:
            problems.append(f"applicant type {kind!r} is not one of {list(APPLICANT_TYPES)}")
    if len(set(p.applicant_types)) != len(p.applicant_types):
        problems.append("applicant_types has duplicates")

    problems.extend(_component_problems(p.components))
    return problems


def _is_int(value: object) -> bool:
    # bool is an int subclass; True must not pass for a fee or a size.
    return isinstance(value, int) and not isinstance(value, bool)


def _component_problems(components: tuple[Component, ...]) -> list[str]:
    problems: list[str] = []
    # Reception checks completeness against required components: with none, any empty dossier
    # would be "complete".
    if not any(c.required for c in components):
        problems.append("at least one component must be required")
    seen: set[str] = set()
    for c in components:
        if c.id in seen:
            problems.append(f"component id {c.id!r} is used more than once")
        seen.add(c.id)
        if not _SLUG_RE.match(c.id):
            problems.append(f"component id {c.id!r} must be lowercase words joined by hyphens")
        if not c.name_vi.strip() or not c.name_en.strip():
            problems.append(f"component {c.id!r} needs a name in both languages")
        if not _is_int(c.max_size_bytes) or c.max_size_bytes <= 0:
            problems.append(f"component {c.id!r} max_size_bytes must be a positive integer, "
                            f"got {c.max_size_bytes!r}")
        if not c.accepted_types:
            problems.append(f"component {c.id!r} must accept at least one file type")
        for mime in c.accepted_types:
            if mime not in ACCEPTED_MIME_TYPES:
                problems.append(f"component {c.id!r} accepts {mime!r}, "
                                f"not one of {list(ACCEPTED_MIME_TYPES)}")
    return problems


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
    """The seed catalogue shipped with the code (``chalicelib/data/procedures.json``), parsed."""
    global _seed_cache
    if _seed_cache is None:
        raw = json.loads(SEED_PATH.read_text(encoding="utf-8"))
        if not isinstance(raw, list):
            raise ValueError(f"{SEED_PATH}: expected a JSON list of procedures")
        _seed_cache = tuple(Procedure.from_dict(item) for item in raw)
    # A fresh list each call: callers may sort or filter it in place.
    return list(_seed_cache)
