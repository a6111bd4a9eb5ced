"""The TOTP codes the scripts and tests answer the staff pool with are RFC 6238's (the RFC's own SHA-1 vectors)."""

from __future__ import annotations

import pytest

from scripts.pool_sign_in import totp_code

# RFC 6238 appendix B: the ASCII secret "12345678901234567890", here in base32 as authenticator apps take it.
SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.mark.parametrize(("at", "code"), [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"),
                                          (2000000000, "279037")])
def test_the_codes_are_those_of_rfc_6238(at, code):
    assert totp_code(SECRET, at) == code


def test_a_lower_case_or_unpadded_secret_gives_the_same_code():
    assert totp_code(SECRET.lower(), 59) == totp_code(SECRET, 59)
    assert totp_code("asdfasdfasdf", 59) == totp_code("ASDFASDFASDF", 59)
