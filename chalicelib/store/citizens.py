"""Citizens who sign in with the national identity (docs/identity.md), in the control table:

- `CITIZENID#<citizen id>`: the one platform account of that citizen ID (`ref`), created on the first sign-in
  with a conditional write, so two first sign-ins at once still make one account;
- `NONCE#<sha256 of issuer and nonce>`: a sign-in's nonce, bound to the token it came with (`request_hash`),
  kept until the token expires: another token with the same nonce is a replay.
"""

from __future__ import annotations

import contextlib
import hashlib
import time

from pynamodb.exceptions import DoesNotExist, PutError

from ..domain.ids import new_id
from .models import ControlModel, bind

# What the first sign-in keeps of the identity's claims, to start the citizen's profile from.
_DETAILS = (("issuer", "iss"), ("name", "name"), ("date_of_birth", "birthdate"), ("phone", "phone_number"),
            ("email", "email"))
_accounts: dict[str, str] = {}  # per container: a citizen ID's account never changes once made


def account_for(citizen_id: str, claims: dict) -> str:
    found = _accounts.get(citizen_id)
    if found:
        return found
    bind()
    pk = f"CITIZENID#{citizen_id}"
    # Made before (or just now, by a concurrent first sign-in) when the write is refused: read it below.
    details = {key: claims[claim] for key, claim in _DETAILS if claims.get(claim)}
    with contextlib.suppress(PutError):
        ControlModel(pk=pk, kind="citizen_account", ref=new_id(), created_at=str(int(time.time())),
                     doc=details).save(condition=ControlModel.pk.does_not_exist())
    account = ControlModel.get(pk, consistent_read=True).ref
    _accounts[citizen_id] = account
    return account


def identity_details(citizen_id: str) -> dict:
    """What the national identity said of this citizen at their first sign-in (name, birth date, contacts)."""
    bind()
    try:
        item = ControlModel.get(f"CITIZENID#{citizen_id}")
    except DoesNotExist:
        return {}
    return item.doc.as_dict() if item.doc else {}


def nonce_seen(issuer: str, nonce: str, expires_at: int, token_hash: str) -> bool:
    """True when another token already came with this issuer's nonce (a replay)."""
    bind()
    pk = "NONCE#" + hashlib.sha256(f"{issuer}\n{nonce}".encode()).hexdigest()
    try:
        ControlModel(pk=pk, kind="nonce", request_hash=token_hash, expires_at=int(expires_at) + 300).save(
            condition=ControlModel.pk.does_not_exist())
        return False
    except PutError:
        try:
            return ControlModel.get(pk, consistent_read=True).request_hash != token_hash
        except DoesNotExist:
            return False
