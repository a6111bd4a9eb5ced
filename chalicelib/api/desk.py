"""Officers' work queues and search: the officer's own agency only, chosen by the token, never by the query."""

from __future__ import annotations

from chalice import Blueprint

from .contract import operation, parse_query, queries, responses
from .http import Problem, json_response, language

bp = Blueprint(__name__)


@operation(bp, "GET", "/desk/dossiers", summary="Officers' work queue and search", tag="Desk",
           query=queries.DeskSearch, response=responses.DeskQueue, roles=("officer", "specialist", "leader"))
def desk_queue(query):
    """Every filter narrows the list; one DynamoDB index answers (chalicelib/domain/search.py). Only the
    officer's own agency (and unit, for leaders and specialists), chosen by the token, never by the query."""
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
    filters = filters_of(query)
    today = datetime.now(UTC).astimezone(LOCAL_TZ).date()
    try:
        search = plan(filters, principal, today)
        if search.by_code:  # one dossier at most: no page, no cursor
            found = DossierStore().find_by_code(search.partition, search.filters)
            items, cursor = [found] if found else [], None
        else:
            items, cursor, _ = DossierStore().search(search, query.limit, query.cursor)
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
    from .queries import DeskSearch

    return filters_of(parse_query(DeskSearch, params))


def filters_of(query):
    """The search's filters (the query model has checked each, and the ranges: `cross_field_errors`)."""
    from ..domain.search import DeskFilters

    values = query.model_dump(exclude={"limit", "cursor"}, exclude_none=True)
    if "status" in values:
        values["status"] = values["status"].value
    return DeskFilters(**values)


def _echo(filters) -> dict:
    from dataclasses import asdict

    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in asdict(filters).items()
            if v not in (None, False)}


def visible(principal, dossiers: list) -> list:
    """The plan already keeps to the caller's scope; this is the last word on who sees what."""
    from ..domain.access import can_see

    return [d for d in dossiers if can_see(principal, d)]
