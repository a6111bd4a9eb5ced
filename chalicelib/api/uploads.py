"""Component files: a presigned POST to upload, then verification of what really arrived."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice import Blueprint

from .authorizer import cognito_users
from .http import json_body, json_response, view

bp = Blueprint(__name__)


def _upload_view(info) -> dict:
    return {"id": info.id, "status": info.status, "procedure_code": info.procedure_code,
            "component_id": info.component_id, "file_name": info.file_name, "content_type": info.content_type,
            "size": info.size, "sha256": info.sha256, "attached_to": info.attached_to}


@bp.route("/uploads", methods=["POST"], authorizer=cognito_users)
@view
def create_upload():
    from ..domain.states import Role
    from ..services import uploads
    from .auth import authenticate, require
    from .schemas import CreateUpload, parse

    principal = authenticate(bp.current_request)
    require(principal, Role.CITIZEN, Role.OFFICER)  # an officer scans the papers an applicant brings to the desk
    request = parse(CreateUpload, json_body(bp.current_request))
    return json_response(uploads.create_upload(principal, request, datetime.now(UTC)), 201)


@bp.route("/uploads/{upload_id}", methods=["GET"], authorizer=cognito_users)
@view
def get_upload(upload_id):
    from ..services import uploads
    from .auth import authenticate

    principal = authenticate(bp.current_request)
    return json_response(_upload_view(uploads.get_upload(principal, upload_id)))


@bp.route("/uploads/{upload_id}/complete", methods=["POST"], authorizer=cognito_users,
          content_types=["application/json", "text/plain", "application/octet-stream"])
@view
def complete_upload(upload_id):
    from ..services import uploads
    from .auth import authenticate

    principal = authenticate(bp.current_request)
    return json_response(_upload_view(uploads.verify(principal, upload_id)))
