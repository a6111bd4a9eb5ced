"""The public lookup by dossier code: what the receipt and the messages point the applicant to."""

from __future__ import annotations

from ..domain.codes import parse_dossier_code
from ..domain.errors import NotFound
from ..domain.public_view import lookup_url, public_view
from ..settings import get_settings
from ..store.dossiers import DossierStore
from ..store.procedures import ProcedureStore

MAX_CODE_LENGTH = 64  # an agency code, a date and a sequence: far below this


def dossier_lookup_url(code: str) -> str:
    """The address the receipt and the messages give (`PUBLIC_BASE_URL`; unset: the API's own path)."""
    return lookup_url(code, get_settings().public_base_url)


def look_up(code: str, lang: str) -> dict:
    """The public view of the dossier with this code. A malformed code is answered like an unknown one
    (and without a read): the lookup tells a stranger nothing about which codes exist."""
    code = code.strip().upper()
    if len(code) > MAX_CODE_LENGTH or parse_dossier_code(code) is None:
        raise NotFound("dossier_not_found")
    dossier = DossierStore().find_by_code(code)
    if dossier is None:
        raise NotFound("dossier_not_found")
    procedure = ProcedureStore().version(dossier.procedure_code, dossier.procedure_version)
    return public_view(dossier, procedure, lang)
