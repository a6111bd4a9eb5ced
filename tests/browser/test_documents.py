"""Documents in a real browser: the one-stop forms printed from a dossier page, the register of dossiers downloaded
at the desk, a signed result shown as signed, and the public page that verifies a document. One dossier, walked
through the API to its result returned online, serves every test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.e2e.conftest import Api

from .conftest import PHONE, Tab, axe_check, open_page
from .stack_api import id_token, returned_dossier
from .steps import PHOTO, People, show, unexpected

pytestmark = pytest.mark.browser

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECEIPT = "Mẫu số 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
AGENCY = "Sở Lao động - Thương binh và Xã hội thành phố Hà Nội"
NOT_A_PDF = "Nội dung gửi lên không phải tệp PDF đọc được"


@pytest.fixture(scope="module")
def dossier(web_stack: dict[str, str]) -> dict[str, Any]:
    return returned_dossier(web_stack)


@pytest.fixture
def people(browser: Any, web_url: str) -> Iterator[People]:
    opened = People(browser, web_url)
    yield opened
    opened.close()


def section(page: Any, heading: str) -> Any:
    return page.locator("#main section", has=page.get_by_role("heading", name=heading, exact=True))


def local_time(iso: str) -> str:
    """An API instant as the client shows it: HH:mm dd/mm/yyyy in Vietnam."""
    return datetime.fromisoformat(iso).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M %d/%m/%Y")


def test_the_message_link_to_the_receipt_focuses_its_button_and_the_click_yields_the_pdf(
        people: People, web_url: str, dossier: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    tab = people("citizen.an")
    page = tab.page
    # The address the notification's e-mail links to.
    show(page, web_url, f"/my/dossiers/{dossier['id']}?form=receipt", f"Hồ sơ {dossier['code']}")
    button = section(page, "Giấy tờ").get_by_role("button", name=RECEIPT, exact=True)
    expect(button).to_be_focused()

    with page.expect_response(lambda r: r.url.endswith("/forms/receipt.pdf")) as answered, \
            tab.context.expect_page() as opened:
        button.click()
    assert answered.value.ok and answered.value.headers["content-type"] == PDF
    assert answered.value.request.headers["accept"] == PDF
    opened.value.close()  # the PDF opened in a tab of its own, to print
    with page.expect_download() as saved:
        section(page, "Giấy tờ").get_by_role("link", name=re.compile("^Lưu tệp")).click()
    assert saved.value.suggested_filename == f"{dossier['code']}-receipt.pdf"
    assert Path(saved.value.path()).read_bytes().startswith(b"%PDF")
    axe_check(page, "dossier page with its forms")
    assert people.errors() == {}


def test_an_officer_downloads_the_register_of_this_month_as_pdf_and_excel(
        people: People, web_url: str, dossier: dict[str, Any]) -> None:
    from openpyxl import load_workbook
    from playwright.sync_api import expect
    from pypdf import PdfReader

    page = people("officer.hanoi").page
    show(page, web_url, "/desk", "Bàn làm việc")
    register = page.locator("#desk-register")
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    expect(register.get_by_label("Từ ngày", exact=True)).to_have_value(today.replace(day=1).isoformat())
    expect(register.get_by_label("Đến ngày", exact=True)).to_have_value(today.isoformat())

    files = {}
    for button, content_type in (("Tải sổ (PDF)", PDF), ("Tải sổ (Excel)", XLSX)):
        with page.expect_response(lambda r: "/desk/register?" in r.url) as answered, page.expect_download() as saved:
            register.get_by_role("button", name=button, exact=True).click()
        assert answered.value.ok and answered.value.headers["content-type"] == content_type
        files[content_type] = Path(saved.value.path())
        assert saved.value.suggested_filename.startswith("so-theo-doi-ho-so-")
    text = "".join(p.extract_text() for p in PdfReader(files[PDF]).pages)
    assert dossier["code"] in text
    with files[XLSX].open("rb") as excel:  # a download is kept without its name's suffix, which openpyxl wants
        cells = [c for row in load_workbook(excel).active.iter_rows(values_only=True) for c in row]
    assert dossier["code"] in cells
    axe_check(page, "work queue with the register form")
    assert people.errors() == {}


def test_a_signed_result_shows_who_signed_it_and_its_qr_page_says_valid_and_issued_here(
        people: People, browser: Any, web_url: str, dossier: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    result = dossier["results"][0]
    signature = result["signature"]
    assert signature and signature["signed_here"]
    results = {}
    for username, route in (("officer.hanoi", "/desk/dossiers/"), ("citizen.an", "/my/dossiers/")):
        page = people(username).page
        show(page, web_url, f"{route}{dossier['id']}", f"Hồ sơ {dossier['code']}")
        results[username] = section(page, "Kết quả giải quyết")
        expect(results[username]).to_contain_text("Đã ký số")
        expect(results[username]).to_contain_text(f"Người ký: {AGENCY}")
        expect(results[username]).to_contain_text(f"Thời điểm ký: {local_time(signature['signed_at'])}")
    # The applicant follows the link beside the result to its verification page.
    results["citizen.an"].get_by_role("link", name="Xác thực văn bản result.pdf").click()
    expect(people("citizen.an").page.locator("#verify-verdict")).to_have_text("Chữ ký số hợp lệ")

    # Someone who scans the QR code: signed out, at the address the code holds.
    assert signature["verification_url"] == f"{web_url}/#/verify/{result['upload_id']}"
    anyone = Tab(browser, PHONE)
    try:
        anyone.page.goto(signature["verification_url"])
        expect(anyone.page.locator("#verify-verdict")).to_have_text("Chữ ký số hợp lệ")
        answer = anyone.page.locator("#main")
        expect(answer).to_contain_text(
            f"Văn bản do hệ thống này cấp: kết quả giải quyết hồ sơ {dossier['code']} ({AGENCY})")
        expect(answer).to_contain_text("Không thay đổi kể từ khi ký")
        expect(answer).to_contain_text(result["sha256"])
        assert anyone.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        axe_check(anyone.page, "verification page")
        assert anyone.errors == []
    finally:
        anyone.close()
    assert people.errors() == {}


def test_the_verify_page_shows_the_error_for_a_file_that_is_not_a_pdf_then_checks_a_signed_result(
        tab: Tab, web_url: str, web_stack: dict[str, str], dossier: dict[str, Any], tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = tab.page
    open_page(page, web_url, "/")
    page.get_by_role("navigation").get_by_role("link", name="Xác thực văn bản").click()
    expect(page.locator("#main h1")).to_have_text("Xác thực văn bản")

    page.get_by_label("Tệp PDF cần kiểm tra").set_input_files(str(PHOTO))
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    summary = page.locator("#main .govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(f"Tệp PDF cần kiểm tra: {NOT_A_PDF}")
    expect(page.locator("#field-body-error")).to_contain_text(NOT_A_PDF)

    # The issued document itself, as the applicant downloaded it, sent as it is.
    link = Api(web_stack["API_URL"], id_token(web_stack, "citizen.an")).get(
        f"/dossiers/{dossier['id']}/results/{dossier['results'][0]['upload_id']}").json()
    signed = tmp_path / "ket-qua.pdf"
    signed.write_bytes(requests.get(link["url"], timeout=30).content)
    page.get_by_label("Tệp PDF cần kiểm tra").set_input_files(str(signed))
    page.get_by_role("button", name="Kiểm tra", exact=True).click()
    expect(page.locator("#verify-verdict")).to_be_focused()
    expect(page.locator("#verify-verdict")).to_have_text("Chữ ký số hợp lệ")
    expect(page.locator("#main")).to_contain_text(f"kết quả giải quyết hồ sơ {dossier['code']}")
    expect(summary).to_have_count(0)
    assert unexpected(tab.errors, 422) == []
