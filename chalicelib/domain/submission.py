"""Rules a submission must meet against the procedure version it is submitted under.

Inputs have already passed structural checks (types, lengths) at the API edge; here are the
rules that need the procedure, the applicant's identifiers and the verified uploads.
Every problem is reported at once, each against its field, so the applicant fixes all in one go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import FieldError
from .identity import check_citizen_id, check_email, check_phone, check_tax_code
from .procedures import OnlineLevel, Procedure

UPLOAD_PENDING, UPLOAD_VERIFIED, UPLOAD_REJECTED = "pending", "verified", "rejected"


@dataclass(frozen=True)
class UploadInfo:
    id: str
    owner_id: str
    procedure_code: str
    component_id: str
    status: str
    file_name: str
    content_type: str | None = None  # detected from the bytes, set by verification
    size: int | None = None
    sha256: str | None = None
    attached_to: str | None = None
    dossier_id: str | None = None  # result documents are uploaded for one dossier
    s3_key: str | None = None  # where the bytes are, and the version that was judged
    version_id: str | None = None

    def as_file(self) -> dict:
        return {"upload_id": self.id, "file_name": self.file_name, "content_type": self.content_type,
                "size": self.size, "sha256": self.sha256}


def check_applicant(procedure: Procedure, applicant: dict, prefix: str = "applicant") -> list[FieldError]:
    errors: list[FieldError] = []
    kind = applicant.get("type")
    if kind not in procedure.applicant_types:
        return [FieldError(f"{prefix}.type", "applicant.type_not_accepted",
                           {"accepted": ", ".join(procedure.applicant_types)})]
    if kind == "person":
        dob = applicant.get("date_of_birth")
        dob_value = date.fromisoformat(dob) if isinstance(dob, str) else dob
        _add(errors, f"{prefix}.citizen_id", check_citizen_id(applicant.get("citizen_id", ""), dob_value))
    else:
        _add(errors, f"{prefix}.tax_code", check_tax_code(applicant.get("tax_code", "")))
        representative = applicant.get("representative") or {}
        if representative.get("citizen_id"):
            _add(errors, f"{prefix}.representative.citizen_id",
                 check_citizen_id(representative["citizen_id"]))
    if applicant.get("phone"):
        _add(errors, f"{prefix}.phone", check_phone(applicant["phone"]))
    if applicant.get("email"):
        _add(errors, f"{prefix}.email", check_email(applicant["email"]))
    return errors


def check_delivery(procedure: Procedure, delivery: dict) -> list[FieldError]:
    method = delivery.get("method")
    if method == "online" and procedure.online_level != OnlineLevel.FULL:
        return [FieldError("delivery.method", "delivery.online_not_offered")]
    if method == "post" and not (delivery.get("address") or "").strip():
        return [FieldError("delivery.address", "delivery.address_required")]
    return []


def check_components(procedure: Procedure, components: list[dict], uploads: dict[str, UploadInfo],
                     owner_id: str, prefix: str = "components",
                     require_complete: bool = True) -> list[FieldError]:
    """`components` is [{component_id, upload_ids: [...]}]; `uploads` holds what the store knows of them."""
    errors: list[FieldError] = []
    seen_components: set[str] = set()
    seen_uploads: set[str] = set()
    for i, item in enumerate(components):
        field = f"{prefix}[{i}]"
        spec = procedure.component(item["component_id"])
        if spec is None:
            errors.append(FieldError(f"{field}.component_id", "component.unknown",
                                     {"component_id": item["component_id"]}))
            continue
        if spec.id in seen_components:
            errors.append(FieldError(f"{field}.component_id", "component.duplicate", {"component_id": spec.id}))
        seen_components.add(spec.id)
        if not item["upload_ids"] and not item.get("papers"):  # a paper reused from the store counts as a file
            errors.append(FieldError(f"{field}.upload_ids", "component.no_files", {"component_id": spec.id}))
        for j, upload_id in enumerate(item["upload_ids"]):
            upload_field = f"{field}.upload_ids[{j}]"
            upload = uploads.get(upload_id)
            if upload is None or upload.owner_id != owner_id:
                errors.append(FieldError(upload_field, "upload.not_found", {"upload_id": upload_id}))
                continue
            if upload_id in seen_uploads:
                errors.append(FieldError(upload_field, "upload.duplicate", {"upload_id": upload_id}))
            seen_uploads.add(upload_id)
            errors.extend(_check_upload(upload, spec, procedure.code, upload_field))
    if require_complete:
        for spec in procedure.components:
            if spec.required and spec.id not in seen_components:
                errors.append(FieldError(prefix, "component.missing",
                                         {"component_id": spec.id, "name": spec.name_vi, "name_en": spec.name_en}))
    return errors


def _check_upload(upload: UploadInfo, spec, procedure_code: str, field: str) -> list[FieldError]:
    if upload.attached_to:
        return [FieldError(field, "upload.already_attached", {"upload_id": upload.id})]
    if upload.status == UPLOAD_REJECTED:
        return [FieldError(field, "upload.rejected", {"upload_id": upload.id})]
    if upload.status != UPLOAD_VERIFIED:
        return [FieldError(field, "upload.not_verified", {"upload_id": upload.id})]
    if upload.procedure_code != procedure_code or upload.component_id != spec.id:
        return [FieldError(field, "upload.component_mismatch",
                           {"upload_id": upload.id, "component_id": upload.component_id})]
    errors = []
    if upload.content_type not in spec.accepted_types:
        errors.append(FieldError(field, "file.type_not_accepted",
                                 {"content_type": upload.content_type or "?",
                                  "accepted": ", ".join(spec.accepted_types)}))
    if (upload.size or 0) > spec.max_size_bytes:
        errors.append(FieldError(field, "file.too_large", {"size": upload.size, "max": spec.max_size_bytes}))
    return errors


def check_supplement_items(procedure: Procedure, items: list[dict]) -> list[FieldError]:
    """Form 02 lists every missing or invalid component once, each with its reason."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if procedure.component(item["component_id"]) is None:
            errors.append(FieldError(f"items[{i}].component_id", "component.unknown",
                                     {"component_id": item["component_id"]}))
        elif item["component_id"] in seen:
            errors.append(FieldError(f"items[{i}].component_id", "component.duplicate",
                                     {"component_id": item["component_id"]}))
        seen.add(item["component_id"])
    return errors


def check_resubmission(procedure: Procedure, requested: list[dict], components: list[dict]) -> list[FieldError]:
    """Each component the officer asked for must come back with at least one new file."""
    provided = {c["component_id"] for c in components if c["upload_ids"] or c.get("papers")}
    return [FieldError("components", "supplement.component_missing",
                       {"component_id": item["component_id"], "reason": item["reason"]})
            for item in requested if item["component_id"] not in provided]


def _add(errors: list[FieldError], field: str, code: str | None) -> None:
    if code:
        errors.append(FieldError(field, code))
