"""Upload flow: hand out a presigned POST for one component file, then judge what arrived."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime

from ..domain.calendar import LOCAL_TZ
from ..domain.disarm import Disarmed, FileRefused, disarm
from ..domain.errors import FieldError, NotFound, ValidationFailed, check
from ..domain.files import safe_file_name
from ..domain.ids import new_id
from ..domain.principal import Principal
from ..domain.submission import UPLOAD_PENDING, UPLOAD_REJECTED, UPLOAD_VERIFIED, UploadInfo
from ..domain.times import iso
from ..settings import get_settings
from ..store import documents
from ..store.procedures import ProcedureStore
from ..store.uploads import UploadStore

PENDING_UPLOAD_TTL_SECONDS = 7 * 24 * 3600
RESULT_COMPONENT = "result"  # uploads of result documents, by staff, for one dossier
RESULT_TYPES = ("application/pdf",)
RESULT_MAX_BYTES = 20 * 1024 * 1024


def create_upload(principal: Principal, request, now: datetime) -> dict:
    procedure = ProcedureStore().effective(request.procedure_code, now.astimezone(LOCAL_TZ).date())
    if procedure is None:
        raise ValidationFailed([FieldError("procedure_code", "procedure.not_effective")])
    spec = procedure.component(request.component_id)
    if spec is None:
        raise ValidationFailed([FieldError("component_id", "component.unknown",
                                           {"component_id": request.component_id})])
    max_size = min(spec.max_size_bytes, get_settings().upload_max_bytes)
    return _issue(principal, request, now, spec.accepted_types, max_size, "uploads/" + principal.id,
                  {"procedure_code": procedure.code, "component_id": spec.id})


def create_result_upload(principal: Principal, dossier, request, now: datetime) -> dict:
    """A result document (the electronic result, usually a signed PDF) for one decided dossier.
    Stored under its own key, encrypted with the documents key, in a versioned bucket: never overwritten."""
    return _issue(principal, request, now, RESULT_TYPES, RESULT_MAX_BYTES, "results/" + dossier.id,
                  {"procedure_code": dossier.procedure_code, "component_id": RESULT_COMPONENT,
                   "dossier_id": dossier.id})


def _issue(principal: Principal, request, now: datetime, accepted: tuple[str, ...], max_size: int, prefix: str,
           target: dict) -> dict:
    """Check the declared type and size, record the pending upload, hand out a presigned POST."""
    errors = []
    if request.content_type not in accepted:
        errors.append(FieldError("content_type", "file.type_not_accepted",
                                 {"content_type": request.content_type, "accepted": ", ".join(accepted)}))
    if request.size > max_size:
        errors.append(FieldError("size", "file.too_large", {"size": request.size, "max": max_size}))
    check(errors)
    upload_id = new_id()
    key = f"{prefix}/{upload_id}"
    ttl = get_settings().upload_url_ttl_seconds
    UploadStore().create(upload_id, principal.id, iso(now), int(time.time()) + PENDING_UPLOAD_TTL_SECONDS, {
        **target, "file_name": safe_file_name(request.file_name), "declared_type": request.content_type,
        "declared_size": request.size, "max_size": max_size, "s3_key": key})
    post = documents.presigned_post(key, request.content_type, max_size, ttl)
    return {"id": upload_id, "status": UPLOAD_PENDING, **target, "max_size_bytes": max_size,
            "upload": {"method": "POST", "url": post["url"], "fields": post["fields"]}, "expires_in": ttl}


def result_download(dossier, upload_id: str) -> dict:
    """A short-lived link to the exact stored version of a result document."""
    found = next((f for f in dossier.results if f["upload_id"] == upload_id), None)
    raw = UploadStore().raw(upload_id) if found else None
    if raw is None:
        raise NotFound("upload_not_found")
    doc = raw.doc.as_dict()
    return documents.presigned_get(doc["s3_key"], doc.get("version_id"), found["file_name"], DOWNLOAD_TTL_SECONDS)


DOWNLOAD_TTL_SECONDS = 300


def submitted_file_download(dossier, upload_id: str) -> dict:
    """A short-lived link to the exact stored version of a file of one of the dossier's components."""
    found = next((f for c in dossier.components for f in c.get("files") or [] if f.get("upload_id") == upload_id),
                 None)
    raw = UploadStore().raw(upload_id) if found else None
    if raw is None:
        raise NotFound("upload_not_found")
    doc = raw.doc.as_dict()
    return documents.presigned_get(doc["s3_key"], doc.get("version_id"), found.get("file_name") or upload_id,
                                   DOWNLOAD_TTL_SECONDS)


