"""Staff as the platform's directory knows them (chalicelib/store/staff.py): who a username is, their roles,
agency and unit, and whether they are enabled. The user pool only signs people in."""

from __future__ import annotations


def staff_member(username: str) -> dict | None:
    from ..store.staff import StaffStore

    member = StaffStore().by_username(username)
    if member is None:
        return None
    return {"id": member.id, "username": member.username, "name": member.name, "email": member.email,
            "agency_code": member.agency_code, "unit": member.unit, "roles": set(member.roles),
            "enabled": member.enabled, "title": member.title}
