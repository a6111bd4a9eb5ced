"""Papers given once in a real browser (docs/papers.md): a citizen's first dossier fills their "Kho giấy tờ"; the next
new-dossier form offers the stored papers that fit its components, the citizen ticks them instead of uploading, and
the dossier's page shows which files were reused."""

from __future__ import annotations

import boto3
import pytest

from tests.e2e.conftest import add_user

from .conftest import Tab, axe_check, open_page, screenshot, sign_in
from .stack_api import PROCEDURE, submitted_dossier
from .steps import APPLICATION_FORM, CODE, show, unexpected
from .test_citizen import APPLICANT, submitted_code

pytestmark = pytest.mark.browser

REUSED = ("termination-proof", "social-insurance-book")  # the form itself is made for each dossier: never offered


def _aws(stack: dict[str, str]):
    def client(service: str):
        return boto3.client(service, endpoint_url=stack["MOTO_ENDPOINT"], region_name="ap-southeast-1",
                            aws_access_key_id="local", aws_secret_access_key="local")

    return client


def test_a_citizen_reuses_papers_from_their_store_instead_of_uploading_them_again(
        tab: Tab, web_stack: dict[str, str], web_url: str) -> None:
    from playwright.sync_api import expect

    citizen = add_user(web_stack, _aws(web_stack), "citizen")
    first = submitted_dossier(web_stack, citizen)  # every component uploaded: the store's first papers
    page = tab.page
    sign_in(page, web_url, citizen)

    show(page, web_url, "/my/papers", "Kho giấy tờ của tôi")
    rows = page.locator("#main table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(first["code"])
    expect(page.locator("#main table")).to_contain_text("Còn hiệu lực")
    expect(page.locator("#nav-list .app-nav__link[aria-current=page]")).to_have_text("Kho giấy tờ")
    axe_check(page, "my papers")
    screenshot(page, "citizen-papers")

    show(page, web_url, f"/my/new/{PROCEDURE}", "Nộp hồ sơ trực tuyến")
    for component in REUSED:
        expect(page.locator(f"#field-papers-{component}")).to_be_visible()
    expect(page.locator("#field-papers-application-form")).to_be_hidden()
    axe_check(page, "new dossier form with stored papers offered")
    for field_id, value in APPLICANT.items():
        page.locator(f"#{field_id}").fill(value)
    page.locator("#field-components-application-form").set_input_files(str(APPLICATION_FORM))
    expect(page.locator("#field-components-application-form-files")).to_contain_text("Đã kiểm tra", timeout=20_000)
    for component in REUSED:
        page.locator(f"#field-papers-{component} input[type=checkbox]").first.check()
    screenshot(page, "citizen-new-dossier-reusing-papers")
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    code, dossier_id = submitted_code(page)
    assert CODE.match(code) and code != first["code"], code

    open_page(page, web_url, f"/my/dossiers/{dossier_id}")
    expect(page.locator("#main h1")).to_have_text(f"Hồ sơ {code}")
    expect(page.locator("#main").get_by_text("dùng lại từ kho giấy tờ")).to_have_count(len(REUSED))
    axe_check(page, "dossier page with reused papers")
    assert unexpected(tab.errors) == []
