"""The public procedure catalogue, and publication of new versions by administrators."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from chalice import Blueprint

from .contract import operation, queries, requests, responses
from .http import Problem, json_response

bp = Blueprint(__name__)
TAG = "Catalogue"


def _today():
    from ..domain.calendar import LOCAL_TZ

    return datetime.now(UTC).astimezone(LOCAL_TZ).date()


def _cursor_code(cursor: str | None) -> str:
    if not cursor:
        return ""
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise Problem(400, "malformed_request", "bad_cursor") from error


@operation(bp, "GET", "/procedures", summary="The public catalogue of procedures in effect today", tag=TAG, auth=False,
           query=queries.ListProcedures, response=responses.ProcedurePage)
def list_procedures(query):
    from ..domain.identity import normalise_text_for_search
    from ..store.procedures import ProcedureStore

    limit = query.limit
    text = normalise_text_for_search(query.q or "")
    after = _cursor_code(query.cursor)
    matches = []
    for procedure in ProcedureStore().catalogue(_today()):
        if query.field and procedure.field_code != query.field:
            continue
        if query.agency and procedure.agency_code != query.agency:
            continue
        if query.online_level and procedure.online_level.value != query.online_level:
            continue
        if query.reception_anywhere is not None and procedure.reception_anywhere != query.reception_anywhere:
            continue
        if text and text not in normalise_text_for_search(
                f"{procedure.code} {procedure.name_vi} {procedure.name_en} {procedure.field_vi}"):
            continue
        if procedure.code > after:
            matches.append(procedure)
    page = matches[:limit]
    more = len(matches) > limit
    cursor = base64.urlsafe_b64encode(page[-1].code.encode()).decode().rstrip("=") if more else None
    return json_response({"items": [p.to_dict() for p in page], "next_cursor": cursor})


@operation(bp, "GET", "/procedures/{code}", summary="One procedure: the version in effect, or a given version",
           tag=TAG, auth=False, query=queries.GetProcedure, response=responses.Procedure)
def get_procedure(code, query):
    from ..domain.errors import NotFound
    from ..store.procedures import ProcedureStore

    if len(code) > 16:
        raise NotFound("procedure_not_found")
    store = ProcedureStore()
    found = store.version(code, query.version) if query.version else store.effective(code, _today())
    if found is None:
        raise NotFound("procedure_not_found")
    return json_response(found.to_dict())


@operation(bp, "POST", "/procedures", summary="Publish a new version of a procedure", tag=TAG,
           body=requests.PublishProcedure, response=responses.Procedure, status=201, problems=(409,),
           response_headers=("Location",), roles=("admin",))
def publish_procedure(body):
    from ..domain.procedures import Procedure
    from ..domain.states import Role
    from ..domain.times import iso
    from ..store.procedures import ProcedureStore
    from .auth import authenticate, require

    principal = authenticate(bp.current_request)
    require(principal, Role.ADMIN)
    request = body  # PublishProcedure: the definition, already held to every rule of a procedure
    store = ProcedureStore()
    previous = max(store.versions(request.code), key=lambda p: p.version, default=None)
    procedure = Procedure.model_validate({
        **request.model_dump(exclude={"code_source"}),
        "version": previous.version + 1 if previous else 1,
        "code_source": request.code_source or (previous.code_source if previous else "assumed"),
    })
    store.publish(procedure, iso(datetime.now(UTC)), principal.id)
    location = f"/procedures/{procedure.code}?version={procedure.version}"
    return json_response(procedure.to_dict(), 201, {"Location": location})


@operation(bp, "GET", "/agencies", summary="Agencies and their competent units", tag=TAG, auth=False,
           response=responses.AgencyList)
def list_agencies():
    """The agencies and their competent units: where a dossier can be transferred or sent (liên thông)."""
    from ..domain.agencies import all_agencies

    return json_response({"items": [
        {"code": a.code, "name_vi": a.name_vi, "name_en": a.name_en,
         "units": [{"id": u.id, "name_vi": u.name_vi, "name_en": u.name_en} for u in a.units]}
        for a in all_agencies()]})
