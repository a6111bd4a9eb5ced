"""Sign result PDFs (PAdES) with an agency key that never leaves AWS KMS, and verify the signatures of any PDF.

pyHanko costs about 0.3 s to import, so it loads on first use: importing this module (for `NotAPdf`, the result
types or the functions) stays cheap, and `KmsSigner`, a pyHanko class, is built when it is first looked up.

Verification checks no revocation: it fetches nothing over the network (no CRL, no OCSP, no missing intermediate
certificates), so a certificate revoked by its CA still shows as trusted. Trust is only what the caller's roots say.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import sys
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from asn1crypto.x509 import Certificate
    from pyhanko.sign.signers.pdf_cms import Signer
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko.sign.validation.status import PdfSignatureStatus

Verdict = Literal["valid", "invalid", "untrusted", "unsigned", "modified"]
MessageType = Literal["DIGEST", "RAW"]

# Worst first: a document's verdict is its worst signature's.
_SEVERITY: tuple[Verdict, ...] = ("invalid", "modified", "untrusted", "valid")
# KMS refuses RAW messages above this size; signed attributes stay far below it.
_KMS_RAW_LIMIT = 4096


class NotAPdf(ValueError):
    """The bytes are not a PDF this module can read (not a PDF at all, truncated, broken, or encrypted)."""


@dataclass(frozen=True)
class SignerIdentity:
    common_name: str | None
    organisation: str | None
    agency_code: str | None  # the subject's UID attribute, where the local CA puts the agency's code
    serial_number: str  # the certificate's serial, hexadecimal
    issuer: str | None  # the issuing CA's common name


@dataclass(frozen=True)
class SignatureCheck:
    field_name: str | None
    intact: bool  # the signed bytes hash to the digest that was signed
    valid: bool  # the cryptographic signature over that digest is good
    trusted: bool  # the signer's chain reaches one of the trust roots (checked only when the signature is valid)
    signer: SignerIdentity | None
    signed_at: datetime | None  # the timestamp's time when timestamped, else the time the signer claims
    timestamped: bool  # carries a signature timestamp whose token is intact and valid
    timestamp_trusted: bool  # ... and whose TSA chains to the timestamp roots
    covers_whole_file: bool
    coverage: str | None  # pyHanko's SignatureCoverageLevel, lower case
    modification_level: str | None  # pyHanko's ModificationLevel for what was appended after signing, lower case
    changed_after_signing: bool  # anything beyond later signatures and long-term-validation data was appended
    verdict: Verdict
    problem: str | None = None  # why the signature could not be checked, when it could not


@dataclass(frozen=True)
class Verification:
    signed: bool
    signatures: list[SignatureCheck]
    verdict: Verdict
    sha256: str  # of the whole body, to look the document up among issued results
    revocation_checked: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes as ISO 8601."""
        return _jsonable(dataclasses.asdict(self))


def load_certificates(pem: bytes | str) -> list[Certificate]:
    """Every certificate of a PEM chain (as configuration carries it), in order; an empty list for no certificate."""
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509

    data = pem.encode("ascii") if isinstance(pem, str) else pem
    if not asn1_pem.detect(data):
        return []
    return [x509.Certificate.load(der) for kind, _, der in asn1_pem.unarmor(data, multiple=True)
            if kind == "CERTIFICATE"]


def __getattr__(name: str) -> Any:
    if name == "KmsSigner":
        return _kms_signer_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _kms_signer_class() -> type:
    from asn1crypto import algos
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.signers.pdf_cms import Signer
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class KmsSigner(Signer):
        """A pyHanko signer whose raw signature comes from KMS `Sign`: the private key never leaves KMS.

        RSA keys sign RSASSA_PKCS1_V1_5_SHA_256, P-256 keys ECDSA_SHA_256. `message_type="DIGEST"` (the default)
        sends SHA-256 of the signed attributes; `"RAW"` sends the attributes themselves and lets KMS hash them,
        which gives the same signature and also works where an emulator ignores DIGEST (moto 5.2 does).
        """

        def __init__(self, kms: Any, key_id: str, signing_cert: Certificate, chain: Iterable[Certificate] = (),
                     *, message_type: MessageType = "DIGEST") -> None:
            mechanism, self.kms_algorithm, self._placeholder_size = _kms_mechanism(signing_cert)
            super().__init__(
                signing_cert=signing_cert,
                cert_registry=SimpleCertificateStore.from_certs([signing_cert, *chain]),
                signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mechanism}),
            )
            self.kms = kms
            self.key_id = key_id
            self.message_type = message_type

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            if digest_algorithm != "sha256":
                raise SigningError(f"the KMS signer signs SHA-256 digests, not {digest_algorithm}")
            if dry_run:  # pyHanko sizes the signature container with this; no KMS call, no cost
                return bytes(self._placeholder_size)
            if self.message_type == "DIGEST":
                message = hashlib.sha256(data).digest()
            elif len(data) <= _KMS_RAW_LIMIT:
                message = data
            else:
                raise SigningError(f"{len(data)} bytes to sign exceed KMS's RAW limit; use message_type='DIGEST'")
            response = self.kms.sign(KeyId=self.key_id, Message=message, MessageType=self.message_type,
                                     SigningAlgorithm=self.kms_algorithm)
            return response["Signature"]

        def matches_certificate(self) -> bool:
            """Whether the KMS key is the one the certificate certifies: a mismatch signs what never validates."""
            public_key = self.kms.get_public_key(KeyId=self.key_id)["PublicKey"]
            return public_key == self.signing_cert.public_key.dump()

    return KmsSigner


