"""Staff as the user pool knows them: who a username is, their groups, agency and unit."""

from __future__ import annotations

from ..settings import get_settings
from ..store.aws import client


def staff_member(username: str) -> dict | None:
    idp = client("cognito-idp")
    pool = get_settings().user_pool_id
    try:
        user = idp.admin_get_user(UserPoolId=pool, Username=username)
    except idp.exceptions.UserNotFoundException:
        return None
    attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username=username).get("Groups", [])
    return {"id": attributes.get("sub"), "username": username, "name": attributes.get("name") or username,
            "email": attributes.get("email"),
            "agency_code": attributes.get("custom:agency"), "unit": attributes.get("custom:unit"),
            "roles": {g["GroupName"] for g in groups}, "enabled": user.get("Enabled", True)}
