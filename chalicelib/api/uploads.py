"""Component files: a presigned POST to upload, then verification of what really arrived."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice import Blueprint

from .contract import operation, requests, responses
from .http import json_response

bp = Blueprint(__name__)
TAG = "Uploads"


def _upload_view(info) -> dict:
    return {"id": info.id, "status": info.status, "procedure_code": info.procedure_code,
            "component_id": info.component_id, "file_name": info.file_name, "content_type": info.content_type,
            "size": info.size, "sha256": info.sha256, "attached_to": info.attached_to}


@operation(bp, "POST", "/uploads", summary="Ask to upload one component file (a presigned POST)", tag=TAG,
           body=requests.CreateUpload, response=responses.UploadTicket, status=201, roles=("citizen", "officer"))
def create_upload(body):
    from ..domain.states import Role
    from ..services import uploads
    from .auth import authenticate, require

    principal = authenticate(bp.current_request)
    require(principal, Role.CITIZEN, Role.OFFICER)  # an officer scans the papers an applicant brings to the desk
    return json_response(uploads.create_upload(principal, body, datetime.now(UTC)), 201)


@operation(bp, "GET", "/uploads/{upload_id}", summary="One of my uploads and its verification state", tag=TAG,
           response=responses.UploadRecord)
def get_upload(upload_id):
    from ..services import uploads
    from .auth import authenticate

    principal = authenticate(bp.current_request)
    return json_response(_upload_view(uploads.get_upload(principal, upload_id)))


@operation(bp, "POST", "/uploads/{upload_id}/complete", summary="Verify what was uploaded (size, type, content)",
           tag=TAG, response=responses.UploadRecord, problems=(422,),
           content_types=["application/json", "text/plain", "application/octet-stream"])
def complete_upload(upload_id):
    from ..services import uploads
    from .auth import authenticate

    principal = authenticate(bp.current_request)
    return json_response(_upload_view(uploads.verify(principal, upload_id)))
