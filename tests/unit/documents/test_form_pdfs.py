"""Each one-stop form as a PDF, for a realistic dossier: it opens, its text holds what the form states (with
its Vietnamese intact), and its QR code opens the dossier's public lookup."""

from __future__ import annotations

import io
import re
import statistics
import time
import unicodedata

import pypdf
import pytest
import zxingcpp

from chalicelib.documents.pdf import render_form
from chalicelib.domain.forms import (
    APOLOGY,
    CONTROL_SLIP,
    RECEIPT,
    REFUSAL,
    STOP_NOTICE,
    SUPPLEMENT_REQUEST,
    available_forms,
)

from ..domain.test_forms import (
    APOLOGY_REASON,
    CODE,
    DESK_REASON,
    LOOKUP,
    PROCESSING_REASON,
    REFUSAL_REASON,
    STOP_REASON,
    apologised,
    asked_during_processing,
    procedure,
    received,
    refused,
    returned,
    stopped,
    view,
)

NAME = "Nguyễn Thị Hồng Nhung"


def squash(text: str) -> str:
    """Text without its whitespace: a table cell wraps wherever its width ends."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def component(component_id: str) -> str:
    return procedure().component(component_id).name_vi


# What each form must show, beyond the code and the applicant's name.
CASES = {
    RECEIPT: (received, lambda: [
        component("application-form"), component("termination-proof"), component("social-insurance-book"),
        "Số lượng hồ sơ: 01 (bộ)", "Thời gian nhận hồ sơ: 08 giờ 40 phút, ngày 03/03/2026",
        "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 31/03/2026",
        "Nơi trả kết quả: Bộ phận một cửa, Sở Lao động - Thương binh và Xã hội thành phố Hà Nội",
        "Quyển số 260302, Số thứ tự 0007", "NGƯỜI TIẾP NHẬN", "Lê Thị Cúc"]),
    SUPPLEMENT_REQUEST: (asked_during_processing, lambda: [
        component("social-insurance-book"), PROCESSING_REASON, component("application-form"), "Thiếu chữ ký",
        "Người hướng dẫn: Phạm Thị Chuyên", "motcua@soldtbxh.hanoi.example.vn"]),
    REFUSAL: (refused, lambda: [f"Lý do: {REFUSAL_REASON}", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"]),
    APOLOGY: (apologised, lambda: [
        "Thời gian hẹn trả kết quả: 31/03/2026", "Thời gian hẹn trả kết quả mới: 17 giờ 00 phút, ngày 07/04/2026",
        f"Lý do: {APOLOGY_REASON}", "TM./KT. THỦ TRƯỞNG CƠ QUAN", "Lê Thị Cúc"]),
    STOP_NOTICE: (stopped, lambda: [f"Lý do: {STOP_REASON}", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"]),
    CONTROL_SLIP: (returned, lambda: [
        # Every hand-over: giver, receiver, time, due day, result and note.
        "1 Người nộp hồ sơ: Nguyễn Thị Hồng Nhung Bộ phận một cửa: Lê Thị Cúc 08:40 03/03/2026 31/03/2026 Trước hạn",
        "2 Bộ phận một cửa: Lê Thị Cúc Phòng Việc làm - An toàn lao động 10:40 03/03/2026 31/03/2026 Trước hạn",
        "3 Lãnh đạo: Trần Văn Lãnh Chuyên viên: Phạm Thị Chuyên 08:40 04/03/2026 07/04/2026 Trước hạn",
        "4 Chuyên viên: Phạm Thị Chuyên Lãnh đạo Phòng Việc làm - An toàn lao động 09:00 02/04/2026 07/04/2026",
        "5 Lãnh đạo: Trần Văn Lãnh Bộ phận một cửa 10:00 03/04/2026 07/04/2026 Trước hạn",
        "Chuyển kết quả về Bộ phận một cửa; chuyển tiếp lúc 09:00 06/04/2026"]),
}


def _pdf(slug: str) -> bytes:
    stage, _ = CASES[slug]
    return render_form(view(slug, stage()))


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    return {slug: _pdf(slug) for slug in CASES}


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_every_form_of_the_lifecycle_is_covered():
    covered = set(CASES)
    for stage in (returned, stopped, refused):
        assert set(available_forms(stage())) <= covered


@pytest.mark.parametrize("slug", list(CASES))
def test_the_form_opens_and_states_the_code_the_applicant_and_its_own_fields(pdfs, slug):
    reader = pypdf.PdfReader(io.BytesIO(pdfs[slug]))
    assert len(reader.pages) >= 1 and reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)
    text = squash(_text(pdfs[slug]))
    assert squash(CODE) in text
    assert squash(NAME) in text, "the name with its diacritics, from the embedded font's Unicode map"
    assert squash("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") in text and squash("Độc lập - Tự do - Hạnh phúc") in text
    for expected in CASES[slug][1]():
        assert squash(expected) in text, expected


@pytest.mark.parametrize("slug", list(CASES))
def test_the_qr_code_opens_the_dossiers_public_lookup(pdfs, slug):
    images = [image for page in pypdf.PdfReader(io.BytesIO(pdfs[slug])).pages for image in page.images]
    assert len(images) == 1
    assert [found.text for found in zxingcpp.read_barcodes(images[0].image)] == [LOOKUP]
    assert squash(LOOKUP) in squash(_text(pdfs[slug])), "the address is printed under the code"


def test_the_form_number_and_title_follow_the_edition(pdfs):
    text = squash(_text(pdfs[CONTROL_SLIP]))
    assert squash("Mẫu số 06") in text and squash("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ") in text
    assert squash("Thông tư số 03/2025/TT-VPCP") in text


def test_the_fonts_are_embedded_as_subsets(pdfs):
    reader = pypdf.PdfReader(io.BytesIO(pdfs[RECEIPT]))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = sorted(str(font.get_object()["/BaseFont"]) for font in fonts.values())
    assert len(names) == 3 and all(re.fullmatch(r"/[A-Z]{6}\+LiberationSerif.*", name) for name in names)
    descriptors = [font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in fonts.values()]
    assert all("/FontFile2" in d for d in descriptors)
    assert len(pdfs[RECEIPT]) < 120_000, "subsets, not the whole 370 KB faces"


def test_the_metadata_names_the_form_the_agency_and_the_platform(pdfs):
    meta = pypdf.PdfReader(io.BytesIO(pdfs[RECEIPT])).metadata
    assert meta.title == f"Mẫu số 01 - GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ - {CODE}"
    assert meta.author == "Sở Lao động - Thương binh và Xã hội thành phố Hà Nội"
    assert meta.creator == "MotCua"
    assert meta["/CreationDate"] == "D:20260303084000+07'00'", "the receipt's own time, not the time of printing"


def test_the_same_form_renders_to_the_same_bytes(pdfs):
    assert _pdf(RECEIPT) == pdfs[RECEIPT]
    assert _pdf(CONTROL_SLIP) == pdfs[CONTROL_SLIP]


def test_a_long_request_runs_over_pages_with_the_table_header_on_each():
    dossier = asked_during_processing()
    items = [{"component_id": "application-form", "name_vi": f"Giấy tờ số {i}", "reason": DESK_REASON}
             for i in range(1, 61)]
    dossier.supplement_requests[-1]["items"] = items
    reader = pypdf.PdfReader(io.BytesIO(render_form(view(SUPPLEMENT_REQUEST, dossier))))
    assert len(reader.pages) >= 3
    for page in reader.pages[:-1]:
        assert squash("Nội dung cần bổ sung, hoàn thiện") in squash(page.extract_text())
    text = squash(_text(render_form(view(SUPPLEMENT_REQUEST, dossier))))
    assert squash("Giấy tờ số 60") in text and squash("NGƯỜI HƯỚNG DẪN") in text
    assert len(reader.pages[-1].images) == 1


def test_rendering_a_form_takes_well_under_a_second():
    view_ = view(CONTROL_SLIP, returned())
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        render_form(view_)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.5
