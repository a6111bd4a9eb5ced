"""The access log over HTTP: a dossier's log for its applicant and the handling agency, one staff member's reads for
an administrator, and the helper the reading routes call to be recorded (heavy imports inside: cold start)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalice import Blueprint

from .contract import operation, queries, responses
from .http import json_response, language

bp = Blueprint(__name__)


def record(request: Any, principal: Any, dossier: Any, file_id: str | None = None) -> None:
    """Record this read of `dossier` (nothing for its applicant): the route is the request's template, e.g.
    `GET /dossiers/{dossier_id}/files/{upload_id}`, as API Gateway and `chalice local` both give it."""
    from ..services.access_log import record_read

    record_read(principal, dossier, request.method, request.path, datetime.now(UTC), file_id)


@operation(bp, "GET", "/dossiers/{dossier_id}/access-log", summary="Who read the dossier, when and why", tag="Dossiers",
           query=queries.Page, response=responses.AccessLogPage)
def dossier_access_log(dossier_id, query):
    """Every time someone other than the applicant opened the dossier (its record, history, control slip, messages
    or forms) or downloaded one of its files, newest first: for the applicant, and for staff of the agency
    handling it. The applicant sees staff by name, title or role and agency; never their account ids or usernames."""
    from ..domain.access import home_staff
    from ..domain.errors import Forbidden
    from ..services.access_log import dossier_log
    from ..services.dossiers import DossierService
    from .auth import authenticate
    from .present import sees_staff_ids

    principal = authenticate(bp.current_request)
    dossier = DossierService().visible(principal, dossier_id)
    if principal.id != dossier.owner_id and not home_staff(principal, dossier):
        raise Forbidden("wrong_agency")  # an agency doing an inter-agency part reads the dossier, not its log
    items, cursor = dossier_log(dossier, not sees_staff_ids(principal), language(bp.current_request), query.limit,
                                query.cursor)
    return json_response({"dossier_id": dossier.id, "items": items, "next_cursor": cursor})


@operation(bp, "GET", "/admin/access-log", summary="One staff member's reads of dossiers", tag="Administration",
           query=queries.StaffReads, response=responses.StaffAccessLog, roles=("admin",))
def staff_access_log(query):
    """What one staff member (`staff`: a username or an account id) opened and downloaded across dossiers, newest
    first, on the local days `from` to `to` (both optional, inclusive). Administrators only."""
    from ..domain.states import Role
    from ..services.access_log import staff_log
    from .auth import authenticate, require

    principal = authenticate(bp.current_request)
    require(principal, Role.ADMIN)
    staff_id = _staff_id(query.staff)
    items, cursor = staff_log(staff_id, query.from_, query.to, language(bp.current_request), query.limit,
                              query.cursor)
    return json_response({"staff": query.staff, "staff_id": staff_id, "items": items, "next_cursor": cursor})


def _staff_id(staff: str) -> str:
    """The account id of a username in the directory; anything the directory does not know is taken as an account
    id (someone who has left keeps their entries under it)."""
    from ..adapters.directory import staff_member

    member = staff_member(staff)
    return member["id"] if member and member.get("id") else staff
