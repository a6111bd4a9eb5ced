"""Signed results: a KMS key (moto) certified by the local CA signs a result PDF, and anyone can verify it.

moto 5.2 ignores `MessageType=DIGEST` and hashes the digest again, so its signatures would not validate; the
`kms_honours_digest` fixture makes it sign digests as KMS does, and one test shows RAW works on moto untouched.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import boto3
import pytest
from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from fpdf import FPDF
from moto import mock_aws

from chalicelib.documents import signing
from chalicelib.documents.signing import NotAPdf, is_signed, load_certificates, sign_pdf, verify_pdf
from scripts import local_ca

REPO_ROOT = Path(__file__).resolve().parents[3]
ORGANISATION = "Bộ Lao động - Thương binh và Xã hội"
AGENCY = "Cục Việc làm"
AGENCY_CODE = "000.00.04.G18"
SUBJECT = {"organisation": ORGANISATION, "common_name": AGENCY, "agency_code": AGENCY_CODE, "days": 365}
RESULT_TEXT = b"KET QUA: Giay phep lao dong so 2026/123"


def in_own_thread(function, *args):
    """pyHanko's synchronous API (and asyncio.run) need a thread without a running event loop; a test process that
    drove a browser before has one in its main thread."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def result_pdf() -> bytes:
    # Uncompressed, so that a test can find the result's text in the signed bytes and alter one character of it.
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=RESULT_TEXT.decode())
    return bytes(pdf.output())


def der(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def spki(private_key) -> bytes:
    return private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.fixture(scope="module")
def ca():
    return local_ca.create_ca("MotCua Local Test CA")


@pytest.fixture(scope="module")
def root(ca) -> asn1_x509.Certificate:
    return der(ca[1])


@pytest.fixture(scope="module")
def kms():
    with mock_aws():
        yield boto3.client("kms", region_name="ap-southeast-1")


def kms_key(kms, spec: str) -> str:
    return kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]


@pytest.fixture(scope="module")
def rsa_key_id(kms) -> str:
    return kms_key(kms, "RSA_2048")


@pytest.fixture(scope="module")
def agency_chain(kms, rsa_key_id, ca) -> list[asn1_x509.Certificate]:
    """The agency's chain as configuration carries it: its certificate, then the CA's."""
    cert = local_ca.certify_kms_key(kms, rsa_key_id, *ca, **SUBJECT)
    return load_certificates(local_ca.certificate_pem(cert, ca[1]))


@pytest.fixture
def kms_honours_digest(monkeypatch):
    """Sign `MessageType=DIGEST` messages as KMS does: the message is the digest, not hashed again."""
    from moto.kms.responses import KmsResponse

    original = KmsResponse.sign

    def sign(self):
        if self._get_param("MessageType") != "DIGEST":
            return original(self)
        key = self.kms_backend.describe_key(self._get_param("KeyId"))
        digest, algorithm = self._get_param("Message"), self._get_param("SigningAlgorithm")
        prehashed = utils.Prehashed(hashes.SHA256())
        private_key = key.private_key.private_key
        if algorithm == "RSASSA_PKCS1_V1_5_SHA_256":
            signature = private_key.sign(digest, padding.PKCS1v15(), prehashed)
        elif algorithm == "ECDSA_SHA_256":
            signature = private_key.sign(digest, ec.ECDSA(prehashed))
        else:
            raise AssertionError(f"the shim does not sign {algorithm}")
        return json.dumps({"KeyId": key.arn, "Signature": base64.b64encode(signature).decode(),
                           "SigningAlgorithm": algorithm})

    monkeypatch.setattr(KmsResponse, "sign", sign)


@pytest.fixture
def signer(kms, rsa_key_id, agency_chain, kms_honours_digest):
    leaf, *chain = agency_chain
    return signing.KmsSigner(kms, rsa_key_id, leaf, chain)


@pytest.fixture
def signed(signer) -> bytes:
    return sign_pdf(result_pdf(), signer, reason="Kết quả giải quyết hồ sơ", location="Hà Nội")


# ---- signing and verifying ------------------------------------------------------------------------


