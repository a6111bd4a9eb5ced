"""Officers' work queues and search: the officer's own agency only, chosen by the token, never by the query."""

from __future__ import annotations

from chalice import Blueprint

from .authorizer import cognito_users
from .http import Problem, json_response, language, page_limit, query_params, view

bp = Blueprint(__name__)

_DATES = ("due_after", "due_before", "received_from", "received_to")
_TEXT = {"status": 40, "procedure": 16, "assignee": 64, "name": 200, "id_number": 20}
_FLAGS = ("overdue", "incoming")
_KNOWN = {*_DATES, *_TEXT, *_FLAGS, "limit", "cursor"}


@bp.route("/desk/dossiers", methods=["GET"], authorizer=cognito_users)
@view
def desk_queue():
    """Every filter narrows the list; one DynamoDB index answers (chalicelib/domain/search.py)."""
    from datetime import UTC, datetime

    from ..domain.calendar import LOCAL_TZ
    from ..domain.errors import FieldError
    from ..domain.search import NothingMatches, UnsupportedFilter, plan
    from ..domain.states import Role
    from ..store.dossiers import DossierStore
    from .auth import authenticate, require
    from .present import dossier_view

    principal = authenticate(bp.current_request)
    require(principal, Role.OFFICER, Role.SPECIALIST, Role.LEADER)
    if not principal.agency_code:
        raise Problem(403, "forbidden", "wrong_agency")
    params = query_params(bp.current_request)
    filters = parse_filters(params)
    today = datetime.now(UTC).astimezone(LOCAL_TZ).date()
    limit = page_limit(params)
    try:
        search = plan(filters, principal, today)
        items, cursor, _ = DossierStore().search(search, limit, params.get("cursor"))
    except UnsupportedFilter as error:
        raise Problem(400, "malformed_request", "bad_query",
                      errors=[FieldError(str(error), "search.not_with_incoming")]) from error
    except NothingMatches:
        items, cursor = [], None
    lang = language(bp.current_request)
    return json_response({"agency_code": principal.agency_code, "filters": _echo(filters),
                          "items": [dossier_view(d, principal, lang) for d in visible(principal, items)],
                          "next_cursor": cursor})


def parse_filters(params: dict):
    """Query parameters to filters, with a per-field error for each bad one (all reported at once)."""
    from datetime import date

    from ..domain.errors import FieldError
    from ..domain.search import DeskFilters
    from ..domain.states import Status

    errors, values = [], {}
    for name in sorted(set(params) - _KNOWN):
        errors.append(FieldError(name, "field.unknown"))
    for name in _DATES:
        if params.get(name) is not None:
            try:
                values[name] = date.fromisoformat(params[name])
            except ValueError:
                errors.append(FieldError(name, "field.date"))
    for name, max_length in _TEXT.items():
        value = (params.get(name) or "").strip()
        if params.get(name) is not None and not value:
            errors.append(FieldError(name, "field.blank"))
        elif len(value) > max_length or not value.isprintable():
            errors.append(FieldError(name, "field.too_long" if len(value) > max_length else "field.invalid",
                                     {"max": max_length}))
        elif value:
            values[name] = value
    for name in _FLAGS:
        if params.get(name) is not None:
            if params[name] not in ("true", "false"):
                errors.append(FieldError(name, "field.choice", {"choices": "true, false"}))
            values[name] = params[name] == "true"
    if values.get("status") and values["status"] not in {s.value for s in Status}:
        errors.append(FieldError("status", "field.choice", {"choices": ", ".join(s.value for s in Status)}))
    for low, high in (("due_after", "due_before"), ("received_from", "received_to")):
        if values.get(low) and values.get(high) and values[low] > values[high]:
            errors.append(FieldError(high, "search.range_reversed", {"from": values[low].isoformat()}))
    if errors:
        raise Problem(400, "malformed_request", "bad_query", errors=errors)
    return DeskFilters(**values)


def _echo(filters) -> dict:
    from dataclasses import asdict

    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in asdict(filters).items()
            if v not in (None, False)}


def visible(principal, dossiers: list) -> list:
    """The plan already keeps to the caller's scope; this is the last word on who sees what."""
    from ..domain.dossier import can_see

    return [d for d in dossiers if can_see(principal, d)]
