"""Citizen and officer routes for dossiers (heavy imports happen inside the handlers: cold start)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice import Blueprint

from ..domain.actions import BY_ACTION, ActionSpec, http_actions
from ..domain.states import Action
from .contract import operation, queries, requests, responses
from .http import Problem, json_body, json_response, language

bp = Blueprint(__name__)
TAG, ACTIONS_TAG = "Dossiers", "Dossier actions"
_IDEMPOTENCY_KEY_MAX = 128


def _now() -> datetime:
    return datetime.now(UTC)


def _caller():
    from .auth import authenticate

    return authenticate(bp.current_request)


def _home_or_owner(principal, dossier) -> None:
    """Messages and result documents stay with the applicant and the agency handling the dossier: an
    agency that only did an inter-agency part sees the dossier, not these."""
    from ..domain.access import home_staff
    from ..domain.errors import Forbidden

    if principal.id != dossier.owner_id and not home_staff(principal, dossier):
        raise Forbidden("wrong_agency")


def _recorded(principal, dossier, file_id: str | None = None) -> None:
    """A read of the dossier by anyone but its applicant goes into its access log (chalicelib/api/access_log.py)."""
    from .access_log import record

    record(bp.current_request, principal, dossier, file_id)


def _respond(dossier, principal, status: int = 200, headers: dict | None = None):
    from .present import dossier_view, etag

    return json_response(dossier_view(dossier, principal, language(bp.current_request)), status,
                         {"ETag": etag(dossier), **(headers or {})})


_SUBMIT = BY_ACTION[Action.SUBMIT]


@operation(bp, _SUBMIT.method, _SUBMIT.path, summary=_SUBMIT.summary, tag=TAG, body=_SUBMIT.request,
           response=responses.Dossier, status=201, problems=(409,), headers=("Idempotency-Key",),
           response_headers=("Location", "ETag", "Idempotent-Replayed"), roles=("citizen", "officer"))
def submit_dossier(body):
    """Online by the applicant, or at the desk by an officer for a walk-in applicant (channel 1). Answers
    at once with the national dossier code; a retry with the same Idempotency-Key returns the same dossier."""
    from ..domain.states import Role
    from ..services.dossiers import DossierService
    from .auth import require

    principal = _caller()
    require(principal, Role.CITIZEN, Role.OFFICER)  # an officer: a dossier brought to the desk (channel 1)
    key = (bp.current_request.headers or {}).get("idempotency-key", "").strip()
    if not key or len(key) > _IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise Problem(400, "malformed_request", "idempotency_key_required")
    # The idempotency hash is of what the client sent, before defaults were filled in.
    dossier, replayed = DossierService().submit(principal, body, json_body(bp.current_request), key, _now())
    headers = {"Location": f"/dossiers/{dossier.id}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return _respond(dossier, principal, 201, headers)


@operation(bp, "GET", "/dossiers", summary="My dossiers, newest first", tag=TAG, query=queries.Page,
           response=responses.DossierPage)
def list_my_dossiers(query):
    from ..store.dossiers import DossierStore
    from .present import dossier_view

    principal = _caller()
    items, cursor = DossierStore().list_by_owner(principal.id, query.limit, query.cursor)
    lang = language(bp.current_request)
    return json_response({"items": [dossier_view(d, principal, lang) for d in items], "next_cursor": cursor})


@operation(bp, "GET", "/dossiers/{dossier_id}", summary="One dossier, with the caller's next actions", tag=TAG,
           response=responses.Dossier, response_headers=("ETag",))
def get_dossier(dossier_id):
    from ..domain.access import home_staff
    from ..services.dossiers import DossierService
    from .present import dossier_view, etag, portal_sync_view

    principal = _caller()
    dossier = DossierService().visible(principal, dossier_id)
    data = dossier_view(dossier, principal, language(bp.current_request))
    if home_staff(principal, dossier):  # one read more, for the people who would act on a dossier the portal lacks
        data["national_portal_sync"] = portal_sync_view(dossier)
    _recorded(principal, dossier)
    return json_response(data, 200, {"ETag": etag(dossier)})


@operation(bp, "GET", "/dossiers/{dossier_id}/history", summary="Every event of the dossier, with actor and time",
           tag=TAG, response=responses.History)
def dossier_history(dossier_id):
    from ..services.dossiers import DossierService
    from .present import for_caller

    principal = _caller()
    dossier, events = DossierService().history(principal, dossier_id)
    _recorded(principal, dossier)
    return json_response({"dossier_id": dossier.id, "events": for_caller(events, principal)})


@operation(bp, "GET", "/dossiers/{dossier_id}/notifications", summary="What was sent about the dossier, to whom, when",
           tag=TAG, response=responses.NotificationList)
def dossier_notifications(dossier_id):
    from ..domain.states import Role
    from ..services.dossiers import DossierService
    from ..store.notifications import STAFF_CHANNEL, NotificationStore

    principal = _caller()
    dossier = DossierService().visible(principal, dossier_id)
    _home_or_owner(principal, dossier)
    items = NotificationStore().for_dossier(dossier_id)
    if principal.id == dossier.owner_id or not principal.has(Role.OFFICER, Role.LEADER, Role.SPECIALIST, Role.ADMIN):
        items = [n for n in items if n["channel"] != STAFF_CHANNEL]  # the agency's internal mail stays internal
    _recorded(principal, dossier)
    return json_response({"dossier_id": dossier_id, "items": items})


@operation(bp, "GET", "/dossiers/{dossier_id}/control-slip", summary="The control slip (form 06)", tag=TAG,
           response=responses.ControlSlip)
def control_slip(dossier_id):
    """The control slip (form 06; its PDF: GET /dossiers/{id}/forms/control-slip.pdf): every hand-over, from
    whom to whom, when, its due date, on time or late."""
    from ..services.dossiers import DossierService
    from .present import for_caller

    principal = _caller()
    dossier = DossierService().visible(principal, dossier_id)
    _recorded(principal, dossier)
    from ..domain.forms import CONTROL_SLIP, form_heading

    return json_response({"form": form_heading(CONTROL_SLIP, dossier)[0], "dossier_id": dossier.id,
                          "code": dossier.code, "due_date": dossier.due_date.isoformat() if dossier.due_date else None,
                          "steps": for_caller(dossier.control_slip, principal)})


@operation(bp, "POST", "/dossiers/{dossier_id}/results/uploads", summary="Upload a result document", tag=TAG,
           body=requests.ResultUpload, response=responses.UploadTicket, status=201, problems=(409,),
           roles=("officer", "specialist", "leader"))
def create_result_upload(dossier_id, body):
    """Staff upload a result document (presigned POST), then verify it with POST /uploads/{id}/complete."""
    from ..domain.access import authorise, check_scope
    from ..domain.states import Action
    from ..services import uploads
    from ..services.dossiers import DossierService

    principal = _caller()
    dossier = DossierService().visible(principal, dossier_id)
    check_scope(principal, dossier, authorise(principal, dossier.status, Action.ISSUE_RESULT, dossier))
    return json_response(uploads.create_result_upload(principal, dossier, body, _now()), 201)


@operation(bp, "GET", "/dossiers/{dossier_id}/files/{upload_id}", summary="A short-lived link to a submitted file",
           tag=TAG, response=responses.ResultLink)
def download_submitted_file(dossier_id, upload_id):
    """A short-lived link to one file the applicant submitted (or added in a supplement), the exact version that
    was verified: for the applicant and the staff of the agency handling the dossier, who check the papers."""
    from ..services import uploads
    from ..services.dossiers import DossierService

    principal = _caller()
    dossier = DossierService().visible(principal, dossier_id)
    _home_or_owner(principal, dossier)
    link = uploads.submitted_file_download(dossier, upload_id)
    _recorded(principal, dossier, upload_id)
    return json_response(link)


@operation(bp, "GET", "/dossiers/{dossier_id}/results/{upload_id}", summary="A short-lived link to a result document",
           tag=TAG, response=responses.ResultLink)
def download_result(dossier_id, upload_id):
    """A short-lived link to a result document: staff who can see the dossier; the applicant once returned."""
    from ..domain.states import Status
    from ..services import uploads
    from ..services.dossiers import DossierService

    principal = _caller()
    dossier = DossierService().visible(principal, dossier_id)
    _home_or_owner(principal, dossier)
    if principal.id == dossier.owner_id and dossier.status != Status.RETURNED:
        raise Problem(403, "forbidden", "result_not_available")
    link = uploads.result_download(dossier, upload_id)
    _recorded(principal, dossier, upload_id)
    return json_response(link)


def _register(spec: ActionSpec) -> None:
    """One route per action of the registry: parse, authorise and act in the service, answer the dossier."""

    def take_action(dossier_id, body):
        from ..services.dossiers import DossierService
        from .present import expected_version

        principal = _caller()
        dossier = DossierService().take(principal, dossier_id, spec.action, body, _now(),
                                        expected_version(bp.current_request.headers))
        return _respond(dossier, principal)

    take_action.__name__ = spec.action.value
    operation(bp, spec.method, spec.path, summary=spec.summary, tag=ACTIONS_TAG, body=spec.request,
              response=responses.Dossier, problems=(409,), headers=("If-Match",), response_headers=("ETag",),
              roles=tuple(sorted(role.value for role in spec.roles)))(take_action)


for _spec in http_actions():
    _register(_spec)