def test_a_signed_result_is_valid_and_trusted_against_the_local_ca(signed, root) -> None:
    before = datetime.now(UTC)
    verification = verify_pdf(signed, [root])

    assert verification.signed and verification.verdict == "valid"
    [check] = verification.signatures
    assert (check.intact, check.valid, check.trusted, check.covers_whole_file) == (True, True, True, True)
    assert not check.changed_after_signing and check.modification_level == "none"
    assert check.signer.organisation == ORGANISATION
    assert (check.signer.common_name, check.signer.agency_code) == (AGENCY, AGENCY_CODE)
    assert check.signer.issuer == "MotCua Local Test CA"
    assert not check.timestamped
    assert before - timedelta(minutes=1) < check.signed_at <= datetime.now(UTC)
    assert verification.revocation_checked is False


def test_the_verification_serialises_to_json(signed, root) -> None:
    as_json = json.loads(json.dumps(verify_pdf(signed, [root]).to_dict()))

    assert as_json["verdict"] == "valid"
    assert as_json["signatures"][0]["signer"]["organisation"] == ORGANISATION
    datetime.fromisoformat(as_json["signatures"][0]["signed_at"])
    assert re.fullmatch(r"[0-9a-f]{64}", as_json["sha256"])


def test_pyhankos_own_validator_agrees_the_signature_is_pades_and_trusted(signed, root) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    [embedded] = PdfFileReader(BytesIO(signed)).embedded_signatures
    status = in_own_thread(validate_pdf_signature, embedded, ValidationContext(trust_roots=[root]))

    assert status.bottom_line and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert status.md_algorithm == "sha256"


def test_signing_appends_an_incremental_update_that_keeps_the_original_bytes(signer) -> None:
    original = result_pdf()

    signed = sign_pdf(original, signer, reason="r", location="l")

    assert signed.startswith(original) and len(signed) > len(original)


def test_an_ec_p256_kms_key_signs_a_valid_result(kms, ca, root, kms_honours_digest) -> None:
    key_id = kms_key(kms, "ECC_NIST_P256")
    cert = der(local_ca.certify_kms_key(kms, key_id, *ca, **SUBJECT))

    signed = sign_pdf(result_pdf(), signing.KmsSigner(kms, key_id, cert), reason="r", location="l")

    check = verify_pdf(signed, [root]).signatures[0]
    assert check.verdict == "valid" and check.trusted


def test_raw_message_type_signs_validly_on_an_unpatched_moto(kms, rsa_key_id, agency_chain, root) -> None:
    leaf, *chain = agency_chain
    raw_signer = signing.KmsSigner(kms, rsa_key_id, leaf, chain, message_type="RAW")

    signed = sign_pdf(result_pdf(), raw_signer, reason="r", location="l")

    assert verify_pdf(signed, [root]).verdict == "valid"


def test_a_dry_run_sizes_the_signature_without_calling_kms(agency_chain) -> None:
    import asyncio

    class NoKms:
        def sign(self, **_):
            raise AssertionError("dry run called KMS")

    placeholder = in_own_thread(asyncio.run, signing.KmsSigner(NoKms(), "key", agency_chain[0]).async_sign_raw(
        b"attributes", "sha256", dry_run=True))

    assert len(placeholder) == 256  # an RSA-2048 signature


def test_the_signer_tells_whether_kms_holds_the_certified_key(kms, rsa_key_id, agency_chain) -> None:
    other_key = kms_key(kms, "RSA_2048")

    assert signing.KmsSigner(kms, rsa_key_id, agency_chain[0]).matches_certificate()
    assert not signing.KmsSigner(kms, other_key, agency_chain[0]).matches_certificate()


def test_a_key_kms_cannot_sign_with_sha256_is_refused(ca) -> None:
    p384 = der(local_ca.issue_signing_certificate(*ca, spki(ec.generate_private_key(ec.SECP384R1())), **SUBJECT))

    with pytest.raises(ValueError, match="unsupported signing key"):
        signing.KmsSigner(object(), "key", p384)


# ---- what verification catches --------------------------------------------------------------------


def test_one_byte_changed_inside_the_signed_range_is_not_intact(signed, root) -> None:
    at = signed.index(RESULT_TEXT) + RESULT_TEXT.index(b"123")
    forged = signed[:at] + b"9" + signed[at + 1:]  # the permit's number, same length: the file still parses

    verification = verify_pdf(forged, [root])

    [check] = verification.signatures
    assert not check.intact
    assert verification.verdict == check.verdict == "invalid"


