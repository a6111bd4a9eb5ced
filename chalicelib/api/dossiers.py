"""Citizen and officer routes for dossiers (heavy imports happen inside the handlers: cold start)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice import Blueprint

from .authorizer import cognito_users
from .http import Problem, json_body, json_response, language, page_limit, query_params, view

bp = Blueprint(__name__)
_IDEMPOTENCY_KEY_MAX = 128


def _now() -> datetime:
    return datetime.now(UTC)


def _caller():
    from .auth import authenticate

    return authenticate(bp.current_request)


def _home_or_owner(principal, dossier) -> None:
    """Messages and result documents stay with the applicant and the agency handling the dossier: an
    agency that only did an inter-agency part sees the dossier, not these."""
    from ..domain.dossier import home_staff
    from ..domain.errors import Forbidden

    if principal.id != dossier.owner_id and not home_staff(principal, dossier):
        raise Forbidden("wrong_agency")


def _respond(dossier, principal, status: int = 200, headers: dict | None = None):
    from .present import dossier_view, etag

    return json_response(dossier_view(dossier, principal, language(bp.current_request)), status,
                         {"ETag": etag(dossier), **(headers or {})})


@bp.route("/dossiers", methods=["POST"], authorizer=cognito_users)
@view
def submit_dossier():
    from ..domain.states import Role
    from ..services.dossiers import DossierService
    from .auth import require
    from .schemas import SubmitDossier, parse

    principal = _caller()
    require(principal, Role.CITIZEN, Role.OFFICER)  # an officer: a dossier brought to the desk (channel 1)
    key = (bp.current_request.headers or {}).get("idempotency-key", "").strip()
    if not key or len(key) > _IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise Problem(400, "malformed_request", "idempotency_key_required")
    body = json_body(bp.current_request)
    request = parse(SubmitDossier, body)
    dossier, replayed = DossierService().submit(principal, request, body, key, _now())
    headers = {"Location": f"/dossiers/{dossier.id}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return _respond(dossier, principal, 201, headers)


@bp.route("/dossiers", methods=["GET"], authorizer=cognito_users)
@view
def list_my_dossiers():
    from ..store.dossiers import DossierStore
    from .present import dossier_view

    principal = _caller()
    params = query_params(bp.current_request)
    items, cursor = DossierStore().list_by_owner(principal.id, page_limit(params), params.get("cursor"))
    lang = language(bp.current_request)
    return json_response({"items": [dossier_view(d, principal, lang) for d in items], "next_cursor": cursor})


@bp.route("/dossiers/{dossier_id}", methods=["GET"], authorizer=cognito_users)
@view
def get_dossier(dossier_id):
    from ..services.dossiers import DossierService

    principal = _caller()
    return _respond(DossierService().visible(principal, dossier_id), principal)


@bp.route("/dossiers/{dossier_id}/history", methods=["GET"], authorizer=cognito_users)
@view
def dossier_history(dossier_id):
    from ..services.dossiers import DossierService

    principal = _caller()
    return json_response({"dossier_id": dossier_id, "events": DossierService().history(principal, dossier_id)})


def _act(dossier_id: str, schema_name: str, method_name: str):
    from ..services.dossiers import DossierService
    from . import schemas
    from .present import expected_version

    principal = _caller()
    request = schemas.parse(getattr(schemas, schema_name), json_body(bp.current_request))
    service = DossierService()
    dossier = getattr(service, method_name)(principal, dossier_id, request, _now(),
                                            expected_version(bp.current_request.headers))
    return _respond(dossier, principal)


@bp.route("/dossiers/{dossier_id}/receive", methods=["POST"], authorizer=cognito_users)
@view
def receive_dossier(dossier_id):
    return _act(dossier_id, "Receive", "receive")


@bp.route("/dossiers/{dossier_id}/request-supplement", methods=["POST"], authorizer=cognito_users)
@view
def request_supplement(dossier_id):
    return _act(dossier_id, "RequestSupplement", "request_supplement")


@bp.route("/dossiers/{dossier_id}/refuse", methods=["POST"], authorizer=cognito_users)
@view
def refuse_dossier(dossier_id):
    return _act(dossier_id, "Refuse", "refuse")


@bp.route("/dossiers/{dossier_id}/resubmit", methods=["POST"], authorizer=cognito_users)
@view
def resubmit_dossier(dossier_id):
    return _act(dossier_id, "Resubmit", "resubmit")


@bp.route("/dossiers/{dossier_id}/notifications", methods=["GET"], authorizer=cognito_users)
@view
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
    return json_response({"dossier_id": dossier_id, "items": items})


def _process(dossier_id: str, action: str, schema_name: str):
    from ..domain.states import Action
    from ..services.dossiers import DossierService
    from . import schemas
    from .present import expected_version

    principal = _caller()
    request = schemas.parse(getattr(schemas, schema_name), json_body(bp.current_request))
    dossier = DossierService().process(principal, dossier_id, Action(action), request, _now(),
                                       expected_version(bp.current_request.headers))
    return _respond(dossier, principal)


@bp.route("/dossiers/{dossier_id}/transfer", methods=["POST"], authorizer=cognito_users)
@view
def transfer_dossier(dossier_id):
    return _process(dossier_id, "transfer", "Transfer")


@bp.route("/dossiers/{dossier_id}/assign", methods=["POST"], authorizer=cognito_users)
@view
def assign_dossier(dossier_id):
    return _process(dossier_id, "assign", "Assign")


@bp.route("/dossiers/{dossier_id}/propose", methods=["POST"], authorizer=cognito_users)
@view
def propose_decision(dossier_id):
    return _process(dossier_id, "propose", "Propose")


@bp.route("/dossiers/{dossier_id}/send-back", methods=["POST"], authorizer=cognito_users)
@view
def send_back_dossier(dossier_id):
    return _process(dossier_id, "send_back", "WithReason")


@bp.route("/dossiers/{dossier_id}/approve", methods=["POST"], authorizer=cognito_users)
@view
def approve_dossier(dossier_id):
    return _process(dossier_id, "approve", "Decide")


@bp.route("/dossiers/{dossier_id}/reject", methods=["POST"], authorizer=cognito_users)
@view
def reject_dossier(dossier_id):
    return _process(dossier_id, "reject", "WithReason")


@bp.route("/dossiers/{dossier_id}/stop", methods=["POST"], authorizer=cognito_users)
@view
def stop_dossier(dossier_id):
    return _process(dossier_id, "stop", "WithReason")


@bp.route("/dossiers/{dossier_id}/withdraw", methods=["POST"], authorizer=cognito_users)
@view
def withdraw_dossier(dossier_id):
    return _process(dossier_id, "withdraw", "WithReason")


@bp.route("/dossiers/{dossier_id}/control-slip", methods=["GET"], authorizer=cognito_users)
@view
def control_slip(dossier_id):
    """Form 05: every hand-over, from whom to whom, when, its due date, on time or late."""
    from ..services.dossiers import DossierService

    principal = _caller()
    dossier = DossierService().visible(principal, dossier_id)
    return json_response({"form": "05", "dossier_id": dossier.id, "code": dossier.code,
                          "due_date": dossier.due_date.isoformat() if dossier.due_date else None,
                          "steps": dossier.control_slip})


@bp.route("/dossiers/{dossier_id}/request-fee", methods=["POST"], authorizer=cognito_users)
@view
def request_fee(dossier_id):
    return _process(dossier_id, "request_fee", "RequestFee")


@bp.route("/dossiers/{dossier_id}/record-payment", methods=["POST"], authorizer=cognito_users)
@view
def record_payment(dossier_id):
    return _process(dossier_id, "record_payment", "RecordPayment")


@bp.route("/dossiers/{dossier_id}/issue-result", methods=["POST"], authorizer=cognito_users)
@view
def issue_result(dossier_id):
    return _process(dossier_id, "issue_result", "IssueResult")


@bp.route("/dossiers/{dossier_id}/return-online", methods=["POST"], authorizer=cognito_users)
@view
def return_online(dossier_id):
    return _process(dossier_id, "return_online", "Decide")


@bp.route("/dossiers/{dossier_id}/return-at-desk", methods=["POST"], authorizer=cognito_users)
@view
def return_at_desk(dossier_id):
    return _process(dossier_id, "return_at_desk", "ReturnAtDesk")


@bp.route("/dossiers/{dossier_id}/send-by-post", methods=["POST"], authorizer=cognito_users)
@view
def send_by_post(dossier_id):
    return _process(dossier_id, "send_by_post", "SendByPost")


@bp.route("/dossiers/{dossier_id}/record-delivery", methods=["POST"], authorizer=cognito_users)
@view
def record_delivery(dossier_id):
    return _process(dossier_id, "record_delivery", "RecordDelivery")


@bp.route("/dossiers/{dossier_id}/results/uploads", methods=["POST"], authorizer=cognito_users)
@view
def create_result_upload(dossier_id):
    """Staff upload a result document (presigned POST), then verify it with POST /uploads/{id}/complete."""
    from ..domain.dossier import authorise, check_scope
    from ..domain.states import Action
    from ..services import uploads
    from ..services.dossiers import DossierService
    from .schemas import ResultUpload, parse

    principal = _caller()
    dossier = DossierService().visible(principal, dossier_id)
    check_scope(principal, dossier, authorise(principal, dossier.status, Action.ISSUE_RESULT, dossier))
    request = parse(ResultUpload, json_body(bp.current_request))
    return json_response(uploads.create_result_upload(principal, dossier, request, _now()), 201)


@bp.route("/dossiers/{dossier_id}/results/{upload_id}", methods=["GET"], authorizer=cognito_users)
@view
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
    return json_response(uploads.result_download(dossier, upload_id))


@bp.route("/dossiers/{dossier_id}/apologise", methods=["POST"], authorizer=cognito_users)
@view
def apologise(dossier_id):
    """Form 04: the apology letter with a new appointment date, once per dossier unless an admin allows more."""
    return _process(dossier_id, "apologise", "Apologise")


@bp.route("/dossiers/{dossier_id}/allow-apology", methods=["POST"], authorizer=cognito_users)
@view
def allow_apology(dossier_id):
    return _process(dossier_id, "allow_apology", "WithReason")


@bp.route("/dossiers/{dossier_id}/send-to-agency", methods=["POST"], authorizer=cognito_users)
@view
def send_to_agency(dossier_id):
    """Inter-agency (liên thông): the assigned specialist sends the part another agency must do."""
    return _process(dossier_id, "send_to_agency", "SendToAgency")


@bp.route("/dossiers/{dossier_id}/return-from-agency", methods=["POST"], authorizer=cognito_users)
@view
def return_from_agency(dossier_id):
    """Staff of the other agency hand the dossier back with their reply."""
    return _process(dossier_id, "return_from_agency", "ReturnFromAgency")


@bp.route("/dossiers/{dossier_id}/evaluation", methods=["PUT"], authorizer=cognito_users)
@view
def evaluate_dossier(dossier_id):
    """The applicant's rating once the result is returned; amendable within the configured window."""
    return _act(dossier_id, "Evaluate", "evaluate")
