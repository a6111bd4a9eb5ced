"""Citizens' accounts in a real browser: an account made on the sign-up page (the user pool's SignUp and
ConfirmSignUp; the local pool takes any code), the profile that pre-fills the next submission and is kept from it,
and sign-in with the national identity through the stand-in provider's own page (authorization code with PKCE)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import boto3
import pytest
import requests

from scripts.standins.identity_provider import CITIZENS

from .conftest import Tab, axe_check, open_page, screenshot, sign_in
from .stack_api import PROCEDURE
from .steps import APPLICATION_FORM, PHOTO, choose_file, show, unexpected

pytestmark = pytest.mark.browser

PASSWORD = "Mat-khau-2026!"
NEW_DOSSIER = f"/my/new/{PROCEDURE}"
NATIONAL_BUTTON = "Đăng nhập bằng tài khoản định danh điện tử (VNeID)"
# What the citizen keeps in their profile, and the form's inputs it must fill in.
PROFILE = {"citizen-id": "001195012345", "phone": "0912345678", "address": "5 Hàng Bài, Hoàn Kiếm, Hà Nội"}
BORN = ("12", "04", "1995")
PREFILLED = {
    "field-applicant-citizen-id": PROFILE["citizen-id"],
    "field-applicant-date-of-birth": BORN[0],
    "field-applicant-date-of-birth-month": BORN[1],
    "field-applicant-date-of-birth-year": BORN[2],
    "field-applicant-phone": PROFILE["phone"],
    "field-applicant-address": PROFILE["address"],
}


def new_email() -> str:
    return f"lan.anh.{uuid.uuid4().hex[:8]}@example.vn"


def signed_up(stack: dict[str, str], email: str, name: str) -> None:
    """An account made and confirmed behind the client's back (the user pool's API, as the sign-up page uses it),
    for the tests whose subject starts after sign-up."""
    idp = boto3.client("cognito-idp", endpoint_url=stack["MOTO_ENDPOINT"], region_name="ap-southeast-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    idp.sign_up(ClientId=stack["USER_POOL_CLIENT_ID"], Username=email, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": name}])
    idp.confirm_sign_up(ClientId=stack["USER_POOL_CLIENT_ID"], Username=email, ConfirmationCode="123456")


def error_links(page: Any) -> list[str]:
    return page.locator("#main .govuk-error-summary a").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def test_a_citizen_signs_up_verifies_keeps_a_profile_and_finds_the_next_form_filled_in(tab: Tab,
                                                                                       web_url: str) -> None:
    from playwright.sync_api import expect

    page = tab.page
    open_page(page, web_url, "/sign-in")
    page.get_by_role("link", name="Tạo tài khoản công dân").click()
    expect(page.locator("#main h1")).to_have_text("Tạo tài khoản")
    axe_check(page, "sign-up")

    # Sent empty: every field says what it needs, the password its rules, before anything reaches the pool.
    page.get_by_role("button", name="Tạo tài khoản", exact=True).click()
    expect(page.locator("#main .govuk-error-summary")).to_be_focused()
    assert error_links(page) == ["#field-email", "#field-name", "#field-password"]
    expect(page.locator("#field-password-error")).to_contain_text("ít nhất 10 ký tự")
    axe_check(page, "sign-up with its error summary")

    email = new_email()
    page.locator("#field-email").fill(email)
    page.locator("#field-name").fill("Hoàng Thị Lan Anh")
    page.locator("#field-password").fill(PASSWORD)
    page.get_by_role("button", name="Tạo tài khoản", exact=True).click()
    expect(page.locator("#main h1")).to_have_text("Xác minh địa chỉ email")
    axe_check(page, "verification code")
    screenshot(page, "sign-up-verify")
    page.locator("#field-code").fill("123456")  # the local pool takes any code; the real one emails it
    page.get_by_role("button", name="Xác minh", exact=True).click()

    # Signed in at once, as a citizen: their (empty) dossiers, their name in the header.
    expect(page.locator("#main h1")).to_have_text("Hồ sơ của tôi")
    expect(page.locator("#main")).to_contain_text("Bạn chưa nộp hồ sơ nào.")
    expect(page.locator("#account")).to_contain_text("Hoàng Thị Lan Anh")
    assert page.evaluate("Object.keys(localStorage).filter(k => /token|session/i.test(k))") == []

    page.locator("#account").get_by_role("link", name="Thông tin cá nhân").click()
    expect(page.locator("#main h1")).to_have_text("Thông tin cá nhân")
    expect(page.locator("#field-full-name")).to_have_value("Hoàng Thị Lan Anh")  # from the account
    expect(page.locator("#field-email")).to_have_value(email)
    axe_check(page, "profile")

    # The API's own word, at the field: this citizen ID does not belong to someone born in 1995.
    page.locator("#field-citizen-id").fill("001199012345")
    for box, value in zip(("", "-month", "-year"), BORN, strict=True):
        page.locator(f"#field-date-of-birth{box}").fill(value)
    page.locator("#field-phone").fill(PROFILE["phone"])
    page.locator("#field-address").fill(PROFILE["address"])
    page.get_by_role("button", name="Lưu thông tin", exact=True).click()
    expect(page.locator("#main .govuk-error-summary")).to_be_focused()
    assert error_links(page) == ["#field-citizen-id"]
    expect(page.locator("#field-citizen-id-error")).to_contain_text("năm sinh")
    axe_check(page, "profile with an error")

    page.locator("#field-citizen-id").fill(PROFILE["citizen-id"])
    page.get_by_role("button", name="Lưu thông tin", exact=True).click()
    expect(page.locator("#main .govuk-notification-banner--success")).to_contain_text("Đã lưu")
    screenshot(page, "profile")

    show(page, web_url, NEW_DOSSIER, "Nộp hồ sơ trực tuyến")
    page.locator("#field-applicant-full-name").wait_for()
    expect(page.locator("#field-applicant-full-name")).to_have_value("Hoàng Thị Lan Anh")
    for field_id, value in PREFILLED.items():
        expect(page.locator(f"#{field_id}")).to_have_value(value)
    expect(page.locator("#field-applicant-email")).to_have_value(email)
    expect(page.locator("#field-keep-profile")).to_be_checked()
    axe_check(page, "new dossier form, pre-filled")

    # The same address again: the pool refuses it, and the page says so at the email field.
    page.locator("#account").get_by_role("button", name="Đăng xuất").click()
    show(page, web_url, "/sign-up", "Tạo tài khoản")
    page.locator("#field-email").fill(email.upper())
    page.locator("#field-name").fill("Người khác")
    page.locator("#field-password").fill(PASSWORD)
    page.get_by_role("button", name="Tạo tài khoản", exact=True).click()
    expect(page.locator("#field-email-error")).to_contain_text("Đã có tài khoản với địa chỉ email này")
    assert unexpected(tab.errors, 400, 422) == []  # the answers provoked on purpose only


def test_the_details_of_a_submission_are_kept_for_next_time_unless_the_citizen_unticks_it(
        tab: Tab, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    page = tab.page
    email = new_email()
    signed_up(web_stack, email, "Đỗ Minh Khang")
    sign_in(page, web_url, email, PASSWORD)
    show(page, web_url, NEW_DOSSIER, "Nộp hồ sơ trực tuyến")
    page.locator("#field-applicant-full-name").wait_for()
    expect(page.locator("#field-applicant-citizen-id")).to_have_value("")  # nothing kept yet
    typed = {"field-applicant-citizen-id": "001092004567", "field-applicant-date-of-birth": "3",
             "field-applicant-date-of-birth-month": "9", "field-applicant-date-of-birth-year": "1992",
             "field-applicant-address": "18 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội", "field-applicant-phone": "0987001122",
             "field-summary": "Đề nghị hưởng trợ cấp thất nghiệp"}
    for field_id, value in typed.items():
        page.locator(f"#{field_id}").fill(value)
    for field, path in {"components.application-form": APPLICATION_FORM, "components.termination-proof": PHOTO,
                        "components.social-insurance-book": APPLICATION_FORM}.items():
        choose_file(page, field, path)
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    panel = page.locator("#main .govuk-panel--confirmation")
    expect(panel).to_be_visible(timeout=15_000)
    expect(page.locator("#main")).to_contain_text("Đã lưu thông tin người nộp cho lần nộp sau.")

    page.get_by_role("link", name="Thông tin cá nhân").last.click()
    expect(page.locator("#main h1")).to_have_text("Thông tin cá nhân")
    expect(page.locator("#field-citizen-id")).to_have_value("001092004567")
    expect(page.locator("#field-date-of-birth")).to_have_value("03")
    expect(page.locator("#field-date-of-birth-month")).to_have_value("09")
    expect(page.locator("#field-phone")).to_have_value("0987001122")
    expect(page.locator("#field-address")).to_have_value("18 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội")
    expect(page.locator("#field-full-name")).to_have_value("Đỗ Minh Khang")

    # Unticked: the next submission leaves the profile as it is.
    show(page, web_url, NEW_DOSSIER, "Nộp hồ sơ trực tuyến")
    page.locator("#field-applicant-full-name").wait_for()
    expect(page.locator("#field-applicant-phone")).to_have_value("0987001122")
    page.locator("#field-applicant-phone").fill("0912000111")
    page.locator("#field-keep-profile").uncheck()
    page.locator("#field-summary").fill("Đề nghị hưởng trợ cấp thất nghiệp lần hai")
    for field, path in {"components.application-form": APPLICATION_FORM, "components.termination-proof": PHOTO,
                        "components.social-insurance-book": APPLICATION_FORM}.items():
        choose_file(page, field, path)
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    expect(page.locator("#main .govuk-panel--confirmation")).to_be_visible(timeout=15_000)
    expect(page.locator("#main")).not_to_contain_text("Đã lưu thông tin người nộp")
    show(page, web_url, "/my/profile", "Thông tin cá nhân")
    expect(page.locator("#field-phone")).to_have_value("0987001122")
    assert tab.errors == []


def national_sign_in(page: Any, web_url: str, web_stack: dict[str, str], citizen_name: str,
                     route: str = "/sign-in") -> None:
    """The button on the sign-in page, then the stand-in provider's own page: the citizen's row's button."""
    open_page(page, web_url, route)
    page.get_by_role("button", name=NATIONAL_BUTTON, exact=True).click()
    page.wait_for_url(re.compile(rf"^{re.escape(web_stack['CITIZEN_IDP_URL'])}/authorize\?"))
    page.get_by_role("button", name=f"Đăng nhập / Sign in: {citizen_name}").click()


