"""Calls from partner systems, authenticated by their signature instead of a user's token."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice import Blueprint

from .contract import operation, requests, responses
from .http import Problem, json_body, json_response

bp = Blueprint(__name__)


@operation(bp, "POST", "/integrations/national-portal/dossiers", summary="A dossier forwarded by the national portal",
           tag="Integrations", auth=False, signed=True, body=requests.PortalForward,
           response=responses.PortalForwardResult, status=201, problems=(401, 409, 422),
           headers=("X-DVCQG-Timestamp", "X-DVCQG-Signature"), response_headers=("Location", "Idempotent-Replayed"))
def national_portal_forward():
    """Signed by the portal with the shared secret (docs/national-portal.md §1). Idempotent on `MaHoSo`: a
    forward sent again answers 200 with the same dossier. Files are fetched from the portal and verified like
    the platform's own uploads; a forward that fails leaves nothing behind."""
    import time

    from ..services import portal_intake

    request = bp.current_request
    headers = {k.lower(): v for k, v in (request.headers or {}).items()}
    try:
        portal_intake.authenticate(request.raw_body or b"", headers, time.time())
    except portal_intake.SignatureRefused as refused:
        raise Problem(401, "unauthorized", refused.code) from None
    except portal_intake.Replayed:
        raise Problem(409, "conflict", "portal.signature_replayed") from None
    except portal_intake.NotConfigured:
        raise Problem(503, "service_unavailable", "portal.not_configured") from None
    dossier, replayed = portal_intake.receive_forward(json_body(request), datetime.now(UTC))
    extra = {"Location": f"/dossiers/{dossier.id}", **({"Idempotent-Replayed": "true"} if replayed else {})}
    return json_response({"error_code": "00", "MaHoSo": dossier.portal_code, "dossier_id": dossier.id,
                          "dossier_code": dossier.code, "status": dossier.status.value}, 200 if replayed else 201,
                         extra)
