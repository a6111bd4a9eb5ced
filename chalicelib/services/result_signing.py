"""Signed results: the platform signs a result PDF with the issuing agency's key when the result is issued,
verifies one that arrives signed, and answers anyone who asks whether a PDF is a result it issued.

The private key lives in KMS (`KmsSigner`); the agency's certificate chain and the trust roots are
configuration in the control table (chalicelib/store/signing.py). Design and operations: docs/documents.md.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from ..domain.errors import FieldError, NotFound, ValidationFailed
from ..domain.submission import UploadInfo
from ..domain.times import iso
from ..settings import get_settings
from ..store import documents, signing

# The verdicts a result attached already signed may not have: it would be issued as something it is not.
_REFUSED = {"invalid": "result.signature_invalid", "modified": "result.signature_modified",
            "untrusted": "result.signature_untrusted"}
VERIFY_PATH = "/public/verifications/{id}"
# pyHanko logs a warning with a whole traceback for every altered PDF it checks: on a public endpoint that is
# anyone's to trigger, and the answer already says what was wrong.
logging.getLogger("pyhanko").setLevel(logging.ERROR)


def verification_url(result_id: str) -> str:
    """Where a signed result's QR code leads (`RESULT_VERIFY_URL`, `{id}` replaced; else the API's own path)."""
    base = (get_settings().result_verify_url or "").strip()
    if "{id}" in base:
        return base.replace("{id}", result_id)
    return base.rstrip("/") + VERIFY_PATH.format(id=result_id)


@dataclass(frozen=True)
class Sealed:
    """A result document as it is issued: the stored version, its hash and size, and its signature."""

    version_id: str | None
    sha256: str
    size: int
    signature: dict | None

    def file_fields(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "signature": self.signature}

    def upload_fields(self) -> dict:
        """What the upload record must then point at, so a download serves exactly the issued version."""
        return {"version_id": self.version_id, "sha256": self.sha256, "size": self.size}


def _trust_roots() -> list:
    from ..documents.signing import load_certificates

    return load_certificates(signing.trust_roots_pem())


def _holder(signer) -> dict:
    """Who a certificate names, as the API shows it."""
    return {"common_name": signer.common_name if signer else None,
            "organisation": signer.organisation if signer else None,
            "serial_number": signer.serial_number if signer else None}


def _signature_view(check, signed_here: bool, result_id: str) -> dict:
    return {"signed_by": _holder(check.signer),
            "signed_at": iso(check.signed_at) if check.signed_at else None,
            "timestamped": check.timestamped, "signed_here": signed_here,
            "verification_url": verification_url(result_id)}


def seal(dossier, uploads: list[tuple[int, UploadInfo]], agency_name: str) -> dict[str, Sealed]:
    """Sign (or verify) each result before it is issued. `uploads`: (position in the request, upload) of
    verified PDFs. A result signed already is verified against the trust roots and
    kept byte for byte; an unsigned one gets the agency's signature — a new version of the same object, so
    the uploader's bytes stay in the bucket's history. Without a signing certificate for the agency the
    results are issued unsigned. Every refused signature is reported at once."""
    from ..documents import signing as pades
    from ..documents.stamp import stamp_verification

    config = signing.signer_for(dossier.agency_code)
    signer = None
    sealed: dict[str, Sealed] = {}
    errors: list[FieldError] = []
    for position, upload in uploads:
        upload_id = upload.id
        body = documents.read(upload.s3_key, upload.version_id)
        try:
            already = pades.is_signed(body)
        except pades.NotAPdf:
            errors.append(FieldError(f"upload_ids[{position}]", "result.not_a_readable_pdf"))
            continue
        if already:
            report = pades.verify_pdf(body, _trust_roots())
            if report.verdict in _REFUSED:
                errors.append(FieldError(f"upload_ids[{position}]", _REFUSED[report.verdict]))
                continue
            sealed[upload_id] = Sealed(upload.version_id, upload.sha256, int(upload.size or 0),
                                       _signature_view(report.signatures[-1], False, upload_id))
            continue
        if config is None:
            sealed[upload_id] = Sealed(upload.version_id, upload.sha256, int(upload.size or 0), None)
            continue
        if signer is None:
            signer = _signer(config)
        stamped = stamp_verification(body, verification_url(upload_id), dossier.code)
        signed = pades.sign_pdf(stamped, signer, reason=f"Kết quả giải quyết hồ sơ {dossier.code}",
                                location=agency_name, name=agency_name,
                                timestamp_url=get_settings().signature_timestamp_url)
        version_id = documents.put(upload.s3_key, signed, "application/pdf")
        # Checked as anyone will check it: a chain installed for another key would issue what never validates.
        check = pades.verify_pdf(signed, _trust_roots()).signatures[-1]
        if check.verdict != "valid":
            raise RuntimeError(f"the signature made for {dossier.agency_code} does not validate: {check.verdict}")
        sealed[upload_id] = Sealed(version_id, hashlib.sha256(signed).hexdigest(), len(signed),
                                   _signature_view(check, True, upload_id))
    if errors:
        raise ValidationFailed(errors)
    return sealed


def _signer(config: signing.SignerConfig):
    from ..documents.signing import KmsSigner, load_certificates
    from ..store.aws import client

    chain = load_certificates(config.chain_pem)
    if not chain:
        raise RuntimeError(f"the signing configuration of {config.agency_code} has no certificate")
    # RAW: KMS hashes the signed attributes itself (always under its 4 KiB limit); the same signature as DIGEST.
    return KmsSigner(client("kms"), config.key_id, chain[0], chain[1:], message_type="RAW")


def verify_document(pdf: bytes) -> dict:
    """The public check of any PDF: its signatures against the trust roots, and whether it is a result
    issued here (by SHA-256 of the exact bytes)."""
    from ..documents.signing import NotAPdf, verify_pdf

    try:
        report = verify_pdf(pdf, _trust_roots())
    except NotAPdf as error:
        raise ValidationFailed([FieldError("body", "file.not_a_pdf")]) from error
    return _answer(report)


def verify_issued(result_id: str) -> dict:
    """The same check on a result as the platform stored it when issuing it (the QR code's address)."""
    from ..store.uploads import UploadStore
    from .uploads import RESULT_COMPONENT

    raw = UploadStore().raw(result_id) if 0 < len(result_id) <= 64 else None
    doc = raw.doc.as_dict() if raw is not None and raw.doc is not None else {}
    if raw is None or doc.get("component_id") != RESULT_COMPONENT or raw.status != "attached" \
            or signing.issued_result(doc.get("sha256", "")) is None:
        raise NotFound("result_not_found")
    return verify_document(documents.read(doc["s3_key"], doc.get("version_id")))


def _answer(report) -> dict:
    from ..domain.agencies import agency

    issued = signing.issued_result(report.sha256)
    result = None
    if issued is not None:
        found = agency(issued["agency_code"])
        result = {"dossier_code": issued["dossier_code"], "agency_code": issued["agency_code"],
                  "agency_name": found.name_vi if found else issued["agency_code"],
                  "issued_at": issued["issued_at"]}
    return {
        "verdict": report.verdict,
        "sha256": report.sha256,
        "signatures": [{
            "signed_by": _holder(c.signer),
            "signed_at": iso(c.signed_at) if c.signed_at else None,
            "timestamped": c.timestamped, "intact": c.intact, "valid": c.valid, "trusted": c.trusted,
            "covers_whole_file": c.covers_whole_file, "modified_after_signing": c.changed_after_signing,
        } for c in report.signatures],
        "issued_here": issued is not None,
        "result": result,
    }


def result_records(dossier, sealed: dict[str, Sealed], issued_at: str) -> list:
    """The `RESULT#` items the issuing transaction writes: one per issued document, by its final hash."""
    return [signing.result_item(s.sha256, {"dossier_id": dossier.id, "dossier_code": dossier.code,
                                           "agency_code": dossier.agency_code, "upload_id": upload_id,
                                           "issued_at": issued_at, "signed": s.signature is not None})
            for upload_id, s in sealed.items()]