def _kms_mechanism(cert: Certificate) -> tuple[str, str, int]:
    """(CMS signature algorithm, KMS SigningAlgorithm, largest signature in bytes) for the certificate's key."""
    public_key = cert.public_key
    if public_key.algorithm == "rsa":
        return "sha256_rsa", "RSASSA_PKCS1_V1_5_SHA_256", (public_key.bit_size + 7) // 8
    if public_key.algorithm == "ec" and public_key.curve[1] == "secp256r1":
        return "sha256_ecdsa", "ECDSA_SHA_256", 72  # DER SEQUENCE of two INTEGERs of up to 33 bytes
    raise ValueError(f"unsupported signing key: {public_key.algorithm} {public_key.bit_size} bits "
                     "(RSA or EC P-256 are)")


def sign_pdf(
    pdf: bytes,
    signer: Signer,
    *,
    reason: str,
    location: str,
    name: str | None = None,
    timestamp_url: str | None = None,
) -> bytes:
    """One approval signature over the whole file, appended as an incremental update (the original bytes stay a
    prefix of the result): PAdES B-B, or B-T with a timestamp from the RFC 3161 TSA at `timestamp_url`.

    `signer` is a pyHanko `Signer`, normally a `KmsSigner`. The caller checks `is_signed` first: a result that
    arrives signed is verified and kept, not signed again. Runs its own event loop: call it from synchronous code.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfStrictReadError
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

    try:
        try:
            writer = IncrementalPdfFileWriter(BytesIO(pdf))
        except PdfStrictReadError:  # as in `_read`: tolerate the syntax other producers bend
            writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except Exception as exc:  # the reader raises many kinds on arbitrary bytes
        raise NotAPdf(f"cannot read the PDF to sign: {exc}") from exc
    if writer.prev.encrypted:
        raise NotAPdf("encrypted PDFs are not signed")
    metadata = PdfSignatureMetadata(
        field_name=f"Signature-{uuid.uuid4().hex[:8]}",
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=name,
    )
    timestamper = _timestamper(timestamp_url) if timestamp_url else None
    output = _outside_any_loop(PdfSigner(metadata, signer, timestamper=timestamper).sign_pdf, writer)
    return output.getvalue()


@functools.cache
def _timestamper(url: str) -> Any:
    """One per TSA for the container's life: its first token, kept to size signatures, saves a request per signing."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url)


def is_signed(pdf: bytes) -> bool:
    """Whether the PDF carries at least one signature, good or broken (document timestamps alone do not count)."""
    return bool(_signature_fields(_read(pdf)))


def verify_pdf(
    pdf: bytes,
    trust_roots: Sequence[Certificate],
    *,
    timestamp_roots: Sequence[Certificate] | None = None,
) -> Verification:
    """Check every signature of a PDF against `trust_roots` (timestamps against `timestamp_roots`, by default the
    same). No network: no revocation check, nothing fetched. Raises `NotAPdf` for a body it cannot read; a signature
    that cannot be checked is reported invalid with its `problem`, never raised.
    """
    from pyhanko.sign.validation import EmbeddedPdfSignature

    sha256 = hashlib.sha256(pdf).hexdigest()
    reader = _read(pdf)
    readable: list[EmbeddedPdfSignature] = []
    checks: list[SignatureCheck] = []
    for name, field_ref in _signature_fields(reader):
        try:
            readable.append(EmbeddedPdfSignature(reader, field_ref, name))
        except Exception as exc:  # a signature whose container does not even parse is still a broken signature
            checks.append(_unreadable(name, None, exc))
    if not readable and not checks:
        return Verification(signed=False, signatures=[], verdict="unsigned", sha256=sha256)
    ts_roots = trust_roots if timestamp_roots is None else timestamp_roots
    readable.sort(key=_signed_revision)
    for index, signature in enumerate(readable):
        later_fields = {later.field_name for later in readable[index + 1:]}
        checks.insert(index, _check(signature, trust_roots, ts_roots, later_fields))
    verdict = min((check.verdict for check in checks), key=_SEVERITY.index)
    return Verification(signed=True, signatures=checks, verdict=verdict, sha256=sha256)


def _read(pdf: bytes) -> Any:
    from pyhanko.pdf_utils.misc import PdfStrictReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not isinstance(pdf, bytes | bytearray) or b"%PDF-" not in pdf[:1024]:
        raise NotAPdf("no PDF header")
    try:
        try:
            reader = PdfFileReader(BytesIO(pdf))
        except PdfStrictReadError:
            # Files from other producers often bend the syntax; reading them leniently still checks the bytes signed.
            reader = PdfFileReader(BytesIO(pdf), strict=False)
        reader.root  # noqa: B018 -- a file whose catalogue is missing or broken fails here, not later
    except Exception as exc:  # the reader raises many kinds on arbitrary bytes
        raise NotAPdf(f"cannot read the PDF: {exc}") from exc
    if reader.encrypted:
        raise NotAPdf("encrypted PDFs are not verified")
    return reader


