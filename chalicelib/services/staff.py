"""The staff directory kept by the platform (docs/identity.md): administrators invite staff, change their roles,
agency and unit, disable and enable them; every change is recorded with who and when. A token only proves who
the caller is; `authority` reads what they may do from the directory, cached per container for at most
`DIRECTORY_CACHE_SECONDS` (60), so a disabled member or a removed role stops working within that time."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from ..domain.agencies import agency
from ..domain.errors import FieldError, Forbidden, NotFound, ValidationFailed, check
from ..domain.principal import Principal
from ..domain.states import Role
from ..settings import get_settings
from ..store.staff import StaffMember, StaffStore

STAFF_ROLES = (Role.OFFICER, Role.SPECIALIST, Role.LEADER, Role.ADMIN)
_UNIT_ROLES = {Role.SPECIALIST.value, Role.LEADER.value}
_cache: dict[str, tuple[float, StaffMember | None]] = {}
_lock = threading.Lock()


def authority(staff_id: str) -> StaffMember | None:
    """The caller's directory entry (None: not staff), as this container last read it within the cache time."""
    ttl = get_settings().directory_cache_seconds
    now = time.monotonic()
    with _lock:
        hit = _cache.get(staff_id)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    member = StaffStore().get(staff_id)
    with _lock:
        if len(_cache) > 10_000:  # a container serves many citizens: keep the memory bounded
            _cache.clear()
        _cache[staff_id] = (now, member)
    return member


def forget(staff_id: str | None = None) -> None:
    """Drop what this container remembers (a change made here takes effect here at once)."""
    with _lock:
        if staff_id is None:
            _cache.clear()
        else:
            _cache.pop(staff_id, None)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _by(principal: Principal) -> dict:
    return {"id": principal.id, "username": principal.username, "name": principal.name}


def _check_placement(roles: list[str], agency_code: str | None, unit: str | None) -> list[FieldError]:
    errors: list[FieldError] = []
    known = {r.value for r in STAFF_ROLES}
    for role in roles:
        if role not in known:
            errors.append(FieldError("roles", "staff.role_unknown", {"role": role}))
    if not roles:
        errors.append(FieldError("roles", "field.too_short"))
    works_in_agency = [r for r in roles if r != Role.ADMIN.value]
    found = agency(agency_code) if agency_code else None
    if works_in_agency and found is None:
        errors.append(FieldError("agency_code", "agency.unknown", {"agency_code": agency_code or ""}))
    # Specialists and leaders work in one of their agency's units, when it has units (a partner agency may not).
    needs_unit = found is not None and bool(found.units) and bool(set(roles) & _UNIT_ROLES)
    if found is not None and (unit is not None or needs_unit) and (unit is None or found.unit(unit) is None):
        errors.append(FieldError("unit", "unit.unknown", {"unit": unit or "", "agency_code": found.code}))
    return errors


def _not_self(principal: Principal, member: StaffMember) -> None:
    # Nobody changes their own authority, administrators included: another administrator must.
    if principal.id == member.id:
        raise Forbidden("staff_self_change")


def _find(username: str) -> StaffMember:
    member = StaffStore().by_username(username) if username and len(username) <= 128 else None
    if member is None:
        raise NotFound("staff_not_found")
    return member


def get_member(username: str) -> tuple[StaffMember, list[dict]]:
    member = _find(username)
    return member, StaffStore().changes(member.id)


def list_members(agency_code: str, limit: int, cursor: str | None) -> tuple[list[StaffMember], str | None]:
    if agency(agency_code) is None:
        raise ValidationFailed([FieldError("agency", "agency.unknown", {"agency_code": agency_code})])
    return StaffStore().list_agency(agency_code, limit, cursor)


def invite(principal: Principal, request) -> StaffMember:
    """A new staff member: the sign-in account in the user pool (an invitation with a temporary password goes to
    their email), and their authority in the directory."""
    from ..adapters import accounts

    roles = sorted(set(request.roles))
    check(_check_placement(roles, request.agency_code, request.unit))
    if StaffStore().by_username(request.username) is not None:
        raise ValidationFailed([FieldError("username", "staff.username_taken", {"username": request.username})])
    staff_id = accounts.create_staff_account(request.username, request.email, request.name)
    member = StaffMember(id=staff_id, username=request.username, name=request.name, email=request.email,
                         roles=tuple(roles), agency_code=request.agency_code, unit=request.unit,
                         title=request.title, enabled=True, version=1, updated_at=_now(), updated_by=_by(principal))
    StaffStore().create(member, {"created": {"roles": roles, "agency_code": request.agency_code,
                                             "unit": request.unit}}, member.updated_at, _by(principal))
    return member


def change(principal: Principal, username: str, request, expected_version: int | None = None) -> StaffMember:
    """Roles, agency, unit, name or title; only what the request names changes."""
    member = _find(username)
    _not_self(principal, member)
    if expected_version is not None and expected_version != member.version:
        from ..domain.errors import Conflict

        raise Conflict("concurrent_update")
    # `null` clears a unit or a title; a member always keeps a name and at least one role.
    wanted = {k: v for k, v in request.model_dump(exclude_unset=True).items()
              if not (k in ("roles", "name") and v is None)}
    if "roles" in wanted:
        wanted["roles"] = tuple(sorted(set(wanted["roles"])))
    updated = StaffMember(**{**member.to_dict(), "roles": member.roles, **wanted})
    if {"roles", "agency_code", "unit"} & wanted.keys():
        check(_check_placement(list(updated.roles), updated.agency_code, updated.unit))
    changes = {k: [_plain(getattr(member, k)), _plain(v)] for k, v in wanted.items() if getattr(member, k) != v}
    if not changes:
        return member
    return _write(principal, member, updated, changes)


def set_enabled(principal: Principal, username: str, enabled: bool) -> StaffMember:
    """Disable (or enable again): the directory says so at once, and a disabled account is also signed out of
    the user pool everywhere; tokens already issued stop working within the cache time."""
    from ..adapters import accounts

    member = _find(username)
    _not_self(principal, member)
    if member.enabled == enabled:
        return member
    accounts.set_account_enabled(member.username, enabled)
    return _write(principal, member, StaffMember(**{**member.to_dict(), "roles": member.roles, "enabled": enabled}),
                  {"enabled": [member.enabled, enabled]})


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def _write(principal: Principal, member: StaffMember, updated: StaffMember, changes: dict) -> StaffMember:
    at = _now()
    updated = StaffMember(**{**updated.to_dict(), "roles": updated.roles, "version": member.version + 1,
                             "updated_at": at, "updated_by": _by(principal)})
    StaffStore().update(updated, member.version, changes, at, _by(principal))
    forget(member.id)
    return updated


def member_view(member: StaffMember) -> dict:
    return member.to_dict()
