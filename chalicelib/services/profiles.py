"""A citizen's own profile (docs/identity.md): full name, citizen ID, date of birth, contacts, language — kept
in the control table (`PROFILE#<account>`) to pre-fill their next submission, and theirs to correct. For an
account of the national identity, the name and the citizen ID are the identity's and stay as it says."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pynamodb.exceptions import DoesNotExist

from ..domain.errors import FieldError, Forbidden, check
from ..domain.identity import check_citizen_id, check_email, check_phone
from ..domain.principal import Principal
from ..domain.states import Role
from ..store.models import ControlModel, bind

NATIONAL_PREFIX = "vneid:"  # the username of an account signed in with the national identity
_FIELDS = ("full_name", "citizen_id", "date_of_birth", "phone", "email", "address", "language")


def _citizen(principal: Principal) -> None:
    if Role.CITIZEN not in principal.roles:
        raise Forbidden("role_not_allowed")


def _national(principal: Principal) -> dict:
    """What the national identity fixes: its citizen ID, and the name it gave at sign-in."""
    if not principal.username.startswith(NATIONAL_PREFIX):
        return {}
    fixed = {"citizen_id": principal.username.removeprefix(NATIONAL_PREFIX)}
    if principal.name:
        fixed["full_name"] = principal.name
    return fixed


def read(principal: Principal) -> dict:
    _citizen(principal)
    fixed = _national(principal)
    bind()
    try:
        item = ControlModel.get(f"PROFILE#{principal.id}")
        stored, updated_at = (item.doc.as_dict() if item.doc else {}), item.created_at
    except DoesNotExist:
        stored, updated_at = {"full_name": principal.name, "email": principal.email,
                              "language": principal.locale}, None
        if fixed:  # the first form starts from what the national identity says
            from ..store.citizens import identity_details

            details = identity_details(fixed["citizen_id"])
            phone = details.get("phone") or ""
            stored.update({"date_of_birth": details.get("date_of_birth"), "email": details.get("email"),
                           "phone": "0" + phone[3:] if phone.startswith("+84") else phone or None})
    profile = {name: stored.get(name) for name in _FIELDS}
    profile.update(fixed)
    profile["language"] = profile["language"] or "vi"
    return {**profile, "national_identity": bool(fixed), "updated_at": updated_at}


def write(principal: Principal, request) -> dict:
    _citizen(principal)
    wanted = request.model_dump(mode="json")
    errors: list[FieldError] = []
    for name, value in _national(principal).items():
        if wanted.get(name) not in (None, value):
            errors.append(FieldError(name, "profile.fixed_by_national_identity"))
    if wanted.get("citizen_id"):
        born = date.fromisoformat(wanted["date_of_birth"]) if wanted.get("date_of_birth") else None
        code = check_citizen_id(wanted["citizen_id"], born)
        if code:
            errors.append(FieldError("citizen_id", code))
    for name, checker in (("phone", check_phone), ("email", check_email)):
        if wanted.get(name):
            code = checker(wanted[name])
            if code:
                errors.append(FieldError(name, code))
    check(errors)
    wanted.update(_national(principal))
    bind()
    at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    ControlModel(pk=f"PROFILE#{principal.id}", kind="profile", owner_id=principal.id, created_at=at,
                 doc={k: v for k, v in wanted.items() if v is not None}).save()
    return read(principal)


