"""Sign-in accounts in the staff pool: what the platform asks of Cognito when administrators manage staff. The
pool authenticates; what an account may do is the staff directory's (chalicelib/services/staff.py)."""

from __future__ import annotations

from ..domain.errors import FieldError, ValidationFailed
from ..settings import get_settings
from ..store.aws import client


def create_staff_account(username: str, email: str, name: str) -> str:
    """A new account with a verified email; Cognito mails the invitation with a temporary password. Its `sub`."""
    idp = client("cognito-idp")
    try:
        created = idp.admin_create_user(
            UserPoolId=get_settings().staff_pool_id, Username=username, DesiredDeliveryMediums=["EMAIL"],
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"},
                            {"Name": "name", "Value": name}])
    except idp.exceptions.UsernameExistsException as error:
        raise ValidationFailed([FieldError("username", "staff.username_taken", {"username": username})]) from error
    attributes = {a["Name"]: a["Value"] for a in created["User"].get("Attributes", [])}
    return attributes["sub"]


def account_id(username: str) -> str | None:
    """The `sub` of an existing account (None: no such account)."""
    idp = client("cognito-idp")
    try:
        user = idp.admin_get_user(UserPoolId=get_settings().staff_pool_id, Username=username)
    except idp.exceptions.UserNotFoundException:
        return None
    return next((a["Value"] for a in user.get("UserAttributes", []) if a["Name"] == "sub"), None)


def set_account_enabled(username: str, enabled: bool) -> None:
    """Disabling also signs the account out everywhere: no new tokens from its refresh tokens."""
    idp = client("cognito-idp")
    pool = get_settings().staff_pool_id
    try:
        if enabled:
            idp.admin_enable_user(UserPoolId=pool, Username=username)
        else:
            idp.admin_disable_user(UserPoolId=pool, Username=username)
            idp.admin_user_global_sign_out(UserPoolId=pool, Username=username)
    except idp.exceptions.UserNotFoundException:
        pass  # the directory still decides: an account removed from the pool signs nobody in
