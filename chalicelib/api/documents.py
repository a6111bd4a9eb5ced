"""Documents people can hold: the one-stop forms and the register as files, and the public check of a
signed result (heavy imports happen inside the handlers: cold start)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice import Blueprint

from .contract import operation, queries, responses
from .exports import PDF, XLSX
from .http import Problem, file_response, json_response

bp = Blueprint(__name__)
TAG = "Documents"
# A Lambda request is at most 6 MB and API Gateway hands binary bodies over base64-encoded (4 bytes for 3).
VERIFY_MAX_BYTES = 4 * 1024 * 1024


def _accept() -> str | None:
    return (bp.current_request.headers or {}).get("accept")


@operation(bp, "GET", "/dossiers/{dossier_id}/forms/{form_file}", summary="A one-stop form of the dossier, as PDF",
           tag=TAG, media_types=(PDF,), problems=(406,), response_headers=("Content-Disposition",))
def dossier_form(dossier_id, form_file):
    """`form_file` is `receipt.pdf` (form 01, the receipt with the appointment date), `supplement-request.pdf`
    (02, the latest request), `refusal.pdf` (03), `apology.pdf` (04, the latest letter), `stop-notice.pdf` (05, when
    processing was stopped) or `control-slip.pdf` (06; 05 before Circular 03/2025) — numbered as the circular in force
    when the form was issued. 404 while the dossier has no such form. Whoever may see the dossier may print its
    forms; each carries a QR code to the public lookup. Send `Accept: application/pdf` (API Gateway returns binary
    bodies only then). The dossier's `forms` lists what it has."""
    from ..services.documents import form_pdf
    from .access_log import record
    from .auth import authenticate

    principal = authenticate(bp.current_request)
    form, dot, extension = form_file.rpartition(".")
    if not dot or extension != "pdf":
        raise Problem(404, "not_found", "form_not_found")
    content, name, dossier = form_pdf(principal, dossier_id, form)
    record(bp.current_request, principal, dossier)
    return file_response(content, PDF, name, _accept(), disposition="inline")


@operation(bp, "GET", "/desk/register", summary="The register of dossiers (sổ theo dõi hồ sơ), as PDF or Excel",
           tag="Desk", query=queries.Register, media_types=(PDF, XLSX), problems=(406,),
           response_headers=("Content-Disposition",), roles=("officer", "leader", "specialist"))
def dossier_register(query):
    """The caller's agency's register for dossiers received between `from` and `to` (local days, at most
    366 apart), oldest first: entry number, code, applicant, procedure, receipt, appointment, return and
    whether on time. A leader or specialist gets their unit's dossiers."""
    from ..domain.calendar import LOCAL_TZ
    from ..domain.states import Role
    from ..services.documents import register_file
    from .auth import authenticate, require

    principal = authenticate(bp.current_request)
    require(principal, Role.OFFICER, Role.SPECIALIST, Role.LEADER)
    if not principal.agency_code:
        raise Problem(403, "forbidden", "wrong_agency")
    today = datetime.now(UTC).astimezone(LOCAL_TZ).date()
    content, name = register_file(principal, query.from_, query.to, query.format, today)
    return file_response(content, {"pdf": PDF, "xlsx": XLSX}[query.format], name, _accept())


@operation(bp, "POST", "/public/verifications", summary="Check a PDF's signatures and whether this platform issued it",
           tag="Public", auth=False, raw_body=PDF, max_body_bytes=VERIFY_MAX_BYTES, response=responses.Verification)
def verify_document(body):
    """Send the PDF itself (`Content-Type: application/pdf`, at most 4 MiB). The answer says whether it carries
    a valid signature, who signed and when, whether it is unchanged since, and whether these exact bytes are a
    result this platform issued (by SHA-256), for which dossier. Revocation is not checked online."""
    from ..services.result_signing import verify_document as verify

    return json_response(verify(body))


@operation(bp, "GET", "/public/verifications/{result_id}", summary="Check a result the platform issued",
           tag="Public", auth=False, response=responses.Verification)
def verify_issued_result(result_id):
    """Where the QR code on a signed result leads: the same check as POST /public/verifications, made on the
    document as the platform stored it when it issued the result."""
    from ..services.result_signing import verify_issued

    return json_response(verify_issued(result_id))
