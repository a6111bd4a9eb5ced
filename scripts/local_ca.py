"""A certificate authority for local runs and tests: it certifies agency signing keys that live elsewhere (KMS).

Nothing here is for production: the CA key is written unencrypted so that `make run` can reuse it. In AWS the
agency's certificate comes from a real CA and reaches the platform as configuration (a PEM chain).

    python -m scripts.local_ca --out DIR [--name NAME] [--force]   # writes DIR/ca.pem and DIR/ca-key.pem
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

# RFC 9336 id-kp-documentSigning: says what the key is for without claiming TLS or e-mail uses.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
CaKey = ec.EllipticCurvePrivateKey
# A clock skew between the machine that issues and the one that validates must not make a fresh cert "not yet valid".
_BACKDATE = dt.timedelta(minutes=5)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_ca(name: str, *, days: int = 3650) -> tuple[CaKey, x509.Certificate]:
    """A self-signed root (CA:true, certSign/cRLSign) with a fresh P-256 key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue_signing_certificate(
    ca_key: CaKey,
    ca_cert: x509.Certificate,
    public_key_der: bytes,
    *,
    organisation: str,
    common_name: str,
    agency_code: str,
    days: int,
) -> x509.Certificate:
    """Certify a document-signing key held elsewhere, from its SubjectPublicKeyInfo DER (as KMS GetPublicKey gives it).

    The agency code (the national code list's) goes into the subject's UID attribute, where Vietnamese CAs put an
    organisation's identifying code; the verifier reads it back from there.
    """
    public_key = serialization.load_der_public_key(public_key_der)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.USER_ID, agency_code),
    ])
    return (
        _leaf(subject, ca_cert, public_key, days)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)  # type: ignore[arg-type]
        .sign(ca_key, hashes.SHA256())
    )


def issue_timestamping_certificate(
    ca_key: CaKey, ca_cert: x509.Certificate, public_key_der: bytes, *, common_name: str, days: int = 365
) -> x509.Certificate:
    """A time-stamping authority's certificate (RFC 3161 requires the critical timeStamping EKU), for a local TSA."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return (
        _leaf(subject, ca_cert, serialization.load_der_public_key(public_key_der), days)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )


def _leaf(subject: x509.Name, ca_cert: x509.Certificate, public_key: Any, days: int) -> x509.CertificateBuilder:
    """What every certificate this CA issues to a key holder has: issuer, validity, not a CA, its issuer's key id."""
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_authority_key_id(ca_cert), critical=False)
    )


def certify_kms_key(kms: Any, key_id: str, ca_key: CaKey, ca_cert: x509.Certificate,
                    **subject: Any) -> x509.Certificate:
    """Certify the public half of a KMS asymmetric key; `subject` as for `issue_signing_certificate`."""
    public_key_der = kms.get_public_key(KeyId=key_id)["PublicKey"]
    return issue_signing_certificate(ca_key, ca_cert, public_key_der, **subject)


def certificate_pem(*certs: x509.Certificate) -> bytes:
    """PEM of one certificate or of a chain (leaf first), as configuration carries it."""
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


def private_key_pem(key: CaKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_ca(directory: Path) -> tuple[CaKey, x509.Certificate]:
    key = serialization.load_pem_private_key((directory / "ca-key.pem").read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{directory / 'ca-key.pem'} is not an EC key")
    return key, x509.load_pem_x509_certificate((directory / "ca.pem").read_bytes())


def write_ca(directory: Path, name: str, *, force: bool = False) -> tuple[CaKey, x509.Certificate]:
    """Create the CA in `directory`, or keep the one there: certificates issued by earlier runs stay valid."""
    directory.mkdir(parents=True, exist_ok=True)
    if not force and (directory / "ca.pem").exists() and (directory / "ca-key.pem").exists():
        return load_ca(directory)
    key, cert = create_ca(name)
    key_file = directory / "ca-key.pem"
    key_file.write_bytes(private_key_pem(key))
    key_file.chmod(0o600)
    (directory / "ca.pem").write_bytes(certificate_pem(cert))
    return key, cert


def _key_usage(**granted: bool) -> x509.KeyUsage:
    usages = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                            "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"), False)
    usages.update(granted)
    return x509.KeyUsage(**usages)


def _authority_key_id(ca_cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for ca.pem and ca-key.pem")
    parser.add_argument("--name", default="MotCua Local Test CA", help="the CA's organisation and common name")
    parser.add_argument("--force", action="store_true", help="replace a CA already in --out")
    args = parser.parse_args(argv)
    _, cert = write_ca(args.out, args.name, force=args.force)
    print(f"{args.out / 'ca.pem'}: {cert.subject.rfc4514_string()}, valid until {cert.not_valid_after_utc:%Y-%m-%d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