def _signature_fields(reader: Any) -> list[tuple[str, Any]]:
    """(fully qualified name, field reference) of every filled signature field, document timestamps left out."""
    from pyhanko.sign.fields import enumerate_sig_fields

    try:
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception as exc:  # a malformed AcroForm
        raise NotAPdf(f"cannot read the PDF's signature fields: {exc}") from exc
    return [(name, field_ref) for name, value, field_ref in fields if not _is_document_timestamp(value)]


def _is_document_timestamp(value: Any) -> bool:
    try:
        return value.get_object().get("/Type") == "/DocTimeStamp"
    except Exception:  # not a dictionary: a broken signature, which its check reports
        return False


def _signed_revision(signature: EmbeddedPdfSignature) -> int:
    try:
        return signature.signed_revision
    except Exception:  # a byte range that matches no revision: keep it, its check will say what is wrong
        return sys.maxsize


def _outside_any_loop(function: Callable[..., Any], *args: Any) -> Any:
    """pyHanko's synchronous API runs its own event loop (`asyncio.run`), which fails in a thread that already has
    one running (a caller that is itself async, or a test driving a browser): run it in a thread of its own then."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def _validation_context(roots: Sequence[Certificate]) -> Any:
    from pyhanko_certvalidator import ValidationContext

    # An explicit (possibly empty) list: pyHanko would otherwise fall back to the operating system's TLS roots.
    return ValidationContext(trust_roots=list(roots), allow_fetching=False, revocation_mode="soft-fail")


def _check(signature: EmbeddedPdfSignature, roots: Sequence[Certificate], ts_roots: Sequence[Certificate],
           later_fields: set[str]) -> SignatureCheck:
    from pyhanko.sign.validation import validate_pdf_signature

    field_name = _field_name(signature)
    try:
        status = _outside_any_loop(validate_pdf_signature, signature, _validation_context(roots),
                                   _validation_context(ts_roots))
    except Exception as exc:  # a corrupt or unsupported signature is a finding about the document, not a crash
        return _unreadable(field_name, _signer_or_none(signature), exc)
    return _summarise(status, field_name, later_fields)


def _unreadable(field_name: str | None, signer: SignerIdentity | None, exc: Exception) -> SignatureCheck:
    return SignatureCheck(
        field_name=field_name, intact=False, valid=False, trusted=False, signer=signer, signed_at=None,
        timestamped=False, timestamp_trusted=False, covers_whole_file=False, coverage=None, modification_level=None,
        changed_after_signing=False, verdict="invalid", problem=str(exc) or type(exc).__name__,
    )


def _summarise(status: PdfSignatureStatus, field_name: str | None, later_fields: set[str]) -> SignatureCheck:
    from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel

    trusted = status.valid and status.validation_path is not None and status.trust_problem_indic is None
    tst = status.timestamp_validity
    timestamped = tst is not None and tst.intact and tst.valid
    covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    level = status.modification_level
    if covers_whole_file or level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES):
        changed = False
    elif level == ModificationLevel.FORM_FILLING and isinstance(status.diff_result, DiffResult):
        # Adding the later signatures is the only form filling a signed result should see.
        changed = not status.diff_result.changed_form_fields <= later_fields
    else:
        changed = True  # other modifications, or none that pyHanko could classify
    if not (status.intact and status.valid) or (tst is not None and not timestamped):
        verdict: Verdict = "invalid"
    elif changed or status.docmdp_ok is False:
        verdict = "modified"
    elif not trusted:
        verdict = "untrusted"
    else:
        verdict = "valid"
    return SignatureCheck(
        field_name=field_name,
        intact=status.intact,
        valid=status.valid,
        trusted=trusted,
        signer=_identity(status.signing_cert),
        signed_at=tst.timestamp if timestamped else status.signer_reported_dt,
        timestamped=timestamped,
        timestamp_trusted=timestamped and tst.trusted,
        covers_whole_file=covers_whole_file,
        coverage=status.coverage.name.lower() if status.coverage is not None else None,
        modification_level=level.name.lower() if level is not None else None,
        changed_after_signing=changed,
        verdict=verdict,
    )


def _field_name(signature: EmbeddedPdfSignature) -> str | None:
    try:
        return signature.field_name
    except Exception:
        return None


def _signer_or_none(signature: EmbeddedPdfSignature) -> SignerIdentity | None:
    try:
        return _identity(signature.signer_cert)
    except Exception:  # no parsable certificate in a broken signature
        return None


def _identity(cert: Certificate) -> SignerIdentity:
    subject = cert.subject.native
    return SignerIdentity(
        common_name=subject.get("common_name"),
        organisation=subject.get("organization_name"),
        agency_code=subject.get("user_id"),
        serial_number=format(cert.serial_number, "x"),
        issuer=cert.issuer.native.get("common_name"),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value

