"""Reception regardless of administrative boundaries in a real browser: the desk's procedure list offers another
agency's procedure on the list (and says the dossier will be forwarded), and the desk's dossier page forwards a dossier
received there to the competent agency, after which the receiving desk only looks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Api

from .conftest import axe_check, screenshot
from .stack_api import FILES, id_token
from .steps import People, open_at_desk, show, take_action

pytestmark = pytest.mark.browser

ANYWHERE = "1.014196"  # Hồ Chí Minh City's, received regardless of administrative boundaries
ONLY_AT_HOME = "1.014201"  # Hồ Chí Minh City's, not on the list
HCM_NAME = "Sở Lao động - Thương binh và Xã hội Thành phố Hồ Chí Minh"


@pytest.fixture
def people(browser: Any, web_url: str) -> Iterator[People]:
    opened = People(browser, web_url)
    yield opened
    opened.close()


def taken_in_at_hanoi(stack: dict[str, str]) -> dict[str, Any]:
    """The dossier as Hà Nội's desk records it through the API (the intake form is test_desk_intake's subject)."""
    desk = Api(stack["API_URL"], id_token(stack, "officer.hanoi"))
    pdf = (FILES / "application-form.pdf").read_bytes()
    procedure = desk.get(f"/procedures/{ANYWHERE}").json()
    body = {"procedure_code": ANYWHERE, "summary": "Xác nhận người lao động nước ngoài không thuộc diện cấp giấy phép",
            "applicant": {"type": "business", "name": "Công ty TNHH Ví Dụ", "tax_code": "0100109106",
                          "address": "1 Trần Hưng Đạo, Hoàn Kiếm, Hà Nội",
                          "representative": {"full_name": "Lê Văn Cường"}},
            "components": [{"component_id": c["id"], "upload_ids": [desk.uploaded(ANYWHERE, c["id"], content=pdf)]}
                           for c in procedure["components"] if c["required"]],
            "delivery": {"method": "desk"}}
    created = desk.post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201, created.text
    return created.json()


def row(page: Any, label: str) -> Any:
    """The overview's row whose key is exactly `label` (a status may contain the words of another row's key)."""
    return page.locator("#main .govuk-summary-list").first.locator(".govuk-summary-list__row").filter(
        has=page.locator(f"dt:text-is('{label}')")).first


def test_the_desk_takes_in_another_agencys_listed_procedure_and_forwards_the_dossier(
        people: People, web_url: str, web_stack: dict[str, str]) -> None:
    from playwright.sync_api import expect

    officer = people("officer.hanoi")
    desk = officer.page
    show(desk, web_url, "/desk/new", "Tiếp nhận hồ sơ mới: chọn thủ tục")
    elsewhere = desk.locator("#desk-intake-elsewhere")
    expect(elsewhere.get_by_role("link", name=f"({ANYWHERE})")).to_be_visible()
    expect(elsewhere).to_contain_text(HCM_NAME)
    expect(desk.get_by_role("link", name=f"({ONLY_AT_HOME})")).to_have_count(0)
    axe_check(desk, "desk intake: own and other agencies' procedures")
    elsewhere.get_by_role("link", name=f"({ANYWHERE})").click()
    expect(desk.locator("#main h1")).to_have_text("Tiếp nhận hồ sơ mới")
    expect(desk.locator("#desk-intake-elsewhere-notice")).to_contain_text(HCM_NAME)

    dossier = taken_in_at_hanoi(web_stack)
    open_at_desk(desk, web_url, dossier["code"])
    expect(row(desk, "Cơ quan tiếp nhận (không phụ thuộc địa giới hành chính)")).to_contain_text("Hà Nội")
    expect(row(desk, "Chuyển cơ quan có thẩm quyền")).to_contain_text("Chưa chuyển")
    take_action(desk, "Tiếp nhận hồ sơ")
    take_action(desk, "Chuyển cơ quan có thẩm quyền giải quyết",
                lambda form: form.locator("#field-paper-tracking-number").fill("EB123456789VN"))
    expect(row(desk, "Trạng thái")).to_contain_text("Đã chuyển cơ quan có thẩm quyền giải quyết")
    expect(row(desk, "Chuyển cơ quan có thẩm quyền")).to_contain_text(HCM_NAME)
    expect(row(desk, "Số hiệu bưu gửi hồ sơ giấy")).to_contain_text("EB123456789VN")
    expect(desk.locator("#desk-actions")).to_contain_text("Bạn không có thao tác nào")
    slip = desk.locator("#main section", has=desk.get_by_role("heading", name="Phiếu kiểm soát"))
    expect(slip).to_contain_text("Chuyển cơ quan có thẩm quyền giải quyết")
    expect(desk.locator("#main")).not_to_contain_text("dossier.forwarded")  # the history names the event in words
    axe_check(desk, "desk dossier page of a dossier forwarded to the competent agency")
    screenshot(desk, "desk-forwarded")
    assert officer.errors == []
