"""The procedure catalogue: every published version, kept forever.

The catalogue is small (hundreds of procedures), read on most requests and changed rarely, so
the list is read from one index partition and cached per container for a short time. A stored
version is validated by the domain's model when read, once per container: published versions never change.
"""

from __future__ import annotations

import threading
import time
from datetime import date

from pynamodb.exceptions import PutError

from ..domain.errors import Conflict
from ..domain.procedures import Procedure, effective_version
from .models import ProcedureModel, bind

CACHE_SECONDS = 60.0
_cache: dict[tuple, tuple[float, list[Procedure]]] = {}
_versions: dict[tuple, Procedure] = {}
_by_code: dict[tuple, tuple[float, list[Procedure]]] = {}
_parsed: dict[tuple, Procedure] = {}
_lock = threading.Lock()


def _model(procedure: Procedure, published_at: str, published_by: str) -> ProcedureModel:
    return ProcedureModel(code=procedure.code, version=procedure.version, catalogue="ALL",
                          code_version=f"{procedure.code}#{procedure.version:06d}",
                          effective_date=procedure.effective_date.isoformat(), published_at=published_at,
                          published_by=published_by, doc=procedure.to_dict())


def _procedure(model: ProcedureModel) -> Procedure:
    # Keyed on the publication too, not the version alone: a table made anew (tests, a fresh local stack) may hold
    # another definition under the same code and version.
    key = (model.code, model.version, model.published_at, model.published_by)
    found = _parsed.get(key)
    if found is None:
        found = _parsed[key] = Procedure.model_validate(model.doc.as_dict())
    return found


class ProcedureStore:
    def __init__(self) -> None:
        self._settings = bind()

    def publish(self, procedure: Procedure, published_at: str, published_by: str) -> None:
        try:
            _model(procedure, published_at, published_by).save(
                condition=ProcedureModel.code.does_not_exist() & ProcedureModel.version.does_not_exist())
        except PutError as error:
            if "ConditionalCheckFailed" in str(error):
                raise Conflict("version_exists") from error
            raise
        _cache.clear()
        _by_code.clear()

    def versions(self, code: str) -> list[Procedure]:
        return [_procedure(m) for m in ProcedureModel.query(code, consistent_read=True)]

    def version(self, code: str, version: int) -> Procedure | None:
        """A published version never changes, so once read it is kept for the container's life."""
        key = (self._settings.cache_key, code, version)
        found = _versions.get(key)
        if found is None:
            found = next((p for p in self.versions(code) if p.version == version), None)
            if found is not None:
                _versions[key] = found
        return found

    def effective(self, code: str, on: date) -> Procedure | None:
        """Read on every upload and submission: a procedure's versions are kept per container for
        CACHE_SECONDS (a new version is published ahead of its effective date, so a minute's delay in
        another container changes nothing)."""
        key = (self._settings.cache_key, code)
        with _lock:
            cached = _by_code.get(key)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return effective_version(cached[1], on)
        versions = self.versions(code)
        with _lock:
            _by_code[key] = (time.monotonic(), versions)
        return effective_version(versions, on)

    def all_versions(self) -> list[Procedure]:
        key = self._settings.cache_key
        with _lock:
            cached = _cache.get(key)
            if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
                return cached[1]
        procedures = [_procedure(m) for m in ProcedureModel.catalogue_index.query("ALL")]
        with _lock:
            _cache[key] = (time.monotonic(), procedures)
        return procedures

    def catalogue(self, on: date) -> list[Procedure]:
        """The version of each procedure in effect on `on`, ordered by code."""
        by_code: dict[str, list[Procedure]] = {}
        for procedure in self.all_versions():
            by_code.setdefault(procedure.code, []).append(procedure)
        current = (effective_version(versions, on) for versions in by_code.values())
        return sorted((p for p in current if p is not None), key=lambda p: p.code)
