"""What result signing keeps in the control table (docs/documents.md, docs/data-model.md).

- `SIGNER#<agency code>`: the agency's signing configuration — the KMS key that holds its private key and the
  certificate chain (PEM, the agency's certificate first) that binds the key to the agency. Installed by an
  operator (`make signer-install`), or by `make run` with a local test CA.
- `SIGNATURE_TRUST`: the root certificates (PEM) a signature must chain to, for results attached already signed
  and for `POST /public/verifications`.
- `RESULT#<sha256>`: a result document the platform issued, by the hash of its exact bytes — written in the
  transaction that issues the result, so a document is "issued here" exactly when its dossier says so.

Configuration changes rarely and is read on every issue and verification: it is cached per container for
five minutes (`CACHE_SECONDS`), which is how long a new certificate can take to be used everywhere.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from .models import ControlModel, bind

CACHE_SECONDS = 300
_SIGNER, _TRUST, _RESULT = "SIGNER#", "SIGNATURE_TRUST", "RESULT#"
_cache: dict[str, tuple[float, object]] = {}


@dataclass(frozen=True)
class SignerConfig:
    agency_code: str
    key_id: str  # a KMS key id or ARN (KeyUsage SIGN_VERIFY)
    chain_pem: str  # the agency's certificate first, then the intermediates
    installed_at: str
    installed_by: str


def _get(pk: str) -> ControlModel | None:
    bind()
    try:
        return ControlModel.get(pk)
    except DoesNotExist:
        return None


def _cached(key: str, load):
    now = time.monotonic()
    hit = _cache.get(key)
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = load()
    _cache[key] = (now, value)
    return value


def forget_cached() -> None:
    """Tests and operator commands: read the configuration again on next use."""
    _cache.clear()


def signer_for(agency_code: str) -> SignerConfig | None:
    def load() -> SignerConfig | None:
        item = _get(_SIGNER + agency_code)
        if item is None or item.doc is None:
            return None
        doc = item.doc.as_dict()
        return SignerConfig(agency_code, doc["key_id"], doc["chain_pem"], item.created_at or "",
                            item.owner_id or "")

    return _cached(_SIGNER + agency_code, load)


def install_signer(config: SignerConfig) -> None:
    bind()
    ControlModel(pk=_SIGNER + config.agency_code, kind="signer", owner_id=config.installed_by,
                 created_at=config.installed_at,
                 doc={"key_id": config.key_id, "chain_pem": config.chain_pem}).save()
    _cache.pop(_SIGNER + config.agency_code, None)


def trust_roots_pem() -> str:
    def load() -> str:
        item = _get(_TRUST)
        return (item.doc.as_dict().get("pem") or "") if item is not None and item.doc is not None else ""

    return _cached(_TRUST, load)


def install_trust_roots(pem: str, installed_by: str, installed_at: str) -> None:
    bind()
    ControlModel(pk=_TRUST, kind="trust_roots", owner_id=installed_by, created_at=installed_at,
                 doc={"pem": pem}).save()
    _cache.pop(_TRUST, None)


def result_item(sha256: str, record: dict) -> ControlModel:
    """The `RESULT#` item for the issuing transaction (`record`: dossier id and code, agency, upload id, file
    name, issue time)."""
    return ControlModel(pk=_RESULT + sha256, kind="result", ref=record["dossier_id"],
                        created_at=record["issued_at"], doc=record)


def issued_result(sha256: str) -> dict | None:
    item = _get(_RESULT + sha256)
    return item.doc.as_dict() if item is not None and item.doc is not None else None
