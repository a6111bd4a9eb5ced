"""The national portal's request signature (docs/national-portal.md §1): `X-DVCQG-Timestamp` is the Unix time of
signing, `X-DVCQG-Signature` is `sha256=` + hex HMAC-SHA256(secret, `<timestamp>.` + raw body).

Pure: the caller gives the clock. Remembering used signatures (replays) is the caller's: it needs a store.
"""

from __future__ import annotations

import hashlib
import hmac
import re

PREFIX = "sha256="
MAX_SKEW_SECONDS = 300
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # decimal seconds; 12 digits reach far beyond any plausible clock
_HEX = re.compile(r"[0-9a-f]{64}")


class SignatureRefused(Exception):
    """Why a signed request is refused: `code` is a message code (domain/messages.py)."""

    CODES = frozenset({"portal.signature_missing", "portal.signature_invalid", "portal.signature_stale"})

    def __init__(self, code: str) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown signature refusal {code!r}")
        super().__init__(code)
        self.code = code


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    return PREFIX + _digest(secret, str(timestamp), body)


def _digest(secret: bytes, timestamp_text: str, body: bytes) -> str:
    return hmac.new(secret, timestamp_text.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def check(secret: bytes, timestamp_header: str | None, signature_header: str | None, body: bytes, now: float,
          max_skew: int = MAX_SKEW_SECONDS) -> int:
    """The signing time of a request the portal signed; SignatureRefused otherwise.

    Strict on form: a valid signature has exactly one spelling (lowercase hex, nothing around it), so the header
    as received is a sound key for refusing replays. The signature is judged before the time, so only a sender
    who holds the secret learns that its clock is off.
    """
    if not (timestamp_header or "").strip() or not (signature_header or "").strip():
        raise SignatureRefused("portal.signature_missing")
    if not _TIMESTAMP.fullmatch(timestamp_header):
        raise SignatureRefused("portal.signature_invalid")
    if not signature_header.startswith(PREFIX) or not _HEX.fullmatch(signature_header[len(PREFIX):]):
        raise SignatureRefused("portal.signature_invalid")
    # Over the header as sent, not its number re-printed: the sender signed the text it put in the header.
    if not hmac.compare_digest(PREFIX + _digest(secret, timestamp_header, body), signature_header):
        raise SignatureRefused("portal.signature_invalid")
    timestamp = int(timestamp_header)
    if abs(now - timestamp) > max_skew:
        raise SignatureRefused("portal.signature_stale")
    return timestamp
