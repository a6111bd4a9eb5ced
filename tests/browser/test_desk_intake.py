"""A dossier taken in at the desk in a real browser: the officer fills the citizen's form for an applicant without an
account, saying how the dossier came — by public post (channel 3, with the post's tracking number and the day it
arrived, from which the appointment date counts) or in person at the desk (channel 1) — and receives it on the desk's
dossier page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from chalicelib.services.dossiers import working_calendar
from tests.e2e.test_processing import local_today

from .conftest import axe_check, screenshot
from .steps import APPLICATION_FORM, CODE, PHOTO, People, choose_file, show, take_action, unexpected

pytestmark = pytest.mark.browser

WORK_PERMIT = "1.014199"  # a business applicant; 10 working days; officer.hanoi's agency
OTHER_AGENCY = "1.014201"  # the same kind of procedure, another agency's
RELATIVES = "1.010833"  # a person applicant, two components
TRACKING = "EB123456789VN"
# examples/submission-business.json, as the officer types it from the paper form.
BUSINESS = {
    "field-applicant-name": "Công ty TNHH Ví Dụ",
    "field-applicant-tax-code": "0100109106",
    "field-applicant-representative-full-name": "Lê Văn Cường",
    "field-applicant-representative-citizen-id": "001085003456",
    "field-applicant-representative-position": "Giám đốc",
    "field-applicant-address": "1 Trần Hưng Đạo, Hoàn Kiếm, Hà Nội",
    "field-applicant-phone": "02438253000",
    "field-applicant-email": "hr@example.vn",
    "field-summary": "Đề nghị cấp giấy phép lao động cho ông John Smith, chuyên gia phần mềm",
}
BUSINESS_FILES = {
    "components.application-form": APPLICATION_FORM,
    "components.health-certificate": APPLICATION_FORM,
    "components.criminal-record": APPLICATION_FORM,
    "components.qualification-proof": APPLICATION_FORM,
    "components.passport-copy": PHOTO,
    "components.photos": PHOTO,
}
PERSON = {
    "field-applicant-full-name": "Trần Thị Bình",
    "field-applicant-citizen-id": "001165023456",
    "field-applicant-date-of-birth": "03",
    "field-applicant-date-of-birth-month": "09",
    "field-applicant-date-of-birth-year": "1965",
    "field-applicant-address": "25 Lò Đúc, Hai Bà Trưng, Hà Nội",
    "field-summary": "Đề nghị cấp giấy xác nhận thân nhân của người có công",
}
PERSON_FILES = {"components.application-form": APPLICATION_FORM, "components.relationship-proof": PHOTO}
DOSSIER_HEADING = re.compile(r"^Hồ sơ \S+$")


def working_days_ago(n: int) -> date:
    calendar, day = working_calendar(), local_today()
    while n:
        day -= timedelta(days=1)
        n -= calendar.is_working_day(day)
    return day


def shown(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def people(browser: Any, web_url: str) -> Iterator[People]:
    opened = People(browser, web_url)
    yield opened
    opened.close()


def fill(page: Any, values: dict[str, str], files: dict[str, Any]) -> None:
    for field_id, value in values.items():
        page.locator(f"#{field_id}").fill(value)
    for field, path in files.items():
        choose_file(page, field, path)


def row(page: Any, label: str) -> Any:
    """The row of the dossier page's overview (its first summary list) whose key is `label`."""
    return page.locator("#main .govuk-summary-list").first.locator(".govuk-summary-list__row", has_text=label).first


def recorded_code(page: Any) -> str:
    """Once the form is sent: the desk's dossier page and the code in its heading."""
    from playwright.sync_api import expect

    expect(page.locator("#main h1")).to_have_text(DOSSIER_HEADING, timeout=15_000)
    assert page.evaluate("location.hash").startswith("#/desk/dossiers/")
    code = page.locator("#main h1").inner_text().strip().removeprefix("Hồ sơ ")
    assert CODE.match(code), code
    return code



