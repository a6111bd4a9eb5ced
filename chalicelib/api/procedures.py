"""The public procedure catalogue, and publication of new versions by administrators."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from chalice import Blueprint

from .authorizer import cognito_users
from .http import Problem, json_body, json_response, page_limit, query_params, view

bp = Blueprint(__name__)
_FILTERS = ("field", "agency", "q", "online_level")


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


@bp.route("/procedures", methods=["GET"])
@view
def list_procedures():
    from ..domain.identity import normalise_text_for_search
    from ..store.procedures import ProcedureStore

    params = query_params(bp.current_request)
    limit = page_limit(params)
    unknown = set(params) - {*_FILTERS, "limit", "cursor"}
    if unknown:
        from ..domain.errors import FieldError

        raise Problem(400, "malformed_request", "bad_query",
                      errors=[FieldError(name, "field.unknown") for name in sorted(unknown)])
    text = normalise_text_for_search(params.get("q", ""))
    after = _cursor_code(params.get("cursor"))
    matches = []
    for procedure in ProcedureStore().catalogue(_today()):
        if params.get("field") and procedure.field_code != params["field"]:
            continue
        if params.get("agency") and procedure.agency_code != params["agency"]:
            continue
        if params.get("online_level") and procedure.online_level.value != params["online_level"]:
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


@bp.route("/procedures/{code}", methods=["GET"])
@view
def get_procedure(code):
    from ..domain.errors import NotFound
    from ..store.procedures import ProcedureStore

    params = query_params(bp.current_request)
    store = ProcedureStore()
    version = params.get("version")
    if version is not None and not version.isdigit():
        raise Problem(400, "malformed_request", "bad_query")
    found = store.version(code, int(version)) if version else store.effective(code, _today())
    if found is None or len(code) > 16:
        raise NotFound("procedure_not_found")
    return json_response(found.to_dict())


@bp.route("/procedures", methods=["POST"], authorizer=cognito_users)
@view
def publish_procedure():
    from ..domain.dossier import iso
    from ..domain.errors import FieldError, ValidationFailed
    from ..domain.procedures import Procedure, validate_procedure
    from ..domain.states import Role
    from ..store.procedures import ProcedureStore
    from .auth import authenticate, require
    from .schemas import PublishProcedure, parse

    principal = authenticate(bp.current_request)
    require(principal, Role.ADMIN)
    request = parse(PublishProcedure, json_body(bp.current_request))
    store = ProcedureStore()
    previous = max(store.versions(request.code), key=lambda p: p.version, default=None)
    data = request.model_dump(mode="json")
    data["version"] = previous.version + 1 if previous else 1
    data["code_source"] = data["code_source"] or (previous.code_source if previous else "assumed")
    procedure = Procedure.from_dict(data)
    problems = validate_procedure(procedure)
    if problems:
        raise ValidationFailed([FieldError("body", "procedure.invalid", {"problem": p}) for p in problems])
    store.publish(procedure, iso(datetime.now(UTC)), principal.id)
    location = f"/procedures/{procedure.code}?version={procedure.version}"
    return json_response(procedure.to_dict(), 201, {"Location": location})


@bp.route("/agencies", methods=["GET"])
@view
def list_agencies():
    """The agencies and their competent units: where a dossier can be transferred or sent (liên thông)."""
    from ..domain.agencies import all_agencies

    return json_response({"items": [
        {"code": a.code, "name_vi": a.name_vi, "name_en": a.name_en,
         "units": [{"id": u.id, "name_vi": u.name_vi, "name_en": u.name_en} for u in a.units]}
        for a in all_agencies()]})