def test_an_update_appended_after_signing_is_reported_as_modified(signed, root) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    forged_content = generic.StreamObject(stream_data=b"BT /F1 12 Tf 50 700 Td (KET QUA: forged) Tj ET")
    page["/Contents"] = writer.add_object(forged_content)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)

    verification = verify_pdf(out.getvalue(), [root])

    [check] = verification.signatures
    assert check.intact and check.valid  # the signed revision itself is untouched ...
    assert not check.covers_whole_file and check.changed_after_signing  # ... but the file says something else now
    assert verification.verdict == check.verdict == "modified"


def test_a_second_signature_does_not_count_as_modifying_the_first(signed, signer, root) -> None:
    twice = sign_pdf(signed, signer, reason="Phê duyệt", location="Hà Nội")

    verification = verify_pdf(twice, [root])

    first, second = verification.signatures
    assert not first.covers_whole_file and not first.changed_after_signing
    assert second.covers_whole_file
    assert verification.verdict == "valid"


def test_an_unsigned_pdf_is_reported_unsigned(root) -> None:
    verification = verify_pdf(result_pdf(), [root])

    assert (verification.signed, verification.signatures, verification.verdict) == (False, [], "unsigned")


def test_a_pdf_signed_under_another_ca_is_untrusted(kms, rsa_key_id, root, kms_honours_digest) -> None:
    other_ca = local_ca.create_ca("Some Other CA")
    stranger = der(local_ca.certify_kms_key(kms, rsa_key_id, *other_ca, **SUBJECT))
    signed = sign_pdf(result_pdf(), signing.KmsSigner(kms, rsa_key_id, stranger), reason="r", location="l")

    verification = verify_pdf(signed, [root])

    [check] = verification.signatures
    assert check.intact and check.valid and not check.trusted
    assert verification.verdict == "untrusted"


def test_without_trust_roots_nothing_is_trusted(signed) -> None:
    # An empty list must not fall back to the operating system's TLS roots.
    assert verify_pdf(signed, []).verdict == "untrusted"


def test_a_corrupted_signature_value_is_reported_invalid_not_raised(signed, root) -> None:
    contents = re.search(rb"/Contents <([0-9a-fA-F]+)>", signed)
    broken = signed[:contents.start(1)] + b"0" * len(contents.group(1)) + signed[contents.end(1):]

    verification = verify_pdf(broken, [root])

    [check] = verification.signatures
    assert check.verdict == "invalid" and not check.valid and check.problem


@pytest.mark.parametrize("body", [
    b"",
    b"hello, not a pdf",
    b"%PDF-1.7\n% nothing else here",
    b"\x89PNG\r\n\x1a\n" + bytes(64),
])
def test_a_body_that_is_not_a_pdf_raises_not_a_pdf(body, root) -> None:
    with pytest.raises(NotAPdf):
        verify_pdf(body, [root])
    with pytest.raises(NotAPdf):
        is_signed(body)


