"""Documents people can hold: the one-stop forms of a dossier and the agency's register, as files.

Rendering is pure (chalicelib/domain/forms.py, chalicelib/domain/register.py, chalicelib/documents/); this
module finds what they need — the dossier as its caller may see it, the procedure version it is handled
under, the dossiers of a period — and hands back bytes. fpdf2 and openpyxl are imported only here, on first
use: the routes that never render pay nothing for them at cold start.
"""

from __future__ import annotations

from datetime import date

from ..domain.agencies import agency
from ..domain.dossier import Dossier
from ..domain.errors import FieldError, NotFound, ValidationFailed
from ..domain.principal import Principal
from .dossiers import DossierService
from .public_lookup import dossier_lookup_url

# A register is printed for a month or a quarter. Laying out a PDF table takes about 4 ms a row, so a PDF stops
# at 1,000 rows (about 4 s); the Excel file, 20 times faster, takes a year of a busy agency.
REGISTER_MAX_ROWS = {"pdf": 1000, "xlsx": 10000}
# The forms of reception, which the desk that took the dossier in issues: another agency's, for a dossier received
# regardless of administrative boundaries (the competent agency issues the rest).
_RECEPTION_FORMS = frozenset({"receipt", "supplement-request", "refusal"})
_REGISTER_PAGE = 100


def _agency_info(code: str) -> dict:
    found = agency(code)
    if found is None:
        return {"code": code, "name_vi": code}
    return {"code": found.code, "name_vi": found.name_vi, "name_en": found.name_en, "email": found.desk_email}


def form_pdf(principal: Principal, dossier_id: str, form: str) -> tuple[bytes, str, Dossier]:
    """The PDF of one form of a dossier the caller may see, its file name and the dossier; NotFound when the
    dossier has no such form (yet)."""
    from ..documents.pdf import render_form
    from ..domain.forms import FormNotAvailable, UnknownForm, form_view

    service = DossierService()
    dossier = service.visible(principal, dossier_id)
    try:
        issuer = dossier.receiving_agency if form in _RECEPTION_FORMS and dossier.receiving_agency else None
        view = form_view(form, dossier, service._procedure_of(dossier), lookup_url=dossier_lookup_url(dossier.code),
                         agency=_agency_info(issuer or dossier.agency_code))
    except (FormNotAvailable, UnknownForm) as missing:
        raise NotFound("form_not_found") from missing
    return render_form(view), f"{dossier.code}-{form}.pdf", dossier


def register_file(principal: Principal, first: date, last: date, fmt: str, today: date) -> tuple[bytes, str]:
    """The register of the caller's agency for dossiers received from `first` to `last`, as `fmt` (pdf, xlsx): bytes
    and file name. Read through the agency's receipt index, page by page: the cost follows the period's dossiers,
    never the table's."""
    from ..domain.register import register_rows
    from ..domain.search import DeskFilters, NothingMatches, plan
    from ..store.dossiers import DossierStore

    store, dossiers, cursor = DossierStore(), [], None
    try:
        search = plan(DeskFilters(received_from=first, received_to=last), principal, today)
    except NothingMatches:
        search = None
    while search is not None:
        found, cursor, _ = store.search(search, _REGISTER_PAGE, cursor)
        dossiers += found
        if len(dossiers) > REGISTER_MAX_ROWS[fmt]:
            raise ValidationFailed([FieldError("from", "register.too_many_dossiers",
                                               {"max": REGISTER_MAX_ROWS[fmt], "format": fmt})])
        if cursor is None:
            break
    dossiers.sort(key=lambda d: (d.received_at, d.code))
    info = _agency_info(principal.agency_code or "")
    rows = register_rows(dossiers, today=today)
    period = f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"
    name = f"so-theo-doi-ho-so-{info['code']}-{first:%Y%m%d}-{last:%Y%m%d}"
    if fmt == "xlsx":
        from ..documents.register import register_xlsx

        return register_xlsx(info["name_vi"], period, rows), name + ".xlsx"
    from ..documents.register import register_pdf

    return register_pdf(info["name_vi"], period, rows), name + ".pdf"


def form_links(dossier) -> list[dict]:
    """The forms the dossier has so far, for its JSON view."""
    from ..domain.forms import available_forms, form_heading

    links = []
    for slug in available_forms(dossier):
        number, title = form_heading(slug, dossier)  # the edition the PDF itself carries
        links.append({"form": slug, "number": number, "title": title,
                      "href": f"/dossiers/{dossier.id}/forms/{slug}.pdf"})
    return links