def test_a_dossier_that_came_by_post_is_recorded_at_the_desk_and_its_appointment_counts_from_the_day_it_arrived(
        people: People, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    officer = people("officer.hanoi")
    desk = officer.page
    show(desk, web_url, "/desk", "Bàn làm việc")
    desk.get_by_role("link", name="Tiếp nhận hồ sơ mới").click()
    expect(desk.locator("#main h1")).to_have_text("Tiếp nhận hồ sơ mới: chọn thủ tục")
    choice = desk.get_by_role("link", name=f"({WORK_PERMIT})")
    expect(choice).to_be_visible()
    expect(desk.get_by_role("link", name=f"({OTHER_AGENCY})")).to_have_count(0)  # only the officer's agency's
    axe_check(desk, "desk intake: the procedures")
    choice.click()
    expect(desk.locator("#main h1")).to_have_text("Tiếp nhận hồ sơ mới")
    expect(desk.locator("#field-postal")).to_be_checked()  # in person at the desk, unless said otherwise
    expect(desk.locator("#field-postal-tracking-number")).to_be_hidden()
    expect(desk.locator("#field-keep-profile")).to_have_count(0)  # no profile of the officer's to keep
    axe_check(desk, "desk intake form")

    fill(desk, BUSINESS, BUSINESS_FILES)
    desk.get_by_label("Qua dịch vụ bưu chính công ích", exact=True).check()
    expect(desk.locator("#field-postal-received-on")).to_have_value(local_today().isoformat())  # today by default
    submit = desk.get_by_role("button", name="Ghi nhận hồ sơ", exact=True)
    submit.click()  # no tracking number yet: said before anything is sent
    summary = desk.locator("#main .govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("a[href='#field-postal-tracking-number']")).to_have_text(
        "Số hiệu bưu gửi: Nhập số hiệu bưu gửi")

    desk.locator("#field-postal-tracking-number").fill(TRACKING)
    tomorrow = local_today() + timedelta(days=1)
    desk.locator("#field-postal-received-on").fill(tomorrow.isoformat())
    submit.click()  # the API's refusal, at the field
    expect(summary.locator("a[href='#field-postal-received-on']")).to_contain_text("không thể sau hôm nay")
    expect(desk.locator("#field-postal-received-on-error")).to_contain_text("không thể sau hôm nay")
    axe_check(desk, "desk intake form with the API's error")

    arrived = working_days_ago(2)
    desk.locator("#field-postal-received-on").fill(arrived.isoformat())
    screenshot(desk, "desk-intake-post")
    submit.click()
    recorded_code(desk)
    expect(row(desk, "Kênh nộp")).to_contain_text("Qua dịch vụ bưu chính")
    expect(row(desk, "Số hiệu bưu gửi")).to_contain_text(TRACKING)
    expect(row(desk, "Ngày nhận qua bưu chính")).to_contain_text(shown(arrived))
    expect(row(desk, "Trạng thái")).to_contain_text("Mới đăng ký")
    axe_check(desk, "desk dossier page of a dossier that came by post")

    take_action(desk, "Tiếp nhận hồ sơ")
    procedure = desk.request.get(f"{web_stack['API_URL'].rstrip('/')}/procedures/{WORK_PERMIT}").json()
    period = procedure["processing_time"]
    assert period["unit"] == "working_days"
    due = working_calendar().add_working_days(arrived, period["value"])
    expect(row(desk, "Ngày hẹn trả kết quả")).to_contain_text(shown(due))
    screenshot(desk, "desk-intake-post-received")
    assert unexpected(officer.errors, 422) == []  # the future day's answer only


def test_a_walk_in_applicants_dossier_is_recorded_at_the_desk_in_its_channel(people: People, web_url: str) -> None:
    from playwright.sync_api import expect

    officer = people("officer.hanoi")
    desk = officer.page
    show(desk, web_url, f"/desk/new/{RELATIVES}", "Tiếp nhận hồ sơ mới")
    desk.locator("#field-applicant-full-name").wait_for()
    expect(desk.locator("#field-applicant-full-name")).to_have_value("")  # nobody's profile pre-fills it
    fill(desk, PERSON, PERSON_FILES)
    expect(desk.locator("#field-delivery-method")).to_be_checked()  # at the desk: a walk-in has no account online
    desk.get_by_role("button", name="Ghi nhận hồ sơ", exact=True).click()
    recorded_code(desk)
    expect(row(desk, "Kênh nộp")).to_contain_text("Trực tiếp tại Bộ phận Một cửa")
    expect(row(desk, "Số hiệu bưu gửi")).to_have_count(0)
    expect(desk.locator("#main")).to_contain_text("Trần Thị Bình")
    axe_check(desk, "desk dossier page of a walk-in dossier")
    assert officer.errors == []
