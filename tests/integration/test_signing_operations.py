"""The operator's side of signed results, on moto in-process: a certificate request signed in KMS for the stage's
key, installing an agency's chain (refused when it does not certify the key), the status report, and the local
test CA that `make run` sets up."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from chalicelib.store import signing
from scripts import local_ca
from scripts.ops.errors import OperatorError
from scripts.ops.signing import csr_pem, install_chain, setup_local_signing, status

from .conftest import AGENCY


@pytest.fixture
def key_id(stack) -> str:
    signing.forget_cached()
    return stack["RESULT_SIGNING_KEY_ID"]


def test_the_stack_s_signing_key_is_an_rsa_signing_key_in_kms(stack, key_id):
    import boto3

    meta = boto3.client("kms", region_name="ap-southeast-1").describe_key(KeyId=key_id)["KeyMetadata"]
    assert (meta["KeyUsage"], meta["KeySpec"]) == ("SIGN_VERIFY", "RSA_3072")


def test_a_certificate_request_names_the_agency_and_is_signed_by_the_kms_key(key_id):
    request = x509.load_pem_x509_csr(csr_pem(AGENCY, key_id).encode())
    assert request.is_signature_valid
    assert request.subject.get_attributes_for_oid(NameOID.USER_ID)[0].value == AGENCY
    assert request.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value.startswith("Sở Lao động")


def test_a_chain_for_another_key_is_refused_and_the_right_one_installed(key_id):
    import boto3

    kms = boto3.client("kms", region_name="ap-southeast-1")
    other = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    ca_key, ca_cert = local_ca.create_ca("Test CA")
    subject = {"organisation": "Sở", "common_name": "Sở", "agency_code": AGENCY, "days": 30}
    wrong = local_ca.certificate_pem(local_ca.certify_kms_key(kms, other, ca_key, ca_cert, **subject)).decode()
    with pytest.raises(OperatorError, match="does not certify"):
        install_chain(AGENCY, wrong, key_id, "tester")
    assert signing.signer_for(AGENCY) is None

    right = local_ca.certificate_pem(local_ca.certify_kms_key(kms, key_id, ca_key, ca_cert, **subject),
                                     ca_cert).decode()
    install_chain(AGENCY, right, key_id, "tester")
    installed = signing.signer_for(AGENCY)
    assert (installed.key_id, installed.chain_pem, installed.installed_by) == (key_id, right, "tester")
    with pytest.raises(OperatorError, match="no agency"):
        install_chain("000.00.00.X99", right, key_id, "tester")


def test_the_local_test_ca_certifies_the_key_for_every_agency(key_id, tmp_path):
    ca_file = setup_local_signing(tmp_path / "ca")
    rows = status()
    assert rows and all(row["signed"] and row["key_matches"] for row in rows)
    assert signing.trust_roots_pem() == ca_file.read_text()
    # A second run keeps the CA: results signed before stay trusted.
    assert setup_local_signing(tmp_path / "ca").read_text() == ca_file.read_text()
