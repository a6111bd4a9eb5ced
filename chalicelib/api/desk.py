"""The one-stop desk's work queue: the officer's own agency only, chosen by the token, never by the query."""

from __future__ import annotations

from chalice import Blueprint

from .authorizer import cognito_users
from .http import Problem, json_response, language, page_limit, query_params, view

bp = Blueprint(__name__)


@bp.route("/desk/dossiers", methods=["GET"], authorizer=cognito_users)
@view
def desk_queue():
    from ..domain.errors import FieldError
    from ..domain.states import Role, Status
    from ..store.dossiers import DossierStore
    from .auth import authenticate, require
    from .present import dossier_view

    principal = authenticate(bp.current_request)
    require(principal, Role.OFFICER, Role.SPECIALIST, Role.LEADER)
    if not principal.agency_code:
        raise Problem(403, "forbidden", "wrong_agency")
    params = query_params(bp.current_request)
    if params.get("overdue") is not None:
        return _late_queue(principal, params)
    status = params.get("status")
    if status is not None and status not in {s.value for s in Status}:
        raise Problem(400, "malformed_request", "bad_query", errors=[
            FieldError("status", "field.choice", {"choices": ", ".join(s.value for s in Status)})])
    items, cursor = DossierStore().list_by_agency(principal.agency_code, status, page_limit(params),
                                                  params.get("cursor"))
    lang = language(bp.current_request)
    return json_response({"agency_code": principal.agency_code, "status": status,
                          "items": [dossier_view(d, principal, lang) for d in visible(principal, items)],
                          "next_cursor": cursor})


def _late_queue(principal, params: dict):
    """The agency's open dossiers past their appointment date, most overdue first."""
    from datetime import UTC, datetime, timedelta

    from ..domain.calendar import LOCAL_TZ
    from ..domain.errors import FieldError
    from ..store.dossiers import DossierStore
    from .present import dossier_view

    if params["overdue"] != "true":
        raise Problem(400, "malformed_request", "bad_query",
                      errors=[FieldError("overdue", "field.choice", {"choices": "true"})])
    yesterday = datetime.now(UTC).astimezone(LOCAL_TZ).date() - timedelta(days=1)
    items, cursor = DossierStore().open_due_by(principal.agency_code, yesterday, page_limit(params),
                                               params.get("cursor"))
    lang = language(bp.current_request)
    return json_response({"agency_code": principal.agency_code, "overdue": True,
                          "items": [dossier_view(d, principal, lang) for d in visible(principal, items)],
                          "next_cursor": cursor})


def visible(principal, dossiers: list) -> list:
    """Leaders and specialists list only what reached their unit or was assigned to them (the agency
    partition is read, then narrowed: a page may come back shorter than `limit`, its cursor still valid)."""
    from ..domain.dossier import can_see

    return [d for d in dossiers if can_see(principal, d)]
