"""The public pages in a real browser, signed out: the catalogue from a search to a procedure, a dossier looked up by
its code, an agency's scorecard with its chart and downloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Tab, axe_check, open_page, screenshot
from .stack_api import PROCEDURE, submitted_dossier
from .steps import show

pytestmark = pytest.mark.browser

AGENCY = "000.00.20.H26"


def test_a_search_without_diacritics_leads_from_the_home_page_to_the_procedure(tab: Tab, web_url: str) -> None:
    from playwright.sync_api import expect

    page = tab.page
    open_page(page, web_url, "/")
    page.wait_for_load_state("networkidle")
    axe_check(page, "home")
    screenshot(page, "home")
    page.locator("#field-q").fill("tro cap that nghiep")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.locator("#main h1")).to_have_text("Thủ tục hành chính")
    result = page.get_by_role("link", name="Giải quyết hưởng trợ cấp thất nghiệp", exact=True)
    expect(result).to_be_visible()
    axe_check(page, "procedures list")
    result.click()
    expect(page.locator("#main h1")).to_have_text("Giải quyết hưởng trợ cấp thất nghiệp")
    expect(page.locator("#main")).to_contain_text(f"Mã thủ tục {PROCEDURE}")
    expect(page.locator("#main table")).to_contain_text("Sổ bảo hiểm xã hội")
    axe_check(page, "procedure page")
    screenshot(page, "procedure")
    assert tab.errors == []


def test_anyone_looks_a_dossier_up_by_its_code_and_sees_its_status_and_a_masked_name(
        tab: Tab, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    dossier = submitted_dossier(web_stack)
    page = tab.page
    open_page(page, web_url, "/")
    page.locator("#field-code").fill(dossier["code"])
    page.get_by_role("button", name="Tra cứu", exact=True).click()
    expect(page.locator("#main h1")).to_have_text("Tra cứu hồ sơ")
    result = page.locator("#main .govuk-summary-list")
    expect(page.get_by_role("heading", name=f"Hồ sơ {dossier['code']}")).to_be_visible()
    expect(result.locator(".govuk-summary-list__row", has_text="Tình trạng")).to_contain_text("Mới đăng ký")
    expect(result.locator(".govuk-summary-list__row", has_text="Người nộp")).to_contain_text("Nguyễn V** A*")
    expect(page.locator("#main")).not_to_contain_text("Nguyễn Văn An")
    expect(page.locator("#main")).not_to_contain_text(dossier["applicant"]["citizen_id"])
    axe_check(page, "lookup")
    assert tab.errors == []


def test_the_scorecard_shows_a_described_chart_and_its_csv_and_excel_downloads(tab: Tab, web_url: str) -> None:
    from playwright.sync_api import expect

    page = tab.page
    show(page, web_url, f"/scorecard?agency={AGENCY}", "Chỉ số chất lượng phục vụ")
    chart = page.locator("#main svg[role=img]")
    expect(chart).to_be_visible()
    labelled_by = chart.get_attribute("aria-labelledby").split()
    title, desc = (page.locator(f"[id='{i}']").text_content() for i in labelled_by)
    assert chart.locator("title").text_content() == title == "Biểu đồ điểm theo nhóm"
    assert chart.locator("desc").text_content() == desc and desc.startswith("Điểm từng nhóm chỉ số")
    axe_check(page, "scorecard")
    screenshot(page, "scorecard")

    csv_link = page.get_by_role("link", name="Tải về tệp CSV")
    href = csv_link.get_attribute("href")
    assert f"agency={AGENCY}" in href and "format=csv" in href, href
    csv = page.request.get(href)
    assert csv.ok and csv.headers["content-type"].startswith("text/csv"), csv.headers
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải về tệp Excel").click()
    excel = download.value
    assert excel.suggested_filename.endswith(".xlsx"), excel.suggested_filename
    assert Path(excel.path()).read_bytes()[:2] == b"PK"  # an Office Open XML file is a zip
    assert tab.errors == []
