"""What anyone holding a dossier code may see of it: its progress, never who the applicant is.

The public lookup (`GET /public/dossiers/{code}`) answers without sign-in, so it is built from a
fixed list of non-personal facts rather than by removing personal ones from the full dossier: a
field added to the dossier later stays private until someone decides to publish it here.
"""

from __future__ import annotations

import unicodedata

from .agencies import agency
from .dossier import Dossier
from .procedures import Procedure
from .search import applicant_name
from .states import STATUSES, Status
from .times import iso

LOOKUP_PATH = "/public/dossiers/{code}"


def _letters(word: str) -> list[str]:
    """A letter with its combining marks counts once, so "Văn" is three letters in either normal form."""
    letters: list[str] = []
    for char in word:
        if letters and unicodedata.combining(char):
            letters[-1] += char
        else:
            letters.append(char)
    return letters


def _mask_word(word: str) -> str:
    letters = _letters(word)
    return letters[0] + "*" * (len(letters) - 1)


def mask_name(name: str) -> str:
    """The national portal's mask: "Nguyễn Văn An" -> "Nguyễn V** A*".

    The first word (a Vietnamese family name, shared by millions) stays; every other word keeps its
    first letter and one `*` per remaining letter. A one-word name is masked too: kept whole it
    would be the applicant's entire name. Business names are masked the same way.
    """
    words = unicodedata.normalize("NFC", name or "").split()
    if not words:
        return ""
    if len(words) == 1:
        return _mask_word(words[0])
    return " ".join([words[0], *(_mask_word(word) for word in words[1:])])


def _returned_at(dossier: Dossier) -> str | None:
    """When the result reached the applicant: the hand-over, or the recorded delivery of a posted one."""
    if dossier.status != Status.RETURNED or not dossier.returned:
        return None
    return (dossier.returned.get("delivered") or dossier.returned).get("at")


def public_view(dossier: Dossier, procedure: Procedure | None, lang: str) -> dict:
    """The lookup's answer. `procedure` is the version the dossier was submitted under (None if unknown)."""
    info = STATUSES[dossier.status]
    home = agency(dossier.agency_code)
    if procedure is not None:
        agency_names = (procedure.agency_name_vi, procedure.agency_name_en)
    else:
        agency_names = (home.name_vi, home.name_en) if home else (dossier.agency_code, dossier.agency_code)
    return {
        "code": dossier.code,
        "procedure": {"code": dossier.procedure_code,
                      "name_vi": procedure.name_vi if procedure else dossier.procedure_code,
                      "name_en": procedure.name_en if procedure else dossier.procedure_code},
        "agency": {"code": dossier.agency_code, "name_vi": agency_names[0], "name_en": agency_names[1]},
        "national_status": info.national_status,
        "status_name": info.name_en if lang == "en" else info.name_vi,
        "submitted_at": iso(dossier.submitted_at),
        "received_at": iso(dossier.received_at),
        "appointment_date": dossier.due_date.isoformat() if dossier.due_date else None,
        "returned_at": _returned_at(dossier),
        "applicant_name": mask_name(applicant_name(dossier.applicant)),
    }


def lookup_url(code: str, base_url: str | None = None) -> str:
    """Where the applicant follows a dossier. `base_url` is the public address the lookup is served
    under (e.g. https://api.dichvucong.example.vn); a base containing `{code}` is a whole address of
    its own (a web page, e.g. https://dichvucong.example.vn/tra-cuu?ma={code}). Without one, the
    API's own path."""
    base = (base_url or "").strip()
    if "{code}" in base:
        return base.replace("{code}", code)
    return base.rstrip("/") + LOOKUP_PATH.format(code=code)
