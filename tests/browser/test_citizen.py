"""The citizen's side in a real browser: a dossier submitted with real files through the form, followed in "my
dossiers" and on its own page, received by the desk; and the same form filled by keyboard alone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import Tab, axe_check, open_page, screenshot, sign_in
from .stack_api import PROCEDURE
from .steps import (
    APPLICATION_FORM,
    CODE,
    DATE,
    PHOTO,
    choose_file,
    open_action,
    open_at_desk,
    show,
    signed_in,
    unexpected,
)

pytestmark = pytest.mark.browser

NEW_DOSSIER = f"/my/new/{PROCEDURE}"
# examples/submission-person.json, as the applicant types it.
APPLICANT = {
    "field-applicant-full-name": "Nguyễn Văn An",
    "field-applicant-citizen-id": "001090012345",
    "field-applicant-date-of-birth": "12",
    "field-applicant-date-of-birth-month": "05",
    "field-applicant-date-of-birth-year": "1990",
    "field-applicant-address": "12 Phố Huế, Hai Bà Trưng, Hà Nội",
    "field-applicant-phone": "0912345678",
    "field-applicant-email": "an.nguyen@example.vn",
    "field-summary": "Đề nghị hưởng trợ cấp thất nghiệp sau khi chấm dứt hợp đồng lao động ngày 31/12/2025",
}
# Every required component of 1.001978 and the real file chosen for it.
CHOSEN_FILES = {
    "components.application-form": APPLICATION_FORM,
    "components.termination-proof": PHOTO,
    "components.social-insurance-book": APPLICATION_FORM,
}


def submitted_code(page: Any) -> tuple[str, str]:
    """The code on the confirmation panel and the dossier's id from its link."""
    from playwright.sync_api import expect

    panel = page.locator("#main .govuk-panel--confirmation")
    expect(panel).to_be_visible(timeout=15_000)
    code = panel.locator(".app-code").inner_text().strip()
    href = page.get_by_role("link", name=f"Xem hồ sơ {code}").get_attribute("href")
    return code, href.rsplit("/", 1)[-1]