def test_a_citizen_signs_in_with_the_national_identity_and_finds_their_dossiers(
        tab: Tab, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    page = tab.page
    citizen = CITIZENS[3]  # Phạm Thị Thu Hà: no other browser test signs in as her
    open_page(page, web_url, "/sign-in")
    axe_check(page, "sign-in with the national identity's button")
    national_sign_in(page, web_url, web_stack, citizen.name, route="/sign-in?next=%2Fmy%2Fdossiers")

    expect(page.locator("#main h1")).to_have_text("Hồ sơ của tôi")
    expect(page.locator("#account")).to_contain_text(f"Xin chào, {citizen.name}")
    expect(page.locator("#main")).to_contain_text("Bạn chưa nộp hồ sơ nào.")
    # The code is gone from the address (a reload never sends it twice); the attempt's secrets with it.
    assert "code=" not in page.url and page.url.endswith("#/my/dossiers"), page.url
    assert page.evaluate("sessionStorage.getItem('motcua.national')") is None

    page.locator("#account").get_by_role("link", name="Thông tin cá nhân").click()
    expect(page.locator("#main h1")).to_have_text("Thông tin cá nhân")
    summary = page.locator("#main .govuk-summary-list")
    expect(summary).to_contain_text(citizen.name)
    expect(summary).to_contain_text(citizen.citizen_id)
    expect(page.locator("#field-full-name")).to_have_count(0)  # the identity's: shown, not editable
    expect(page.locator("#field-citizen-id")).to_have_count(0)
    axe_check(page, "profile of a national identity")

    show(page, web_url, NEW_DOSSIER, "Nộp hồ sơ trực tuyến")
    expect(page.locator("#field-applicant-citizen-id")).to_have_value(citizen.citizen_id)

    page.locator("#account").get_by_role("button", name="Đăng xuất").click()
    expect(page.locator("#account")).to_contain_text("Đăng nhập")
    assert page.evaluate("sessionStorage.getItem('motcua.session')") is None
    # The provider's page asks for its favicon, which the stand-in does not have.
    assert unexpected(tab.errors, 404) == []


def test_the_client_refuses_a_national_sign_in_it_did_not_start_cancelled_or_without_its_nonce(
        tab: Tab, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    page = tab.page
    summary = page.locator("#main .govuk-error-summary")

    # An answer this tab never asked for (another's code, say): refused before any token is fetched.
    page.goto(f"{web_url}/?code=someone-elses&state=forged#/")
    expect(page.locator("#main h1")).to_have_text("Đăng nhập")
    expect(summary).to_contain_text("không khớp")
    assert "code=" not in page.url

    # Cancelled on the provider's page.
    open_page(page, web_url, "/sign-in")
    page.get_by_role("button", name=NATIONAL_BUTTON, exact=True).click()
    page.get_by_role("button", name="Hủy / Cancel").click()
    expect(summary).to_contain_text("Bạn đã hủy đăng nhập bằng định danh điện tử.")

    # A token that does not carry this attempt's nonce.
    assert requests.post(f"{web_stack['CITIZEN_IDP_URL']}/_sim/faults", json={"fault": "missing_nonce"},
                         timeout=10).ok
    national_sign_in(page, web_url, web_stack, CITIZENS[4].name)
    expect(page.locator("#main h1")).to_have_text("Đăng nhập")
    expect(summary).to_contain_text("không thuộc lần đăng nhập này")
    expect(page.locator("#account")).not_to_contain_text("Đăng xuất")
    assert page.evaluate("sessionStorage.getItem('motcua.session')") is None
    axe_check(page, "sign-in after a refused national sign-in")
    assert unexpected(tab.errors, 404) == []
