"""Staff sign-in in a real browser: the staff pool's password and TOTP code at #/staff/sign-in, an invited member's
first sign-in (a new password, then an authenticator app set up from the secret the page shows), and the short
staff tokens renewed while the officer works — or the session ended, and said so, when the pool refuses."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import boto3
import pytest

from scripts.pool_sign_in import TOTP_STEP, fresh_totp_code, totp_code
from tests.e2e.conftest import Api

from .conftest import STAFF_TOTP, Tab, axe_check, open_page, sign_in, staff_credentials
from .stack_api import id_token
from .steps import unexpected

pytestmark = pytest.mark.browser

HANOI = "000.00.20.H26"
TEMPORARY_PASSWORD = "Tam-Thoi-Passw0rd"
CHOSEN_PASSWORD = "Cua-Rieng-Passw0rd-2026"
DESK = "Bàn làm việc"


def stored_session(page: Any) -> dict[str, Any]:
    return json.loads(page.evaluate("sessionStorage.getItem('motcua.session')") or "null")


def near_expiry(page: Any, **changes: Any) -> dict[str, Any]:
    """The tab's session as if its ID token had a minute left (less than the two at which the client renews)."""
    held = stored_session(page)
    changed = {**held, "expiresAt": int(time.time() * 1000) + 60_000, **changes}
    page.evaluate("s => sessionStorage.setItem('motcua.session', s)", json.dumps(changed))
    return held


def at_desk(tab: Tab, web_url: str, username: str) -> None:
    """Signed in and at the desk with its queue loaded, and all it looks up for it: nothing left for a reload to
    cut short."""
    with tab.page.expect_request_finished(lambda r: "/desk/dossiers" in r.url):
        sign_in(tab.page, web_url, username)
    tab.settle()


def invited(stack: dict[str, str]) -> str:
    """A member the demo administrator invites through /admin/staff, with the temporary password the pool's
    invitation would carry (FORCE_CHANGE_PASSWORD until the first sign-in)."""
    username = f"staff-{uuid.uuid4().hex[:8]}"
    admin = Api(stack["API_URL"], id_token(stack, "admin"))
    member = {"username": username, "name": "Đặng Thị Mai", "title": "Chuyên viên", "email": f"{username}@example.vn",
              "roles": ["officer"], "agency_code": HANOI}
    created = admin.post("/admin/staff", member)
    assert created.status_code == 201, created.text
    idp = boto3.client("cognito-idp", endpoint_url=stack["MOTO_ENDPOINT"], region_name="ap-southeast-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    idp.admin_set_user_password(UserPoolId=stack["STAFF_POOL_ID"], Username=username, Password=TEMPORARY_PASSWORD,
                                Permanent=False)
    return username


def first_sign_in(page: Any, web_url: str, username: str, check: bool = False) -> str:
    """An invited member's first sign-in through the pages: the temporary password, a new one, the authenticator
    set up from the secret shown (checked for its groups and otpauth link when `check`), the desk. The secret."""
    from playwright.sync_api import expect

    staff_credentials(page, web_url, username, TEMPORARY_PASSWORD)
    expect(page.locator("#main h1")).to_have_text("Đặt mật khẩu mới")
    expect(page.locator("#field-new-password")).to_be_focused()
    if check:
        axe_check(page, "staff sign-in: new password")
        page.locator("#field-new-password").fill(CHOSEN_PASSWORD)
        page.locator("#field-confirm-password").fill(CHOSEN_PASSWORD + "x")
        page.locator("#main form button[type=submit]").click()
        expect(page.locator("#field-confirm-password-error")).to_contain_text("không giống nhau")
    page.locator("#field-new-password").fill(CHOSEN_PASSWORD)
    page.locator("#field-confirm-password").fill(CHOSEN_PASSWORD)
    page.locator("#main form button[type=submit]").click()

    expect(page.locator("#main h1")).to_have_text("Cài đặt ứng dụng xác thực")
    shown = page.locator("#totp-secret").inner_text().strip()
    secret = shown.replace(" ", "")
    if check:
        assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", shown), shown
        assert page.locator("#totp-link").get_attribute("href") == (
            f"otpauth://totp/MotCua:{username}?secret={secret}&issuer=MotCua")
        expect(page.locator("#field-code")).to_be_focused()
        axe_check(page, "staff sign-in: authenticator set-up")
    page.locator("#field-code").fill(fresh_totp_code(secret))
    with page.expect_request_finished(lambda r: "/desk/dossiers" in r.url):  # the queue loaded, not just its heading
        page.locator("#main form button[type=submit]").click()
    expect(page.locator("#main h1")).to_have_text(DESK)
    return secret


