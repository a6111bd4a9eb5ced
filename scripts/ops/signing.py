"""`signing`: the agencies' result-signing configuration (docs/documents.md, docs/operations.md).

- `signing status`: for each agency, whether results are signed, by which certificate (subject, expiry) and
  whether the KMS key is the one the certificate certifies;
- `signing csr --agency CODE`: a certificate signing request for the stage's KMS key, signed in KMS, to send to
  the certificate authority (the private key never leaves KMS);
- `signing install --agency CODE --chain FILE`: install the agency's certificate chain (PEM, the agency's
  certificate first) once the CA has issued it; refused when it does not certify the KMS key;
- `signing trust --roots FILE`: the root certificates signatures must chain to (results attached already signed,
  and POST /public/verifications).

`setup_local_signing` is what `make run` does instead: a local test CA (kept in build/local-ca) that certifies
the stage's key for every agency of the catalogue.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from scripts.ops.errors import OperatorError
from scripts.ops.stack import Stack

_SETTINGS = ("AWS_", "CONTROL_TABLE", "RESULT_SIGNING_KEY_ID", "MOTCUA_STAGE")
LOCAL_CA_NAME = "MotCua Local Test CA"


def _x520(name: str) -> str:
    """A name as a certificate's common name can carry it: X.520 caps it at 64, which `cryptography` counts in
    UTF-8 bytes (a Vietnamese letter may take three). A longer name is written without diacritics, as Vietnamese
    certificates often are, and cut on a word only if that is still too long."""
    import unicodedata

    if len(name.encode()) <= 64:
        return name
    folded = "".join(c for c in unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
                     if not unicodedata.combining(c))
    return folded if len(folded) <= 64 else folded[:65].rsplit(" ", 1)[0].rstrip(" -,")


def _kms():
    from chalicelib.store.aws import client

    return client("kms")


def _key_id(explicit: str | None) -> str:
    key_id = explicit or os.environ.get("RESULT_SIGNING_KEY_ID")
    if not key_id:
        raise OperatorError("no signing key: the stack has no RESULT_SIGNING_KEY_ID (give --key-id)")
    return key_id


def install_chain(agency_code: str, chain_pem: str, key_id: str, installed_by: str) -> None:
    """Install an agency's chain after checking that its first certificate certifies the KMS key."""
    from chalicelib.documents.signing import load_certificates
    from chalicelib.domain.agencies import agency
    from chalicelib.store import signing

    if agency(agency_code) is None:
        raise OperatorError(f"no agency {agency_code} in the catalogue")
    chain = load_certificates(chain_pem)
    if not chain:
        raise OperatorError("the file holds no PEM certificate")
    public_key = _kms().get_public_key(KeyId=key_id)["PublicKey"]
    if chain[0].public_key.dump() != public_key:
        raise OperatorError(f"the first certificate does not certify KMS key {key_id}: wrong chain or wrong key")
    signing.install_signer(signing.SignerConfig(agency_code, key_id, chain_pem,
                                                datetime.now(UTC).isoformat(timespec="seconds"), installed_by))


def setup_local_signing(ca_dir: Path) -> Path:
    """Local stack: a test CA (reused across runs) certifies the stage's key for every agency; the CA is the
    trust root. Returns the CA certificate's path (to import into a PDF reader, to see signatures as valid)."""
    from chalicelib.domain.agencies import all_agencies
    from chalicelib.store import signing
    from scripts.local_ca import certificate_pem, certify_kms_key, write_ca

    ca_key, ca_cert = write_ca(ca_dir, LOCAL_CA_NAME)
    key_id = _key_id(None)
    for found in all_agencies():
        cert = certify_kms_key(_kms(), key_id, ca_key, ca_cert, organisation=found.name_vi,
                               common_name=_x520(found.name_vi), agency_code=found.code, days=365)
        install_chain(found.code, certificate_pem(cert, ca_cert).decode(), key_id, "make run")
    signing.install_trust_roots(certificate_pem(ca_cert).decode(), "make run",
                                datetime.now(UTC).isoformat(timespec="seconds"))
    return ca_dir / "ca.pem"


