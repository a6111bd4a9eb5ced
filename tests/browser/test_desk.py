"""The desk's side in a real browser, each step through the pages of the person who takes it: a supplement asked
for and answered, and a dossier walked from receipt to its result, which the citizen downloads and rates. The
dossiers start as submitted through the API (the citizen's form has its own tests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import axe_check
from .stack_api import submitted_dossier
from .steps import PHOTO, RESULT, SLOW, People, choose_file, open_at_desk, show, take_action

pytestmark = pytest.mark.browser

REASON = "Bản chụp quyết định thôi việc bị mờ, không đọc được ngày ký"


@pytest.fixture
def people(browser: Any, web_url: str) -> Iterator[People]:
    opened = People(browser, web_url)
    yield opened
    opened.close()


def test_a_supplement_requested_at_the_desk_is_answered_by_the_citizen_and_received(
        people: People, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    dossier = submitted_dossier(web_stack)
    desk = people("officer.hanoi").page
    open_at_desk(desk, web_url, dossier["code"])
    # The officer opens a submitted paper before judging it: a short-lived link to the verified version.
    desk.get_by_role("button", name="Lấy liên kết tải").first.click()
    opened = desk.get_by_role("link", name="Mở").first
    expect(opened).to_be_visible()
    assert desk.request.get(opened.get_attribute("href")).body().startswith((b"%PDF", b"\xff\xd8\xff", b"\x89PNG"))

    def ask(form: Any) -> None:
        form.locator("#field-items-0--component-id").select_option("termination-proof")
        form.locator("#field-items-0--reason").fill(REASON)
        form.locator("#field-note").fill("Vui lòng bổ sung trong 5 ngày làm việc")

    take_action(desk, "Yêu cầu bổ sung hồ sơ", ask)
    expect(desk.locator("#main .govuk-notification-banner--success")).to_contain_text("Yêu cầu bổ sung")

    citizen = people("citizen.an").page
    show(citizen, web_url, f"/my/dossiers/{dossier['id']}", f"Hồ sơ {dossier['code']}")
    request = citizen.locator("#main section", has=citizen.get_by_role("heading", name="Cần bổ sung hồ sơ"))
    expect(request).to_contain_text(f"Lý do: {REASON}")
    expect(request).to_contain_text("Vui lòng bổ sung trong 5 ngày làm việc")
    axe_check(citizen, "dossier page with the supplement request")
    choose_file(citizen, "components.termination-proof", PHOTO)
    citizen.locator("#field-note").fill("Đã chụp lại quyết định thôi việc")
    citizen.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    expect(citizen.locator("#main .govuk-notification-banner--success")).to_contain_text("Đã gửi hồ sơ bổ sung")
    expect(citizen.get_by_role("heading", name="Cần bổ sung hồ sơ")).to_have_count(0)

    desk.reload()
    expect(desk.locator("#main h1")).to_have_text(f"Hồ sơ {dossier['code']}")
    status = desk.locator("#main .govuk-summary-list__row", has_text="Trạng thái").first
    expect(status).to_contain_text("Mới đăng ký")  # back in the desk's intake, the new file with it
    expect(desk.locator("#main")).to_contain_text("Đã chụp lại quyết định thôi việc")
    take_action(desk, "Tiếp nhận hồ sơ")
    expect(desk.locator("#main .govuk-notification-banner--success")).to_contain_text("Đã tiếp nhận")
    assert people.errors() == {}


def test_the_desk_walks_a_dossier_to_its_result_and_the_citizen_downloads_it_and_rates_the_handling(
        people: People, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    dossier = submitted_dossier(web_stack)
    code = dossier["code"]

    def step(username: str, action: str, fill: Any = None) -> None:
        page = people(username).page
        open_at_desk(page, web_url, code)
        take_action(page, action, fill)

    step("officer.hanoi", "Tiếp nhận hồ sơ")
    take_action(people("officer.hanoi").page, "Chuyển phòng chuyên môn",
                lambda form: form.locator("#field-unit").select_option("viec-lam"))
    step("leader.hanoi", "Phân công chuyên viên",
         lambda form: form.locator("#field-specialist").fill("specialist.hanoi"))

    def propose(form: Any) -> None:
        form.locator("#field-assessment").fill("Hồ sơ hợp lệ, đủ điều kiện theo quy định")
        form.locator("#field-proposal").select_option("approve")

    step("specialist.hanoi", "Trình đề xuất", propose)
    step("leader.hanoi", "Phê duyệt", lambda form: form.locator("#field-note").fill("Đồng ý"))
    step("specialist.hanoi", "Ban hành kết quả",
         lambda form: form.locator("#field-upload-ids").set_input_files(str(RESULT)))
    step("officer.hanoi", "Trả kết quả trực tuyến")
    expect(people("officer.hanoi").page.locator("#main .govuk-notification-banner--success")).to_contain_text(
        "Đã trả kết quả")

    tab = people("citizen.an")
    citizen = tab.page
    show(citizen, web_url, f"/my/dossiers/{dossier['id']}", f"Hồ sơ {code}")
    results = citizen.locator("#main section", has=citizen.get_by_role("heading", name="Kết quả giải quyết"))
    results.get_by_role("button", name="Tải về").click()
    link = results.get_by_role("link", name="Mở result.pdf")
    expect(link).to_be_visible(timeout=SLOW)
    for extra in tab.context.pages[1:]:  # the link also opens in a new tab, which the test does not need
        extra.close()
    document = citizen.request.get(link.get_attribute("href"))
    assert document.ok and document.body().startswith(b"%PDF"), document.status
    axe_check(citizen, "dossier page with its result")

    rating = citizen.locator("#main section", has=citizen.get_by_role("heading", name="Đánh giá mức độ hài lòng"))
    rating.get_by_label("Hài lòng", exact=True).check()
    rating.get_by_label("Thời gian giải quyết").select_option("satisfied")
    rating.get_by_label("Nhận xét, góp ý").fill("Thủ tục nhanh, hướng dẫn rõ ràng")
    rating.get_by_role("button", name="Gửi đánh giá").click()
    expect(citizen.locator("#main .govuk-notification-banner--success")).to_contain_text("Đã ghi nhận đánh giá")
    expect(rating).to_contain_text("Thủ tục nhanh, hướng dẫn rõ ràng")
    assert people.errors() == {}
