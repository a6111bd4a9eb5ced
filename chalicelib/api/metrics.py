"""Service-quality metrics: the public scorecard and the officers' indicator tables, as JSON, CSV or Excel."""

from __future__ import annotations

from chalice import Blueprint, Response

from .contract import operation, queries, responses
from .http import Problem, file_response, json_response, language

bp = Blueprint(__name__)
TAG = "Service quality"
_EXPORTS = ("application/json", "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _common(query, agency_code: str | None):
    """The agency, the period and the format to answer in; the query model has already checked each value.
    An admin without an agency of their own must name one."""
    from ..domain.errors import FieldError
    from ..domain.periods import parse_period
    from ..services.metrics import local_today
    from .exports import wanted_format

    if not agency_code:
        raise Problem(400, "malformed_request", "bad_query", errors=[FieldError("agency", "field.required")])
    period = parse_period(query.period or "rolling-30d", local_today())
    fmt = wanted_format(query.format, (bp.current_request.headers or {}).get("accept"))
    return agency_code, period, query.rescore, fmt


def _respond(body: dict, fmt: str, tables, filename: str):
    from .exports import CSV, XLSX, to_csv, to_xlsx

    if fmt == "csv":
        return Response(body=to_csv(tables), status_code=200,
                        headers={"Content-Type": CSV, "Content-Disposition": f'attachment; filename="{filename}.csv"'})
    if fmt == "xlsx":
        return file_response(to_xlsx(tables, filename), XLSX, f"{filename}.xlsx",
                             (bp.current_request.headers or {}).get("accept"))
    return json_response(body)


@operation(bp, "GET", "/metrics/scorecard", summary="The service-quality scorecard of an agency (Decision 766)",
           tag=TAG, auth=False, query=queries.Scorecard, response=responses.Scorecard, problems=(406,),
           media_types=_EXPORTS, response_headers=("Content-Disposition",))
def scorecard(query):
    """Public: the national index groups, indicators and the ministry's targets for an agency and period."""
    from ..services.metrics import local_today, read_scorecard
    from .exports import scorecard_tables

    agency, period, rescore, fmt = _common(query, query.agency)
    card = read_scorecard(agency, period, local_today(), rescore)
    return _respond(card, fmt, scorecard_tables(card, language(bp.current_request)),
                    f"scorecard-{agency}-{period.label}")


@operation(bp, "GET", "/metrics/indicators/{indicator_id}", summary="One indicator, in total or per group", tag=TAG,
           query=queries.Indicator, response=responses.IndicatorDetail, problems=(406,), media_types=_EXPORTS,
           response_headers=("Content-Disposition",), roles=("officer", "leader", "specialist", "admin"))
def indicator(indicator_id, query):
    """Staff of the agency (admins: any agency): one indicator in total or per procedure, unit, officer or day."""
    from ..domain.errors import FieldError
    from ..domain.states import Role
    from ..services.metrics import local_today, read_indicator
    from .auth import authenticate, require
    from .exports import indicator_tables

    principal = authenticate(bp.current_request)
    require(principal, Role.OFFICER, Role.LEADER, Role.SPECIALIST, Role.ADMIN)
    agency, period, rescore, fmt = _common(query, query.agency or principal.agency_code)
    if not principal.has(Role.ADMIN) and agency != principal.agency_code:
        raise Problem(403, "forbidden", "wrong_agency")
    group_by, procedure = query.group_by, query.procedure
    errors = []
    if procedure is not None and group_by in ("unit", "officer"):
        errors.append(FieldError("procedure", "metrics.procedure_with_group"))
    if group_by == "day" and period.days > 366:
        errors.append(FieldError("group_by", "metrics.too_many_days"))
    if errors:
        raise Problem(400, "malformed_request", "bad_query", errors=errors)
    detail = read_indicator(agency, indicator_id, period, local_today(), group_by, procedure, rescore)
    if detail is None:
        raise Problem(404, "not_found", "indicator_not_found")
    return _respond(detail, fmt, indicator_tables(detail), f"{indicator_id}-{agency}-{period.label}")