def csr_pem(agency_code: str, key_id: str) -> str:
    """A PKCS #10 request for the KMS key, naming the agency, signed by KMS itself (RSA PKCS #1 v1.5, SHA-256)."""
    import base64

    from asn1crypto import csr, keys, x509

    from chalicelib.domain.agencies import agency

    found = agency(agency_code)
    if found is None:
        raise OperatorError(f"no agency {agency_code} in the catalogue")
    public_key = keys.PublicKeyInfo.load(_kms().get_public_key(KeyId=key_id)["PublicKey"])
    subject = x509.Name.build({"country_name": "VN", "organization_name": found.name_vi,
                               "common_name": _x520(found.name_vi), "user_id": found.code}, use_printable=False)
    info = csr.CertificationRequestInfo({"version": "v1", "subject": subject, "subject_pk_info": public_key,
                                         "attributes": []})
    signature = _kms().sign(KeyId=key_id, Message=info.dump(), MessageType="RAW",
                            SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")["Signature"]
    request = csr.CertificationRequest({"certification_request_info": info,
                                        "signature_algorithm": {"algorithm": "sha256_rsa"},
                                        "signature": signature})
    body = base64.encodebytes(request.dump()).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE REQUEST-----\n"


def status() -> list[dict]:
    from chalicelib.documents.signing import load_certificates
    from chalicelib.domain.agencies import all_agencies
    from chalicelib.store import signing

    signing.forget_cached()
    rows = []
    for found in all_agencies():
        config = signing.signer_for(found.code)
        row = {"agency_code": found.code, "signed": config is not None}
        if config is not None:
            chain = load_certificates(config.chain_pem)
            leaf = chain[0] if chain else None
            row.update({"key_id": config.key_id, "installed_at": config.installed_at,
                        "subject": leaf.subject.human_friendly if leaf else None,
                        "not_after": leaf["tbs_certificate"]["validity"]["not_after"].native.isoformat()
                        if leaf else None,
                        "key_matches": bool(leaf) and _kms().get_public_key(KeyId=config.key_id)["PublicKey"]
                        == leaf.public_key.dump()})
        rows.append(row)
    return rows


def signing_command(stack: Stack, action: str, agency_code: str | None, file: Path | None, key_id: str | None,
                    as_json: bool) -> int:
    os.environ.update(stack.app_environment(_SETTINGS))
    if action == "status":
        rows = status()
        if as_json:
            print(json.dumps(rows, ensure_ascii=False))
        for row in rows if not as_json else ():
            if not row["signed"]:
                print(f"{row['agency_code']:<16} results issued unsigned (no certificate installed)")
            else:
                ok = "key matches" if row["key_matches"] else "KEY DOES NOT MATCH THE CERTIFICATE"
                print(f"{row['agency_code']:<16} {row['subject']}  until {row['not_after']}  {ok}")
        return 0 if all(r.get("key_matches", True) for r in rows) else 1
    if action == "csr":
        print(csr_pem(_need(agency_code, "--agency"), _key_id(key_id)), end="")
        return 0
    if action == "install":
        path = _need(file, "--chain")
        install_chain(_need(agency_code, "--agency"), Path(path).read_text(), _key_id(key_id),
                      os.environ.get("USER", "operator"))
        print(f"installed: results of {agency_code} are signed with this chain from now on "
              "(running functions pick it up within 5 minutes)", file=sys.stderr)
        return 0
    if action == "trust":
        from chalicelib.documents.signing import load_certificates
        from chalicelib.store import signing

        pem = Path(_need(file, "--roots")).read_text()
        if not load_certificates(pem):
            raise OperatorError("the file holds no PEM certificate")
        signing.install_trust_roots(pem, os.environ.get("USER", "operator"),
                                    datetime.now(UTC).isoformat(timespec="seconds"))
        return 0
    raise OperatorError(f"unknown signing action {action}")


def _need(value, flag: str):
    if not value:
        raise OperatorError(f"{flag} is required")
    return value
