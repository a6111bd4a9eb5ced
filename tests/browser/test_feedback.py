"""Feedback and petitions in a real browser (docs/feedback.md): someone not signed in files feedback through the form
and is shown its code and its key once; the officer finds it in the desk's queue, answers and publishes it; the
person opens it again with the key and rates the answer; the public list shows the answer without the person's name
or phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import DESKTOP, Tab, axe_check, open_page, screenshot
from .steps import People, show, unexpected

pytestmark = pytest.mark.browser

HANOI = "000.00.20.H26"  # officer.hanoi's agency
WORK_PERMIT = "1.014199"
NAME, PHONE = "Đặng Thị Thu", "0903 112 233"
TITLE = "Hẹn trả giấy phép lao động nhiều lần"
CONTENT = f"Tôi là {NAME}, điện thoại {PHONE}. Tôi đã đến bộ phận một cửa ba lần mà chưa nhận được giấy phép."
ANSWER = f"Kính gửi bà {NAME}: giấy phép đã được ký, mời bà nhận tại Bộ phận một cửa."
FEEDBACK_CODE = re.compile(rf"^PAKN-{re.escape(HANOI)}-\d{{6}}-\d{{4}}$")


@pytest.fixture
def people(browser: Any, web_url: str) -> Any:
    opened = People(browser, web_url)
    yield opened
    opened.close()


def file_feedback(page: Any, web_url: str) -> tuple[str, str]:
    """Through #/feedback/new, signed out: the contact's email and phone left out first (the API's errors at both
    fields), then the phone given. Returns the code and the key the confirmation shows."""
    from playwright.sync_api import expect

    show(page, web_url, "/feedback", "Phản ánh, kiến nghị")
    page.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()  # the start link
    expect(page.locator("#main h1")).to_have_text("Gửi phản ánh, kiến nghị")
    page.get_by_label("Phản ánh", exact=True).check()
    page.locator("#field-agency-code").select_option(HANOI)
    expect(page.locator(f"#field-procedure-code option[value='{WORK_PERMIT}']")).to_have_count(1)
    page.locator("#field-procedure-code").select_option(WORK_PERMIT)
    page.locator("#field-title").fill(TITLE)
    page.locator("#field-content").fill(CONTENT)
    page.locator("#field-contact-name").fill(NAME)
    axe_check(page, "the feedback form")
    submit = page.get_by_role("button", name="Gửi phản ánh, kiến nghị", exact=True)
    submit.click()
    summary = page.locator("#main .govuk-error-summary")
    expect(summary).to_be_focused()
    for field in ("contact-email", "contact-phone"):
        expect(summary.locator(f"a[href='#field-{field}']")).to_contain_text("thư điện tử hoặc số điện thoại")
        expect(page.locator(f"#field-{field}-error")).to_be_visible()
    axe_check(page, "the feedback form with the API's errors")

    page.locator("#field-contact-phone").fill(PHONE)
    submit.click()
    panel = page.locator("#main .govuk-panel--confirmation")
    expect(panel).to_be_visible()
    code = page.locator("#feedback-code").inner_text().strip()
    key = page.locator("#feedback-key").inner_text().strip()
    assert FEEDBACK_CODE.match(code), code
    assert len(key) >= 24, key
    expect(page.locator("#main")).to_contain_text("chỉ hiển thị một lần")
    axe_check(page, "the feedback confirmation")
    screenshot(page, "feedback-filed")
    return code, key


def handle_at_the_desk(page: Any, web_url: str, code: str) -> None:
    """The officer: from the work queue to the feedback queue, the item, its answer and its publication."""
    from playwright.sync_api import expect

    show(page, web_url, "/desk", "Bàn làm việc")
    page.get_by_role("link", name="Phản ánh, kiến nghị cần xử lý").click()
    expect(page.locator("#main h1")).to_have_text("Phản ánh, kiến nghị cần xử lý")
    row = page.locator("#main tbody tr", has_text=code)
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("còn")  # working days left, in words
    axe_check(page, "the desk's feedback queue")
    row.get_by_role("link", name=code).click()
    expect(page.locator("#main h1")).to_have_text(f"Phản ánh, kiến nghị {code}")
    expect(page.locator("#main")).to_contain_text(PHONE)  # the agency sees how to reach the person
    axe_check(page, "the desk's feedback item")

    steps = page.locator("#feedback-steps > .govuk-button-group")
    steps.get_by_role("button", name="Trả lời", exact=True).click()
    form = page.locator("#feedback-step-panel form")
    form.locator("#field-text").fill(ANSWER)
    form.get_by_role("button", name="Trả lời", exact=True).click()
    banner = page.locator("#main .govuk-notification-banner--success")
    expect(banner).to_contain_text("Đã thực hiện: Trả lời")
    expect(banner).to_be_focused()

    steps.get_by_role("button", name="Công khai câu trả lời", exact=True).click()
    form = page.locator("#feedback-step-panel form")
    expect(form.locator("#field-title")).to_have_value(TITLE)  # prefilled with the item's own texts
    expect(form.locator("#field-answer")).to_have_value(ANSWER)
    expect(page.locator("#feedback-step-panel")).to_contain_text("tự động thay bằng […]")
    axe_check(page, "the publish form")
    form.get_by_role("button", name="Công khai câu trả lời", exact=True).click()
    expect(banner).to_contain_text("Trạng thái hiện tại: Đã công khai")
    expect(page.locator("#main")).to_contain_text("Không còn bước nào")


def test_feedback_filed_without_an_account_is_answered_published_and_rated_by_its_key(
        tab: Tab, people: People, browser: Any, web_url: str) -> None:
    from playwright.sync_api import expect

    person = tab.page
    code, key = file_feedback(person, web_url)
    # The tab keeps the key: the item opens in full, its time limits ahead.
    person.get_by_role("link", name=f"Xem phản ánh, kiến nghị {code}").click()
    expect(person.locator("#main h1")).to_have_text(f"Phản ánh, kiến nghị {code}")
    expect(person.locator("#main")).to_contain_text("Đã tiếp nhận")
    expect(person.locator("#main")).to_contain_text("Thời hạn xử lý")
    axe_check(person, "the person's view of their feedback")

    officer = people("officer.hanoi")
    handle_at_the_desk(officer.page, web_url, code)

    # Another tab (nothing kept): the public view, then the key typed in opens it in full, to rate.
    later = Tab(browser, DESKTOP)
    try:
        page = later.page
        show(page, web_url, f"/feedback/{code}", TITLE)
        expect(page.locator("#main")).not_to_contain_text(PHONE)
        page.locator("#main summary", has_text="Bạn là người gửi?").click()
        page.locator("#field-key").fill(key)
        page.get_by_role("button", name="Xem phản ánh, kiến nghị").click()
        expect(page.locator("#main h1")).to_have_text(f"Phản ánh, kiến nghị {code}")
        expect(page.locator("#main")).to_contain_text(ANSWER)
        page.get_by_label("Hài lòng", exact=True).check()
        page.locator("#field-comment").fill("Cảm ơn cơ quan đã trả lời.")
        axe_check(page, "the rating form")
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.locator("#main .govuk-notification-banner")).to_contain_text("Cảm ơn bạn đã đánh giá")
        expect(page.locator("#main")).to_contain_text("Cảm ơn cơ quan đã trả lời.")
        expect(page.get_by_role("button", name="Gửi đánh giá")).to_have_count(0)  # once
        assert later.errors == []
    finally:
        later.close()

    # Everyone reads the answer on the agency's list, without the person's name or phone.
    open_page(person, web_url, f"/feedback?agency={HANOI}")
    entry = person.locator("#main .app-results__item", has_text=code)
    expect(entry).to_contain_text(TITLE)
    expect(entry).to_contain_text("[…]")
    text = entry.inner_text()
    assert NAME not in text and "0903" not in text and "112 233" not in text, text
    axe_check(person, "the public list of answers")
    screenshot(person, "feedback-public-list")
    assert unexpected(tab.errors, 422) == []  # the form sent without an email or a phone
    assert officer.errors == []