def test_a_truncated_signed_pdf_raises_not_a_pdf(signed, root, signer) -> None:
    with pytest.raises(NotAPdf):
        verify_pdf(signed[: len(signed) // 2], [root])
    with pytest.raises(NotAPdf):
        sign_pdf(signed[: len(signed) // 2], signer, reason="r", location="l")


def test_is_signed_tells_a_signed_result_from_an_unsigned_one(signed) -> None:
    # The caller checks this before signing: a result that arrives signed is verified and kept as is.
    assert is_signed(signed)
    assert not is_signed(result_pdf())


# ---- PAdES B-T: a timestamp from a TSA --------------------------------------------------------------


@pytest.fixture(scope="module")
def tsa(ca):
    """A local RFC 3161 TSA over HTTP, certified by the local CA; yields (url, the time it stamps, requests served)."""
    from pyhanko.sign.timestamps import DummyTimeStamper

    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa_cert = der(local_ca.issue_timestamping_certificate(*ca, spki(tsa_key), common_name="MotCua Local TSA"))
    stamped_at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=30)
    stamper = DummyTimeStamper(
        tsa_cert=tsa_cert,
        tsa_key=keys.PrivateKeyInfo.load(tsa_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        certs_to_embed=[tsa_cert],
        fixed_dt=stamped_at,
    )

    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            requests.append(self.path)
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            reply = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", stamped_at, requests
    server.shutdown()
    server.server_close()


def test_a_timestamp_url_gives_a_signature_dated_by_the_tsa(signer, root, tsa) -> None:
    url, stamped_at, _ = tsa

    signed = sign_pdf(result_pdf(), signer, reason="r", location="l", timestamp_url=url)

    verification = verify_pdf(signed, [root])
    [check] = verification.signatures
    assert check.timestamped and check.timestamp_trusted
    assert check.signed_at == stamped_at
    assert verification.verdict == "valid"


def test_a_timestamp_from_an_unknown_tsa_is_reported_untrusted_but_keeps_the_signature_valid(
        signer, root, tsa) -> None:
    url, _, _ = tsa
    signed = sign_pdf(result_pdf(), signer, reason="r", location="l", timestamp_url=url)
    unrelated_root = der(local_ca.create_ca("Unrelated TSA root")[1])

    [check] = verify_pdf(signed, [root], timestamp_roots=[unrelated_root]).signatures

    assert check.timestamped and not check.timestamp_trusted
    assert check.verdict == "valid"


def test_a_warm_container_asks_the_tsa_once_per_signature(signer, tsa) -> None:
    url, _, requests = tsa
    sign_pdf(result_pdf(), signer, reason="r", location="l", timestamp_url=url)  # may fetch a token to size with
    before = len(requests)

    sign_pdf(result_pdf(), signer, reason="r", location="l", timestamp_url=url)

    assert len(requests) - before == 1


# ---- configuration and the local CA ---------------------------------------------------------------


def test_load_certificates_reads_a_pem_chain_in_order(ca, agency_chain) -> None:
    pem = local_ca.certificate_pem(ca[1]).decode()

    assert [c.subject.native["common_name"] for c in agency_chain] == [AGENCY, "MotCua Local Test CA"]
    assert load_certificates(pem)[0].sha256 == der(ca[1]).sha256
    assert load_certificates("") == []


def test_the_vietnamese_organisation_survives_in_the_certificate_as_utf8(agency_chain) -> None:
    subject = agency_chain[0].subject

    organisation = next(atv for rdn in subject.chosen for atv in rdn if atv["type"].native == "organization_name")
    assert organisation["value"].name == "utf8_string"
    assert subject.native["organization_name"] == ORGANISATION


def test_the_signing_certificate_is_for_document_signing_only(agency_chain) -> None:
    leaf, ca_cert = agency_chain

    assert leaf.key_usage_value.native == {"digital_signature", "non_repudiation"}
    assert leaf.extended_key_usage_value.native == ["1.3.6.1.5.5.7.3.36"]
    assert not leaf.ca and ca_cert.ca
    assert ca_cert.key_usage_value.native == {"key_cert_sign", "crl_sign"}
    assert leaf.authority_key_identifier == ca_cert.key_identifier


def test_the_cli_writes_a_ca_and_keeps_it_on_the_next_run(tmp_path) -> None:
    run = [sys.executable, "-m", "scripts.local_ca", "--out", str(tmp_path / "ca")]

    subprocess.run(run, cwd=REPO_ROOT, check=True, capture_output=True)
    first = (tmp_path / "ca" / "ca.pem").read_bytes()
    subprocess.run(run, cwd=REPO_ROOT, check=True, capture_output=True)

    assert (tmp_path / "ca" / "ca.pem").read_bytes() == first
    key, cert = local_ca.load_ca(tmp_path / "ca")
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    assert (tmp_path / "ca" / "ca-key.pem").stat().st_mode & 0o077 == 0


def test_importing_the_signing_module_does_not_load_pyhanko() -> None:
    probe = ("import sys, chalicelib.documents.signing as s; s.NotAPdf, s.verify_pdf; "
             "print([m for m in ('pyhanko', 'boto3') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, check=True, capture_output=True, text=True)

    assert out.stdout.strip() == "[]"