def get_upload(principal: Principal, upload_id: str) -> UploadInfo:
    info = UploadStore().get(upload_id)
    if info is None or info.owner_id != principal.id:
        raise NotFound("upload_not_found")
    return info


def verify(principal: Principal, upload_id: str) -> UploadInfo:
    """Judge the stored object by its own bytes: moto (and a hostile client) ignore the presigned limits."""
    store = UploadStore()
    raw = store.raw(upload_id)
    if raw is None or raw.kind != "upload" or raw.owner_id != principal.id:
        raise NotFound("upload_not_found")
    doc = raw.doc.as_dict()
    if raw.status == UPLOAD_REJECTED:
        # Judged once, for good: asking again repeats the verdict rather than dressing it as a success.
        raise ValidationFailed([FieldError("upload", code) for code in doc.get("problems") or ["upload.rejected"]])
    if raw.status != UPLOAD_PENDING:
        return store.get(upload_id)
    found = documents.inspect(doc["s3_key"], int(doc["max_size"]))
    if found is None:
        raise ValidationFailed([FieldError("upload", "upload.missing_object")])
    problems = _problems(doc, found)
    findings = {"content_type": found.content_type, "size": found.size, "sha256": found.sha256,
                "version_id": found.version_id}
    if not problems:
        try:
            findings = _store_disarmed(doc["s3_key"], found, disarm(found.body, doc["declared_type"]))
        except FileRefused as refused:
            problems = [FieldError("upload", refused.detail_code, refused.params)]
    status = UPLOAD_REJECTED if problems else UPLOAD_VERIFIED
    recorded = store.record_verification(upload_id, status, {**findings, "problems": [p.code for p in problems]})
    if problems:
        raise ValidationFailed(problems)
    return recorded or store.get(upload_id)  # judged meanwhile by a concurrent call: read its verdict


def _store_disarmed(key: str, found: documents.StoredObject, safe: Disarmed) -> dict:
    """What verification records: the object as the platform stores it. Re-encoded bytes, or a Content-Type
    other than the verified one, replace the uploader's version; recorded size, hash and version are the new
    object's, so what is downloaded later is exactly what was judged."""
    if safe.content == found.body and found.stored_type == safe.content_type:
        return {"content_type": safe.content_type, "size": found.size, "sha256": found.sha256,
                "version_id": found.version_id}
    version_id = documents.replace(key, safe.content, safe.content_type)
    return {"content_type": safe.content_type, "size": len(safe.content),
            "sha256": hashlib.sha256(safe.content).hexdigest(), "version_id": version_id}


def verify_pending(principal: Principal, uploads: dict[str, UploadInfo]) -> dict[str, UploadInfo]:
    """Submission verifies on the caller's behalf whatever is still pending; failures show up as
    field errors of the submission itself, so they are not raised here."""
    refreshed = dict(uploads)
    for upload_id, info in uploads.items():
        if info.status == UPLOAD_PENDING and info.owner_id == principal.id:
            try:
                refreshed[upload_id] = verify(principal, upload_id)
            except ValidationFailed:
                refreshed[upload_id] = UploadStore().get(upload_id) or info
    return refreshed


def _problems(doc: dict, found: documents.StoredObject) -> list[FieldError]:
    problems = []
    if found.size == 0:
        return [FieldError("upload", "upload.empty")]
    if found.size > int(doc["max_size"]):
        problems.append(FieldError("upload", "file.too_large", {"size": found.size, "max": int(doc["max_size"])}))
        return problems
    if found.content_type != doc["declared_type"]:
        problems.append(FieldError("upload", "file.type_mismatch",
                                   {"detected": found.content_type or "?", "declared": doc["declared_type"]}))
    if found.size != int(doc["declared_size"]):
        problems.append(FieldError("upload", "file.size_mismatch",
                                   {"size": found.size, "declared": int(doc["declared_size"])}))
    return problems