def test_a_citizen_submits_a_dossier_with_real_files_and_sees_the_appointment_once_the_desk_receives_it(
        browser: Any, tab: Tab, web_url: str) -> None:
    from playwright.sync_api import expect

    page = tab.page
    open_page(page, web_url, "/sign-in")
    axe_check(page, "sign-in")
    sign_in(page, web_url, "citizen.an")

    show(page, web_url, NEW_DOSSIER, "Nộp hồ sơ trực tuyến")
    page.locator("#field-applicant-full-name").wait_for()
    axe_check(page, "new dossier form")
    page.locator("#field-applicant-full-name").fill("")
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    summary = page.locator("#main .govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("a[href='#field-applicant-full-name']")).to_be_visible()
    expect(summary.locator("a[href='#field-components-application-form']")).to_be_visible()
    axe_check(page, "new dossier form with its error summary")

    page.reload()  # a clean form for the picture; the errors above have made their point
    expect(page.locator("#main .govuk-error-summary")).to_have_count(0)

    for field_id, value in APPLICANT.items():
        page.locator(f"#{field_id}").fill(value)
    for field, path in CHOSEN_FILES.items():
        choose_file(page, field, path)
    expect(page.locator("#field-delivery-method")).to_be_checked()  # online, the procedure is fully online
    screenshot(page, "citizen-new-dossier")
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    code, dossier_id = submitted_code(page)
    assert CODE.match(code), code

    show(page, web_url, "/my/dossiers", "Hồ sơ của tôi")
    expect(page.get_by_role("link", name=code, exact=True)).to_have_attribute("href", f"#/my/dossiers/{dossier_id}")
    axe_check(page, "my dossiers")
    page.get_by_role("link", name=code, exact=True).click()
    expect(page.locator("#main h1")).to_have_text(f"Hồ sơ {code}")
    expect(page.locator("#main .govuk-summary-list").first).to_contain_text("Mới đăng ký")
    axe_check(page, "dossier page, submitted")

    officer = signed_in(browser, web_url, "officer.hanoi")
    desk = officer.page
    try:
        expect(desk.locator("#main h1")).to_have_text("Bàn làm việc")
        expect(desk.get_by_role("link", name=code, exact=True)).to_be_visible()  # the queue, not its loading page
        axe_check(desk, "desk queue")
        screenshot(desk, "desk-queue")
        open_at_desk(desk, web_url, code)
        form = open_action(desk, "Tiếp nhận hồ sơ")
        axe_check(desk, "desk dossier page with the receive form open")
        screenshot(desk, "desk-dossier")
        form.locator("#field-note").fill("Đủ thành phần hồ sơ, hẹn trả kết quả theo phiếu tiếp nhận")
        form.locator("button[type=submit]").click()
        expect(desk.locator("#main .govuk-notification-banner--success")).to_contain_text("Đã tiếp nhận")
        assert officer.errors == []
    finally:
        officer.close()

    page.reload()  # the page as the API now has it; the session lives on in the tab
    expect(page.locator("#main h1")).to_have_text(f"Hồ sơ {code}")
    overview = page.locator("#main .govuk-summary-list").first
    expect(overview).to_contain_text("Đã tiếp nhận")
    appointment = overview.locator(".govuk-summary-list__row", has_text="Ngày hẹn trả kết quả").locator("strong")
    assert DATE.match(appointment.inner_text().strip()), appointment.inner_text()
    axe_check(page, "dossier page, received")
    screenshot(page, "citizen-dossier")
    assert unexpected(tab.errors, 422) == []  # the empty form's answer only


def focus_ring(page: Any) -> dict[str, str]:
    """The focused element's id and what draws its focus: outline and box-shadow as computed."""
    return page.evaluate("""() => {
        const el = document.activeElement, s = getComputedStyle(el);
        return {id: el.id, tag: el.tagName.toLowerCase(), type: el.type || "", text: (el.innerText || "").trim(),
                outline: s.outlineStyle === "none" || s.outlineWidth === "0px" ? "none" : s.outlineStyle,
                shadow: s.boxShadow};
    }""")


def assert_focus_visible(ring: dict[str, str]) -> None:
    assert ring["outline"] != "none" or ring["shadow"] != "none", f"no visible focus on {ring}"


def test_a_citizen_fills_and_submits_the_form_with_the_keyboard_alone_and_always_sees_the_focus(
        tab: Tab, web_url: str) -> None:
    from playwright.sync_api import expect

    page = tab.page
    sign_in(page, web_url, "citizen.an")
    show(page, web_url, NEW_DOSSIER, "Nộp hồ sơ trực tuyến")
    page.locator("#field-applicant-full-name").wait_for()
    keyboard = page.keyboard

    # From the page's top to the form's first field by Tab alone.
    for _ in range(30):
        keyboard.press("Tab")
        if focus_ring(page)["id"] == "field-applicant-full-name":
            break
    else:
        pytest.fail("Tab never reached the applicant's name")

    reached, files = [], dict(CHOSEN_FILES)
    for _ in range(60):
        ring = focus_ring(page)
        assert_focus_visible(ring)
        reached.append(ring["id"] or ring["text"])
        if ring["id"] in APPLICANT:
            if not page.locator(f"#{ring['id']}").input_value():  # the name comes filled in from the account
                keyboard.type(APPLICANT[ring["id"]])
        elif ring["type"] == "file":
            field = ring["id"].removeprefix("field-").replace("components-", "components.", 1)
            # The file dialog is the system's: the file is given to the focused input, as the dialog would.
            page.locator(f"#{ring['id']}").set_input_files(str(files.pop(field)))
            expect(page.locator(f"#{ring['id']}-files")).to_contain_text("Đã kiểm tra", timeout=20_000)
            expect(page.locator(f"#{ring['id']}")).to_be_focused()
        elif ring["id"] == "field-delivery-method":
            keyboard.press("Space")  # online
        elif ring["id"] == "field-sms-opt-in":
            keyboard.press("Space")
            expect(page.locator("#field-sms-opt-in")).to_be_checked()
        elif ring["tag"] == "button" and ring["text"] == "Nộp hồ sơ":
            break
        keyboard.press("Tab")
    else:
        pytest.fail(f"Tab never reached the submit button; reached {reached}")

    assert not files, f"file inputs never reached: {list(files)}"
    assert set(APPLICANT) <= set(reached), f"fields never reached: {set(APPLICANT) - set(reached)}"
    # Back one step and forward again: the order holds both ways.
    keyboard.press("Shift+Tab")
    assert focus_ring(page)["id"] == "field-sms-opt-in"
    keyboard.press("Tab")
    keyboard.press("Enter")
    code, _ = submitted_code(page)
    assert CODE.match(code), code
    expect(page.locator("#main h1")).to_be_focused()  # the confirmation is read out first
    assert tab.errors == []


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back_to_the_form(tab: Tab, web_url: str) -> None:
    from playwright.sync_api import expect

    page = tab.page
    show(page, web_url, NEW_DOSSIER, "Đăng nhập")
    assert re.search(r"next=%2Fmy%2Fnew%2F1\.001978", page.url), page.url
    page.locator("#field-username").fill("citizen.an")
    page.locator("#field-password").fill("Demo-Passw0rd!")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.locator("#main h1")).to_have_text("Nộp hồ sơ trực tuyến")
    assert tab.errors == []
