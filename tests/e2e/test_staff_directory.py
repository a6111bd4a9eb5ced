"""The staff directory over HTTP: administrators invite, change, disable and enable staff through /admin/staff,
every change recorded; what a token may do is the directory's, so offboarding reaches tokens already issued and
nothing a user sets on their own account in the pool grants anything."""

from __future__ import annotations

import time
import uuid

import pytest

from scripts.pool_sign_in import id_token

from .conftest import PASSWORD, Api
from .test_processing import HANOI, UNIT, problem

pytestmark = pytest.mark.e2e

CACHE_SECONDS = 60  # DIRECTORY_CACHE_SECONDS: the most a container may trust what it read


def token_of(aws, stack, username: str) -> str:
    return id_token(aws("cognito-idp"), stack, username, PASSWORD)


def invite(api, aws, stack, roles: list[str], agency: str | None = HANOI, unit: str | None = None) -> dict:
    username = f"staff-{uuid.uuid4().hex[:8]}"
    created = api("admin").post("/admin/staff", {"username": username, "name": "Đặng Thị Mai",
                                                 "email": f"{username}@example.vn", "title": "Chuyên viên",
                                                 "roles": roles, "agency_code": agency, "unit": unit})
    assert created.status_code == 201, created.text
    aws("cognito-idp").admin_set_user_password(UserPoolId=stack["STAFF_POOL_ID"], Username=username,
                                               Password=PASSWORD, Permanent=True)
    return created.json()


def until(check, seconds: float = CACHE_SECONDS + 5) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not within the directory's cache time"
        time.sleep(1)


def test_an_invited_officer_works_and_every_change_is_recorded_with_who_and_when(api, aws, stack):
    member = invite(api, aws, stack, ["officer"])
    assert (member["roles"], member["agency_code"], member["enabled"], member["version"]) == (
        ["officer"], HANOI, True, 1)
    assert member["updated_by"]["username"] == "admin"
    officer = Api(stack["API_URL"], token_of(aws, stack, member["username"]))
    assert officer.get("/desk/dossiers").status_code == 200
    # Clients show their pages by what the platform says, not by the token (which names no group here).
    me = officer.get("/me").json()
    assert (me["roles"], me["agency_code"], me["name"]) == (["officer"], HANOI, "Đặng Thị Mai")

    detail = api("admin").get(f"/admin/staff/{member['username']}").json()
    assert [c["by"]["username"] for c in detail["changes"]] == ["admin"]
    assert detail["changes"][0]["changes"]["created"]["roles"] == ["officer"]
    listed = api("admin").get(f"/admin/staff?agency={HANOI}&limit=100")
    usernames = [m["username"] for m in listed.json()["items"]]
    assert member["username"] in usernames and usernames == sorted(usernames)


def test_disabling_reaches_the_token_already_held_and_enabling_restores_it(api, aws, stack):
    member = invite(api, aws, stack, ["officer"])
    officer = Api(stack["API_URL"], token_of(aws, stack, member["username"]))
    assert officer.get("/desk/dossiers").status_code == 200

    disabled = api("admin").post(f"/admin/staff/{member['username']}/disable")
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    until(lambda: officer.get("/desk/dossiers").status_code == 403)
    problem(officer.get("/desk/dossiers"), 403, "account_disabled")
    # Signed out of the pool too: no new token from the old password session either.
    with pytest.raises(Exception, match="NotAuthorized|disabled"):
        token_of(aws, stack, member["username"])

    enabled = api("admin").post(f"/admin/staff/{member['username']}/enable")
    assert enabled.json()["enabled"] is True
    until(lambda: officer.get("/desk/dossiers").status_code == 200)
    changes = api("admin").get(f"/admin/staff/{member['username']}").json()["changes"]
    assert [c["changes"].get("enabled") for c in changes[:2]] == [[False, True], [True, False]]


def test_a_role_taken_away_stops_working_on_the_token_already_held(api, aws, stack):
    member = invite(api, aws, stack, ["officer", "leader"], unit=UNIT)
    held = Api(stack["API_URL"], token_of(aws, stack, member["username"]))
    assert held.get("/desk/dossiers").status_code == 200
    changed = api("admin").request("PATCH", f"/admin/staff/{member['username']}", json={"roles": ["admin"],
                                                                                        "agency_code": None},
                                   headers={"If-Match": f'"{member["version"]}"'})
    assert changed.status_code == 200, changed.text
    until(lambda: held.get("/desk/dossiers").status_code == 403)
    stale = api("admin").request("PATCH", f"/admin/staff/{member['username']}", json={"title": "Trưởng phòng"},
                                 headers={"If-Match": f'"{member["version"]}"'})
    problem(stale, 409, "concurrent_update")


def test_what_a_user_sets_on_their_own_account_in_the_pool_grants_nothing(api, aws, stack, make_user):
    username = make_user("citizen")
    idp = aws("cognito-idp")
    # A pool edit an attacker might manage: groups and an agency attribute on their own account.
    idp.admin_add_user_to_group(UserPoolId=stack["USER_POOL_ID"], Username=username, GroupName="admin")
    idp.admin_update_user_attributes(UserPoolId=stack["USER_POOL_ID"], Username=username,
                                     UserAttributes=[{"Name": "custom:agency", "Value": HANOI}])
    citizen = Api(stack["API_URL"], token_of(aws, stack, username))
    problem(citizen.get("/desk/dossiers"), 403, "role_not_allowed")
    problem(citizen.get(f"/admin/staff?agency={HANOI}"), 403, "role_not_allowed")
    assert citizen.get("/dossiers").status_code == 200  # a citizen, as anyone who signs up


def test_only_administrators_manage_staff_and_never_their_own_authority(api):
    problem(api("officer.hanoi").get(f"/admin/staff?agency={HANOI}"), 403, "role_not_allowed")
    problem(api("officer.hanoi").post("/admin/staff/officer.hcm/disable"), 403, "role_not_allowed")
    problem(api("admin").post("/admin/staff/admin/disable"), 403, "staff_self_change")
    own = api("admin").request("PATCH", "/admin/staff/admin", json={"roles": ["admin", "leader"]})
    problem(own, 403, "staff_self_change")
    problem(api("admin").get("/admin/staff/no-such-person"), 404, "staff_not_found")


def test_a_placement_that_does_not_exist_is_refused_field_by_field(api):
    bad = api("admin").post("/admin/staff", {"username": "bad-placement", "name": "Ai đó", "email": "a@example.vn",
                                             "roles": ["specialist"], "agency_code": HANOI, "unit": "khong-co"})
    assert [(e["field"], e["code"]) for e in problem(bad, 422)["errors"]] == [("unit", "unit.unknown")]
    nowhere = api("admin").post("/admin/staff", {"username": "bad-agency", "name": "Ai đó", "email": "a@example.vn",
                                                 "roles": ["officer"], "agency_code": "000.00.00.X99"})
    assert [(e["field"], e["code"]) for e in problem(nowhere, 422)["errors"]] == [("agency_code", "agency.unknown")]
    taken = api("admin").post("/admin/staff", {"username": "officer.hanoi", "name": "Ai đó", "email": "a@example.vn",
                                               "roles": ["officer"], "agency_code": HANOI})
    assert [(e["field"], e["code"]) for e in problem(taken, 422)["errors"]] == [("username", "staff.username_taken")]
