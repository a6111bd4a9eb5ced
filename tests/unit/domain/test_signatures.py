"""The national portal's request signature: HMAC-SHA256 over `<timestamp>.<body>`, within five minutes of the
platform's clock (docs/national-portal.md §1)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from chalicelib.domain.messages import MESSAGES
from chalicelib.domain.signatures import SignatureRefused, check, sign

SECRET = b"portal-shared-secret"
BODY = '{"MaHoSo": "G22.99-260302-000123", "ChuHoSo": "Nguyễn Văn An"}'.encode()
NOW = 1_772_417_730  # 2026-03-02 02:15:30 UTC


def _refused(timestamp: str | None, signature: str | None, body: bytes = BODY, now: float = NOW,
             secret: bytes = SECRET) -> str:
    with pytest.raises(SignatureRefused) as caught:
        check(secret, timestamp, signature, body, now)
    return caught.value.code


def test_the_signature_is_the_hex_hmac_of_the_timestamp_a_dot_and_the_body():
    expected = hmac.new(SECRET, f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == "sha256=" + expected
    assert expected == expected.lower() and len(expected) == 64


def test_a_good_signature_gives_the_signing_time():
    assert check(SECRET, str(NOW), sign(SECRET, NOW, BODY), BODY, NOW + 0.4) == NOW


def test_a_signature_within_the_allowed_skew_either_way_is_accepted():
    assert check(SECRET, str(NOW), sign(SECRET, NOW, BODY), BODY, NOW + 300) == NOW
    assert check(SECRET, str(NOW), sign(SECRET, NOW, BODY), BODY, NOW - 300) == NOW
    assert check(SECRET, str(NOW), sign(SECRET, NOW, BODY), BODY, NOW + 900, max_skew=900) == NOW


@pytest.mark.parametrize(("timestamp", "signature"), [
    (str(NOW), "sha256=" + sign(SECRET, NOW, BODY)[7:].upper()),
    (str(NOW), " " + sign(SECRET, NOW, BODY)), (str(NOW), sign(SECRET, NOW, BODY) + "\n"),
    (f" {NOW}", sign(SECRET, NOW, BODY)),
])
def test_a_good_signature_spelt_any_other_way_is_refused_so_the_header_is_a_sound_replay_key(timestamp, signature):
    assert _refused(timestamp, signature) == "portal.signature_invalid"


def test_an_empty_body_can_be_signed():
    assert check(SECRET, str(NOW), sign(SECRET, NOW, b""), b"", NOW) == NOW


@pytest.mark.parametrize(("timestamp", "signature"), [
    (None, "sha256=" + "ab" * 32), (str(NOW), None), (None, None), ("", "sha256=" + "ab" * 32), (str(NOW), ""),
    ("   ", "sha256=" + "ab" * 32),
])
def test_a_missing_header_is_refused_as_missing(timestamp, signature):
    assert _refused(timestamp, signature) == "portal.signature_missing"


def test_a_signature_made_with_another_secret_is_refused():
    assert _refused(str(NOW), sign(b"another-secret", NOW, BODY)) == "portal.signature_invalid"


def test_a_body_changed_after_signing_is_refused():
    assert _refused(str(NOW), sign(SECRET, NOW, BODY), body=BODY.replace(b"123", b"124")) == "portal.signature_invalid"


def test_a_timestamp_changed_after_signing_is_refused():
    assert _refused(str(NOW + 1), sign(SECRET, NOW, BODY)) == "portal.signature_invalid"


def test_a_timestamp_written_differently_from_how_it_was_signed_is_refused():
    assert _refused(f"0{NOW}", sign(SECRET, NOW, BODY)) == "portal.signature_invalid"


@pytest.mark.parametrize("skew", [301, 3600, NOW])
def test_a_signature_too_old_is_refused_as_stale(skew):
    timestamp = NOW - skew
    assert _refused(str(timestamp), sign(SECRET, timestamp, BODY)) == "portal.signature_stale"


@pytest.mark.parametrize("skew", [301, 86_400])
def test_a_signature_from_the_future_is_refused_as_stale(skew):
    timestamp = NOW + skew
    assert _refused(str(timestamp), sign(SECRET, timestamp, BODY)) == "portal.signature_stale"


def test_a_stale_request_with_a_wrong_signature_is_told_only_that_the_signature_is_wrong():
    timestamp = NOW - 3600
    assert _refused(str(timestamp), sign(b"another-secret", timestamp, BODY)) == "portal.signature_invalid"


@pytest.mark.parametrize("timestamp", ["abc", "-1772417730", "+1772417730", "1772417730.5", "1.7e9", "0x69A4F3C2",
                                       "１７７２４１７７３０", "1772417730 1", "9" * 13])
def test_a_timestamp_that_is_not_a_decimal_count_of_seconds_is_refused(timestamp):
    assert _refused(timestamp, sign(SECRET, NOW, BODY)) == "portal.signature_invalid"


@pytest.mark.parametrize("signature", [
    "sha1=" + "ab" * 32, "SHA256=" + "ab" * 32, "sha256:" + "ab" * 32, "ab" * 32, "sha256=",
    "sha256=" + "ab" * 31 + "a", "sha256=" + "ab" * 33, "sha256=" + "zz" * 32, "sha256=" + "AB" * 32,
    "sha256=" + "ab" * 31 + "áb", "sha256=" + "ab" * 32 + ",sha256=" + "cd" * 32,
])
def test_a_signature_header_of_the_wrong_form_is_refused(signature):
    assert _refused(str(NOW), signature) == "portal.signature_invalid"


def test_only_the_three_refusals_exist_and_each_has_wording_in_both_languages():
    for code in SignatureRefused.CODES | {"portal.signature_replayed", "portal.unknown_procedure",
                                          "portal.file_unreachable", "portal.hash_mismatch"}:
        vi, en = MESSAGES[code]
        assert vi.strip() and en.strip() and vi != en
    with pytest.raises(ValueError):
        SignatureRefused("portal.something_else")
