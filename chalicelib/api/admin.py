"""Accounts: administrators manage the staff directory; a citizen keeps their own profile (docs/identity.md).
Heavy imports happen inside the handlers."""

from __future__ import annotations

from chalice import Blueprint

from .contract import operation, queries, requests, responses
from .http import json_response

bp = Blueprint(__name__)
TAG = "Administration"
ADMIN = ("admin",)


def _admin():
    from ..domain.states import Role
    from .auth import authenticate, require

    principal = authenticate(bp.current_request)
    require(principal, Role.ADMIN)
    return principal


def _member(member, status: int = 200):
    return json_response(member.to_dict(), status, {"ETag": f'"{member.version}"'})


@operation(bp, "GET", "/admin/staff", summary="The staff of an agency, as the directory keeps them", tag=TAG,
           query=queries.StaffList, response=responses.StaffPage, roles=ADMIN)
def list_staff(query):
    """By username, a page at a time."""
    from ..services import staff

    _admin()
    members, cursor = staff.list_members(query.agency, query.limit, query.cursor)
    return json_response({"items": [m.to_dict() for m in members], "next_cursor": cursor})


@operation(bp, "POST", "/admin/staff", summary="Invite a staff member", tag=TAG, body=requests.InviteStaff,
           response=responses.StaffMember, status=201, roles=ADMIN)
def invite_staff(body):
    """Creates the sign-in account (the user pool emails an invitation with a temporary password) and the
    member's authority: roles, agency and, for specialists and leaders, the unit. An administrator needs no
    agency. Recorded with who and when."""
    from ..services import staff

    return _member(staff.invite(_admin(), body), 201)


@operation(bp, "GET", "/admin/staff/{username}", summary="A staff member and every change made to them", tag=TAG,
           response=responses.StaffDetail, roles=ADMIN)
def get_staff(username):
    from ..services import staff

    _admin()
    member, changes = staff.get_member(username)
    return json_response({**member.to_dict(), "changes": changes}, 200, {"ETag": f'"{member.version}"'})


@operation(bp, "PATCH", "/admin/staff/{username}", summary="Change a staff member's roles, agency, unit or title",
           tag=TAG, body=requests.ChangeStaff, response=responses.StaffMember, problems=(409,), headers=("If-Match",),
           roles=ADMIN)
def change_staff(username, body):
    """Only the fields given change; `If-Match` with the member's ETag refuses a stale change (409). Nobody changes
    their own authority (403 `staff_self_change`). Takes effect on tokens already issued within 60 seconds."""
    from ..services import staff
    from .present import expected_version

    principal = _admin()
    return _member(staff.change(principal, username, body, expected_version(bp.current_request.headers)))


@operation(bp, "POST", "/admin/staff/{username}/disable", summary="Disable a staff member", tag=TAG,
           response=responses.StaffMember, roles=ADMIN)
def disable_staff(username):
    """Refused on every request from then on, tokens already issued included (within 60 seconds), and signed out
    of the user pool everywhere."""
    from ..services import staff

    return _member(staff.set_enabled(_admin(), username, False))


@operation(bp, "POST", "/admin/staff/{username}/enable", summary="Enable a disabled staff member again", tag=TAG,
           response=responses.StaffMember, roles=ADMIN)
def enable_staff(username):
    from ..services import staff

    return _member(staff.set_enabled(_admin(), username, True))


@operation(bp, "GET", "/me", summary="Who the caller is and what the platform lets them do", tag="Account",
           response=responses.Me)
def who_am_i():
    """The roles, agency and unit come from the staff directory for a staff-pool sign-in (a client shows its pages
    by them); anyone signed in through the citizens' pool or a national identity is a citizen."""
    from .auth import authenticate

    principal = authenticate(bp.current_request)
    return json_response({"id": principal.id, "username": principal.username, "name": principal.name,
                          "roles": sorted(r.value for r in principal.roles), "agency_code": principal.agency_code,
                          "unit": principal.unit})


@operation(bp, "GET", "/me/profile", summary="The citizen's own profile", tag="Account", response=responses.Profile)
def my_profile():
    """What pre-fills the citizen's next submission. Before they save one: what their account says."""
    from ..services import profiles
    from .auth import authenticate

    return json_response(profiles.read(authenticate(bp.current_request)))


@operation(bp, "PUT", "/me/profile", summary="Keep or correct the citizen's own profile", tag="Account",
           body=requests.Profile, response=responses.Profile)
def save_my_profile(body):
    """Replaces the profile. The citizen ID is checked (with the date of birth), as are the phone and email; for
    an account of the national identity the name and citizen ID are the identity's
    (422 `profile.fixed_by_national_identity` for another value)."""
    from ..services import profiles
    from .auth import authenticate

    return json_response(profiles.write(authenticate(bp.current_request), body))
