"""Seed data for a fresh stack: the procedure catalogue and the demo accounts.

    python -m scripts.demo --endpoint http://127.0.0.1:5000   # after scripts.provision

Seeding is idempotent: existing procedure versions and users are left as they are.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime

DEMO_PASSWORD = "Demo-Passw0rd!"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    group: str
    name: str
    email: str
    agency: str | None = None
    locale: str = "vi"
    unit: str | None = None


# Two provincial Departments of Labour (Hà Nội, Hồ Chí Minh City), the ministry and its overseas-labour
# department, as the seed catalogue names them, so every demo procedure has an officer who can receive it.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("citizen.an", "citizen", "Nguyễn Văn An", "an.nguyen@example.vn"),
    DemoAccount("citizen.binh", "citizen", "Trần Thị Bình", "binh.tran@example.vn"),
    DemoAccount("citizen.john", "citizen", "John Smith", "john.smith@example.com", locale="en"),
    DemoAccount("officer.hanoi", "officer", "Lê Thị Hoa", "hoa.le@example.vn", agency="000.00.20.H26"),
    DemoAccount("leader.hanoi", "leader", "Trần Văn Lãnh", "lanh.tran@example.vn", agency="000.00.20.H26",
                unit="viec-lam"),
    DemoAccount("specialist.hanoi", "specialist", "Phạm Thị Chuyên", "chuyen.pham@example.vn",
                agency="000.00.20.H26", unit="viec-lam"),
    DemoAccount("specialist.laodong", "specialist", "Hoàng Văn Lực", "luc.hoang@example.vn",
                agency="000.00.20.H26", unit="lao-dong"),
    DemoAccount("officer.hcm", "officer", "Phạm Minh Tuấn", "tuan.pham@example.vn", agency="000.00.20.H29"),
    DemoAccount("officer.overseas", "officer", "Đỗ Quang Huy", "huy.do@example.vn", agency="000.00.15.G07"),
    DemoAccount("officer.ministry", "officer", "Vũ Thu Trang", "trang.vu@example.vn", agency="000.00.00.G07"),
    # A partner agency for inter-agency (liên thông) steps, e.g. social-insurance checks on benefits.
    DemoAccount("officer.bhxh", "officer", "Ngô Thị Bảo", "bao.ngo@example.vn", agency="000.00.31.H26"),
    DemoAccount("admin", "admin", "Quản trị hệ thống", "admin@example.vn"),
)


def seed_catalogue() -> int:
    """Publish every seed procedure version that is not there yet; returns how many were added."""
    from chalicelib.domain.errors import Conflict
    from chalicelib.domain.procedures import load_seed_catalogue
    from chalicelib.store.procedures import ProcedureStore

    store = ProcedureStore()
    added = 0
    published_at = datetime.now(UTC).isoformat()
    for procedure in load_seed_catalogue():
        try:
            store.publish(procedure, published_at, "seed")
            added += 1
        except Conflict:
            pass
    return added


def create_account(idp, pool_id: str, account: DemoAccount, password: str = DEMO_PASSWORD) -> bool:
    """The account in its pool (citizens in the citizens' pool, staff in the staff pool). False: it was there."""
    attributes = [{"Name": "email", "Value": account.email}, {"Name": "email_verified", "Value": "true"},
                  {"Name": "name", "Value": account.name}, {"Name": "locale", "Value": account.locale}]
    try:
        idp.admin_create_user(UserPoolId=pool_id, Username=account.username, TemporaryPassword=password,
                              MessageAction="SUPPRESS", UserAttributes=attributes)
    except idp.exceptions.UsernameExistsException:
        return False
    idp.admin_set_user_password(UserPoolId=pool_id, Username=account.username, Password=password, Permanent=True)
    return True


def enrol_staff_totp(idp, client_id: str, username: str, password: str = DEMO_PASSWORD) -> str:
    """What a staff member does at their first sign-in: set up an authenticator app (TOTP). Its secret."""
    from scripts.pool_sign_in import enrol_totp

    tokens = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": password})
    if "AuthenticationResult" not in tokens:  # the pool asks for the set-up itself (Cognito does; moto does not)
        secret, _ = enrol_totp(idp, username, session=tokens["Session"])
    else:
        secret, _ = enrol_totp(idp, username, access_token=tokens["AuthenticationResult"]["AccessToken"])
    return secret


def seed_accounts(accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS) -> dict[str, str]:
    """The demo accounts, staff with a TOTP authenticator enrolled; returns the staff's TOTP secrets."""
    from chalicelib.settings import get_settings
    from chalicelib.store.aws import client

    idp, settings = client("cognito-idp"), get_settings()
    secrets: dict[str, str] = {}
    for account in accounts:
        if account.group == "citizen":
            if create_account(idp, settings.user_pool_id, account):
                idp.admin_add_user_to_group(UserPoolId=settings.user_pool_id, Username=account.username,
                                            GroupName="citizen")
        elif create_account(idp, settings.staff_pool_id, account):
            secrets[account.username] = enrol_staff_totp(idp, settings.staff_pool_client_id, account.username)
    seed_directory(accounts)
    return secrets


# What each demo account's directory entry says beside its role (citizens see staff by name and title).
TITLES = {"officer": "Cán bộ một cửa", "specialist": "Chuyên viên", "leader": "Lãnh đạo phòng",
          "admin": "Quản trị hệ thống"}


def seed_directory(accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS) -> None:
    """The staff accounts' authority in the platform's directory (citizens have none: they need none)."""
    from chalicelib.adapters.accounts import account_id
    from chalicelib.store.staff import StaffMember, StaffStore

    store = StaffStore()
    at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    seeder = {"id": "seed", "username": "make run", "name": None}
    for account in accounts:
        if account.group == "citizen":
            continue
        staff_id = account_id(account.username)
        if staff_id is None or store.get(staff_id) is not None:
            continue
        member = StaffMember(id=staff_id, username=account.username, name=account.name, email=account.email,
                             roles=(account.group,), agency_code=account.agency, unit=account.unit,
                             title=TITLES.get(account.group), updated_at=at, updated_by=seeder)
        store.create(member, {"created": {"roles": [account.group], "agency_code": account.agency,
                                          "unit": account.unit}}, at, seeder)


def sign_in(username: str, password: str = DEMO_PASSWORD, state: dict[str, str] | None = None) -> str:
    """An ID token from the stack's pools (locally, moto's), the way a client app gets one: staff answer the TOTP
    challenge with the secret `make run` enrolled (STAFF_TOTP_SECRETS in the stack's state)."""
    import os

    from chalicelib.store.aws import client
    from scripts.pool_sign_in import id_token

    return id_token(client("cognito-idp"), state if state is not None else os.environ, username, password)


def main(argv: list[str] | None = None) -> int:
    import os

    from scripts.provision import provision

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", default="http://127.0.0.1:5000")
    parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)
    os.environ.update(provision(args.endpoint, args.stage))
    print(f"procedures added: {seed_catalogue()}")
    secrets = seed_accounts()
    print(f"demo accounts: {', '.join(a.username for a in DEMO_ACCOUNTS)} (password {DEMO_PASSWORD})")
    for username, secret in secrets.items():
        print(f"  {username}: TOTP secret {secret}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
