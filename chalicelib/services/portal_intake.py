"""Dossiers forwarded by the national portal (docs/national-portal.md §1).

The forward is checked (signature, then fields), mapped to the platform's procedure, its files fetched from the
portal and judged exactly as the platform's own uploads, and the dossier submitted through the same use case as
an online submission — idempotent on the portal's code. Whatever the forward stored before it failed (objects in
S3, upload records) is removed again, so a refused forward leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime

from ..adapters import national_portal as gateway
from ..adapters.secrets import secret_value
from ..domain import portal_inbound, signatures
from ..domain.calendar import LOCAL_TZ
from ..domain.dossier import Dossier
from ..domain.errors import FieldError, ValidationFailed
from ..domain.files import safe_file_name
from ..domain.ids import new_id
from ..domain.national_portal import ORIGIN_NATIONAL_PORTAL, PORTAL_PRINCIPAL_ID
from ..domain.principal import Principal
from ..domain.procedures import Procedure
from ..domain.states import Role
from ..domain.times import iso
from ..settings import get_settings
from ..store import documents
from ..store import portal as portal_store
from ..store.procedures import ProcedureStore
from ..store.uploads import UploadStore
from . import uploads as upload_service
from .dossiers import DossierService

# The portal acts for the citizen who submitted there: an online applicant, never staff.
PORTAL = Principal(id=PORTAL_PRINCIPAL_ID, username=PORTAL_PRINCIPAL_ID, roles=frozenset({Role.CITIZEN}),
                   name="Cổng Dịch vụ công quốc gia")


class SignatureRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Replayed(Exception):
    """A signature already used: the same request, sent again by someone who saw it."""


class NotConfigured(Exception):
    """This stage has no inbound secret: forwards cannot be checked, so none is accepted."""


def authenticate(raw_body: bytes, headers: dict, now: float) -> None:
    settings = get_settings()
    if not settings.national_portal_secret_id:
        raise NotConfigured("NATIONAL_PORTAL_SECRET_ID is not set")
    secret = secret_value(settings.national_portal_secret_id, "inbound_secret").encode()
    signature = headers.get("x-dvcqg-signature")
    try:
        signatures.check(secret, headers.get("x-dvcqg-timestamp"), signature, raw_body, now)
    except signatures.SignatureRefused as refused:
        raise SignatureRefused(refused.code) from None
    if not portal_store.remember_signature(signature or "", now):
        raise Replayed()


def receive_forward(body: dict, now: datetime) -> tuple[Dossier, bool]:
    """The dossier a forward (already authenticated) became, and whether an earlier forward of the same
    `MaHoSo` created it."""
    from ..api.validation import parse

    forward = parse(portal_inbound.PortalForward, body)
    service = DossierService()
    earlier = service.earlier_submission(PORTAL, forward.MaHoSo, body)
    if earlier is not None:  # a forward repeated: answered before any file is fetched again
        return earlier, True
    day = now.astimezone(LOCAL_TZ).date()
    procedure = procedure_for(forward.MaTTHC, day)
    if procedure is None:
        raise ValidationFailed([FieldError("MaTTHC", "portal.unknown_procedure", {"code": forward.MaTTHC})])
    stored: list[str] = []
    try:
        components = _fetch_files(forward, procedure, now, stored)
        submission = {**portal_inbound.to_submission(forward), "procedure_code": procedure.code,
                      "components": components}
        from ..api.schemas import SubmitDossier

        try:
            request = parse(SubmitDossier, submission)
            dossier, replayed = service.submit(PORTAL, request, body, forward.MaHoSo, now,
                                               origin=ORIGIN_NATIONAL_PORTAL, portal_code=forward.MaHoSo,
                                               procedure=procedure)
        except ValidationFailed as failed:
            raise ValidationFailed([FieldError(portal_inbound.portal_field(e.field), e.code, e.params)
                                    for e in failed.errors]) from None
    except BaseException:
        _forget(stored)
        raise
    if replayed:  # a concurrent forward of the same code won: this one's copies of the files go
        _forget(stored)
    return dossier, replayed


def procedure_for(national_code: str, day) -> Procedure | None:
    """The procedure in force on `day` that the portal knows as `national_code`."""
    procedures = ProcedureStore()
    direct = procedures.effective(national_code, day) if _looks_like_code(national_code) else None
    if direct is not None and direct.portal_procedure_code == national_code:
        return direct
    # Mapped under another code of ours (rare): the catalogue of the day says which.
    return next((p for p in procedures.catalogue(day) if p.national_code == national_code), None)


def _looks_like_code(code: str) -> bool:
    import re

    return re.fullmatch(r"[0-9]\.[0-9]{6}", code) is not None


def _fetch_files(forward, procedure: Procedure, now: datetime, stored: list[str]) -> list[dict]:
    """Fetch, store and verify every file; every problem of every file is reported at once."""
    prefix = get_settings().portal_files_prefix
    errors: list[FieldError] = []
    by_component: dict[str, list[str]] = {}
    for i, item in enumerate(forward.TaiLieuNop):
        where = f"TaiLieuNop[{i}]"
        spec = procedure.component(item.MaThanhPhanHoSo)
        if spec is None:
            errors.append(FieldError(f"{where}.MaThanhPhanHoSo", "component.unknown",
                                     {"component_id": item.MaThanhPhanHoSo}))
            continue
        if not prefix or not item.DuongDanTaiTepTin.startswith(prefix) or ".." in item.DuongDanTaiTepTin:
            errors.append(FieldError(f"{where}.DuongDanTaiTepTin", "portal.file_unreachable"))
            continue
        max_size = min(spec.max_size_bytes, get_settings().upload_max_bytes)
        try:
            content = gateway.download(item.DuongDanTaiTepTin, max_size)
        except gateway.PortalError:
            errors.append(FieldError(f"{where}.DuongDanTaiTepTin", "portal.file_unreachable"))
            continue
        if len(content) > max_size:
            errors.append(FieldError(where, "file.too_large", {"size": len(content), "max": max_size}))
            continue
        if hashlib.sha256(content).hexdigest() != item.MaHash:
            errors.append(FieldError(f"{where}.MaHash", "portal.hash_mismatch"))
            continue
        upload_id = _store(item, spec.id, procedure.code, content, max_size, now, stored)
        try:
            upload_service.verify(PORTAL, upload_id)
        except ValidationFailed as refused:
            errors += [FieldError(where, e.code, e.params) for e in refused.errors]
            continue
        by_component.setdefault(spec.id, []).append(upload_id)
    if errors:
        raise ValidationFailed(errors)
    return [{"component_id": c, "upload_ids": ids} for c, ids in by_component.items()]


def _store(item, component_id: str, procedure_code: str, content: bytes, max_size: int, now: datetime,
           stored: list[str]) -> str:
    """An upload record and its object, as if the applicant had uploaded the file here."""
    upload_id = new_id()
    key = f"uploads/{PORTAL.id}/{upload_id}"
    UploadStore().create(upload_id, PORTAL.id, iso(now), int(time.time()) + upload_service.PENDING_UPLOAD_TTL_SECONDS,
                         {"procedure_code": procedure_code, "component_id": component_id,
                          "file_name": safe_file_name(item.TenTepDinhKem), "declared_type": item.LoaiTep,
                          "declared_size": len(content), "max_size": max_size, "s3_key": key})
    stored.append(upload_id)
    documents.put(key, content, item.LoaiTep)
    return upload_id


def _forget(upload_ids: list[str]) -> None:
    uploads = UploadStore()
    for upload_id in upload_ids:
        documents.delete_all_versions(f"uploads/{PORTAL.id}/{upload_id}")
        uploads.delete_unattached(upload_id)