def test_the_sign_in_page_leads_staff_to_their_own_sign_in_where_a_demo_officer_uses_a_code_and_reaches_the_desk(
        tab: Tab, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    page = tab.page
    open_page(page, web_url, "/sign-in")
    page.get_by_role("link", name="Đăng nhập dành cho cán bộ").click()
    expect(page.locator("#main h1")).to_have_text("Đăng nhập dành cho cán bộ")
    axe_check(page, "staff sign-in")

    staff_credentials(page, web_url, "officer.hanoi")
    expect(page.locator("#main h1")).to_have_text("Nhập mã xác thực")
    code = page.locator("#field-code")
    expect(code).to_be_focused()
    assert (code.get_attribute("autocomplete"), code.get_attribute("inputmode")) == ("one-time-code", "numeric")
    expect(page.locator(f"label[for={code.get_attribute('id')}]")).to_have_text("Mã xác thực")
    axe_check(page, "staff sign-in: code")
    code.fill(fresh_totp_code(STAFF_TOTP["officer.hanoi"]))
    page.locator("#main form button[type=submit]").click()

    expect(page.locator("#main h1")).to_have_text(DESK)
    assert page.evaluate("location.hash") == "#/desk"
    held = stored_session(page)
    # The session renews itself with the staff pool's client: its refresh token is kept with it, in the tab only.
    assert held["clientId"] == web_stack["STAFF_POOL_CLIENT_ID"] and held["refreshToken"]
    assert "officer" in held["groups"]
    assert tab.errors == []


def test_a_wrong_code_is_refused_at_its_field_and_the_right_one_then_signs_in(tab: Tab, web_url: str) -> None:
    from playwright.sync_api import expect

    page = tab.page
    secret = STAFF_TOTP["leader.hanoi"]
    staff_credentials(page, web_url, "leader.hanoi")
    code = page.locator("#field-code")
    code.wait_for(state="visible")
    code.fill("12ab")
    page.locator("#main form button[type=submit]").click()
    expect(page.locator("#field-code-error")).to_contain_text("gồm đúng 6 chữ số")

    now = fresh_totp_code(secret)
    wrong = next(c for c in (totp_code(secret, time.time() + k * TOTP_STEP) for k in range(10, 20)) if c != now)
    code.fill(wrong)
    page.locator("#main form button[type=submit]").click()
    expect(page.locator("#field-code-error")).to_contain_text("Mã xác thực không đúng")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert code.get_attribute("aria-invalid") == "true"
    axe_check(page, "staff sign-in: wrong code")

    expect(page.locator("#main h1")).to_have_text("Nhập mã xác thực")  # the same step, to try again
    code.fill(fresh_totp_code(secret))
    page.locator("#main form button[type=submit]").click()
    expect(page.locator("#main h1")).to_have_text(DESK)
    assert unexpected(tab.errors, 400) == [], tab.errors


def test_an_invited_member_chooses_a_password_sets_up_an_authenticator_and_signs_in_with_it_next_time(
        tab: Tab, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    page = tab.page
    username = invited(web_stack)
    secret = first_sign_in(page, web_url, username, check=True)
    expect(page.locator("#account")).to_contain_text("Đặng Thị Mai")

    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, web_url, username, CHOSEN_PASSWORD, totp_secret=secret)
    expect(page.locator("#main h1")).to_have_text(DESK)
    assert unexpected(tab.errors, 400) == [], tab.errors


def test_a_token_near_its_end_is_renewed_before_the_next_call_and_the_desk_keeps_working(
        tab: Tab, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    page = tab.page
    at_desk(tab, web_url, "specialist.hanoi")
    held = near_expiry(page)

    # The desk again (a reload: the tab keeps its session): its first API call goes with a renewed token.
    with page.expect_request(lambda r: "/desk/dossiers" in r.url) as listed, \
            page.expect_request(lambda r: r.headers.get("x-amz-target", "").endswith(".InitiateAuth")) as renewal:
        page.reload()
    expect(page.locator("#main h1")).to_have_text(DESK)
    body = json.loads(renewal.value.post_data)
    assert (body["AuthFlow"], body["ClientId"]) == ("REFRESH_TOKEN_AUTH", web_stack["STAFF_POOL_CLIENT_ID"])
    renewed = stored_session(page)
    assert renewed["idToken"] != held["idToken"] and renewed["refreshToken"] == held["refreshToken"]
    assert renewed["expiresAt"] > time.time() * 1000 + 10 * 60_000
    assert listed.value.headers["authorization"] == f"Bearer {renewed['idToken']}"
    assert listed.value.response().status == 200
    assert tab.errors == []


def test_an_idle_tab_renews_its_token_by_itself_before_it_expires(tab: Tab, web_url: str) -> None:
    page = tab.page
    at_desk(tab, web_url, "officer.hanoi")
    open_page(page, web_url, "/staff/sign-in")  # a page that calls no API: only the timer can renew
    held = near_expiry(page)
    page.reload()
    page.wait_for_function("old => JSON.parse(sessionStorage.getItem('motcua.session')).idToken !== old",
                           arg=held["idToken"], timeout=20_000)
    assert stored_session(page)["expiresAt"] > time.time() * 1000 + 10 * 60_000
    assert tab.errors == []


def test_a_renewal_the_pool_refuses_ends_the_session_and_the_staff_sign_in_page_says_so(
        tab: Tab, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    page = tab.page
    username = invited(web_stack)
    first_sign_in(page, web_url, username)
    # Offboarded: disabling signs the member out of the pool everywhere, so their refresh token is refused.
    disabled = Api(web_stack["API_URL"], id_token(web_stack, "admin")).post(f"/admin/staff/{username}/disable")
    assert disabled.status_code == 200, disabled.text
    near_expiry(page)
    page.reload()

    page.wait_for_function("() => location.hash.startsWith('#/staff/sign-in')")
    expect(page.locator("#main h1")).to_have_text("Đăng nhập dành cho cán bộ")
    expect(page.locator("#main")).to_contain_text("Phiên làm việc của bạn đã kết thúc")
    expect(page.locator("#account")).to_contain_text("Đăng nhập")
    assert stored_session(page) is None
    assert "next=%2Fdesk" in page.evaluate("location.hash")
    assert unexpected(tab.errors, 400) == [], tab.errors
