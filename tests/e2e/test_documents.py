"""Documents people can hold, over HTTP against the local stack: the one-stop forms as PDFs (with their QR code to
the public lookup), the agency's register as PDF and Excel, results signed with the agency's key held in KMS, and
the public check that anyone can run on a PDF."""

from __future__ import annotations

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests

from .test_dossier_flow import submit
from .test_processing import HANOI, act, fetch, local_today, problem
from .test_results import approved_for, download, issue, result_upload, unique_pdf

pytestmark = pytest.mark.e2e

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def qr_codes(content: bytes) -> list[str]:
    import zxingcpp
    from pypdf import PdfReader

    return [found.text for page in PdfReader(io.BytesIO(content)).pages for image in page.images
            for found in zxingcpp.read_barcodes(image.image)]


def form(client, dossier: dict, name: str, accept: str = PDF) -> requests.Response:
    return client.get(f"/dossiers/{dossier['id']}/forms/{name}.pdf", headers={"Accept": accept})


def verify(stack, content: bytes, content_type: str = PDF) -> requests.Response:
    return requests.post(stack["API_URL"] + "/public/verifications", data=content,
                         headers={"Content-Type": content_type}, timeout=30)


# --------------------------------------------------------------------------- forms


def test_the_receipt_and_control_slip_exist_once_received_and_print_with_the_code_name_and_qr(api):
    citizen, officer = api("citizen.an"), api("officer.hanoi")
    dossier = submit(api)
    assert dossier["forms"] == []
    problem(form(citizen, dossier, "receipt"), 404, "form_not_found")

    received = act(officer, dossier, "receive", {"note": "Đủ thành phần"})
    assert [(f["form"], f["number"]) for f in received["forms"]] == [("receipt", "01"), ("control-slip", "06")]
    assert received["forms"][0]["href"] == f"/dossiers/{dossier['id']}/forms/receipt.pdf"

    response = form(citizen, dossier, "receipt")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == PDF and response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    name = dossier["applicant"].get("full_name") or dossier["applicant"]["name"]  # with its diacritics
    for expected in (dossier["code"], name, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA",
                     "/".join(reversed(received["due_date"].split("-")))):
        assert expected in text, expected
    assert qr_codes(response.content) == [received["receipt"]["lookup_url"]]

    slip = form(officer, dossier, "control-slip")
    assert slip.status_code == 200 and "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in pdf_text(slip.content)


def test_forms_follow_the_dossier_access_rules_and_the_accept_header(api, make_user):
    citizen, officer = api("citizen.an"), api("officer.hanoi")
    dossier = act(officer, submit(api), "receive", {"note": "Đủ"})
    problem(form(api("citizen.binh"), dossier, "receipt"), 404, "dossier_not_found")
    problem(form(api(), dossier, "receipt"), 401)
    problem(form(citizen, dossier, "receipt", accept="text/html"), 406, "pdf_needs_accept")
    problem(form(citizen, dossier, "refusal"), 404, "form_not_found")
    problem(form(citizen, dossier, "no-such-form"), 404, "form_not_found")
    problem(citizen.get(f"/dossiers/{dossier['id']}/forms/receipt.docx", headers={"Accept": PDF}), 404,
            "form_not_found")
    assert form(citizen, dossier, "receipt", accept="*/*").status_code == 200


def test_the_supplement_request_and_refusal_print_what_the_officer_wrote(api):
    citizen, officer = api("citizen.an"), api("officer.hanoi")
    dossier = submit(api)
    first = dossier["components"][0]["component_id"]
    asked = act(officer, dossier, "request-supplement", {
        "items": [{"component_id": first, "reason": "Bản chụp hộ chiếu không rõ nét"}],
        "note": "Bổ sung trong 10 ngày"})
    assert [f["form"] for f in asked["forms"]] == ["supplement-request"]
    text = pdf_text(form(citizen, dossier, "supplement-request").content)
    assert "Bản chụp hộ chiếu không rõ nét" in text and dossier["code"] in text

    other = submit(api)
    refused = act(officer, other, "refuse", {"reason": "Không thuộc thẩm quyền giải quyết của Sở"})
    assert [f["form"] for f in refused["forms"]] == ["refusal"]
    assert "Không thuộc thẩm quyền giải quyết của Sở" in pdf_text(form(citizen, other, "refusal").content)


# --------------------------------------------------------------------------- the register


def test_the_register_lists_the_period_s_dossiers_as_pdf_and_excel(api):
    import openpyxl

    officer = api("officer.hanoi")
    dossier = act(officer, submit(api), "receive", {"note": "Đủ"})
    today = local_today()
    query = f"/desk/register?from={today - timedelta(days=1)}&to={today}"

    as_pdf = officer.get(query, headers={"Accept": PDF})
    assert as_pdf.status_code == 200, as_pdf.text
    assert as_pdf.headers["Content-Type"] == PDF and dossier["code"] in pdf_text(as_pdf.content)
    assert HANOI in as_pdf.headers["Content-Disposition"]

    as_xlsx = officer.get(query + "&format=xlsx", headers={"Accept": XLSX})
    assert as_xlsx.status_code == 200 and as_xlsx.headers["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert dossier["code"] in {cell for row in sheet.iter_rows(values_only=True) for cell in row}

    problem(api("citizen.an").get(query, headers={"Accept": PDF}), 403, "role_not_allowed")
    reversed_range = officer.get(f"/desk/register?from={today}&to={today - timedelta(days=3)}")
    assert [e["code"] for e in problem(reversed_range, 400, "bad_query")["errors"]] == ["search.range_reversed"]
    too_long = officer.get(f"/desk/register?from={today - timedelta(days=400)}&to={today}")
    assert [e["code"] for e in problem(too_long, 400, "bad_query")["errors"]] == ["register.period_too_long"]


# --------------------------------------------------------------------------- signed results


@pytest.fixture(scope="module")
def issued(api):
    """A result issued by the Hà Nội department: signed with its key in (moto's) KMS."""
    dossier = approved_for(api)
    upload_id, uploaded = result_upload(api("specialist.hanoi"), dossier)
    got = issue(api, dossier, upload_id)
    return dossier, upload_id, uploaded, got["results"][0], download(api("officer.hanoi"), dossier, upload_id)


def test_an_issued_result_is_signed_by_the_agency_and_validates_against_the_local_ca(stack, issued):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    dossier, upload_id, uploaded, record, signed = issued
    assert record["signature"]["signed_here"] and record["signature"]["signed_by"]["organisation"].startswith("Sở")
    assert record["signature"]["verification_url"].endswith(f"/#/verify/{upload_id}")
    assert hashlib.sha256(signed).hexdigest() == record["sha256"] != hashlib.sha256(uploaded).hexdigest()
    # pyHanko's own validator, trusting only the CA `make run` created.
    context = ValidationContext(trust_roots=[load_cert_from_pemder(stack["LOCAL_CA_FILE"])])
    [embedded] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    # pyHanko runs its own event loop: in a thread of its own, whatever loop this test process has running.
    with ThreadPoolExecutor(max_workers=1) as pool:
        status = pool.submit(validate_pdf_signature, embedded, context).result()
    assert status.intact and status.valid and status.trusted and status.bottom_line
    # The stamp's QR code leads to the public check of this very result.
    assert record["signature"]["verification_url"] in qr_codes(signed)


def test_anyone_can_verify_an_issued_result_and_learn_its_dossier(stack, issued):
    dossier, upload_id, _, _, signed = issued
    answer = verify(stack, signed)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["verdict"], body["issued_here"]) == ("valid", True)
    assert (body["result"]["dossier_code"], body["result"]["agency_code"]) == (dossier["code"], HANOI)
    [check] = body["signatures"]
    assert check["intact"] and check["valid"] and check["trusted"] and check["covers_whole_file"]
    assert check["signed_by"]["organisation"].startswith("Sở Lao động")

    by_qr = requests.get(stack["API_URL"] + f"/public/verifications/{upload_id}", timeout=30)
    assert by_qr.status_code == 200 and by_qr.json() == body
    problem(requests.get(stack["API_URL"] + "/public/verifications/01UNKNOWNRESULT0000000000", timeout=30), 404,
            "result_not_found")


def test_a_byte_changed_after_signing_fails_and_is_no_longer_the_issued_result(stack, issued):
    signed = issued[4]
    # The header's version digit: inside the signed range, and the file still parses.
    assert signed.startswith(b"%PDF-1.")
    tampered = signed[:7] + (b"4" if signed[7:8] != b"4" else b"5") + signed[8:]
    body = verify(stack, tampered).json()
    assert body["verdict"] == "invalid" and body["issued_here"] is False and body["result"] is None
    assert not body["signatures"][0]["intact"]


def test_an_unknown_pdf_is_not_issued_here_and_a_non_pdf_is_refused(stack):
    body = verify(stack, unique_pdf()).json()
    assert (body["verdict"], body["signatures"], body["issued_here"]) == ("unsigned", [], False)
    refused = problem(verify(stack, b"GIF89a not a pdf at all"), 422, "validation_detail")
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("body", "file.not_a_pdf")]
    wrong_type = problem(verify(stack, b"{}", "application/json"), 415, "unsupported_media_type")
    assert wrong_type["accepted"] == ["application/pdf"]
    problem(requests.post(stack["API_URL"] + "/public/verifications", data=b"%PDF-" + b"0" * (4 * 1024 * 1024),
                          headers={"Content-Type": PDF}, timeout=60), 413, "body_too_large")


def test_a_result_signed_before_upload_is_verified_and_kept_byte_for_byte(api, issued):
    specialist = api("specialist.hanoi")
    dossier = approved_for(api)
    already = issued[4]  # a PDF the same agency key signed, with a certificate the platform trusts
    upload_id, _ = result_upload(specialist, dossier, already)
    record = issue(api, dossier, upload_id)["results"][0]
    assert record["sha256"] == hashlib.sha256(already).hexdigest() and not record["signature"]["signed_here"]
    assert download(api("officer.hanoi"), dossier, upload_id) == already


def test_a_result_signed_under_an_unknown_ca_is_refused(api, aws):
    from chalicelib.documents.signing import KmsSigner, load_certificates, sign_pdf
    from scripts import local_ca

    kms = aws("kms")
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    stranger = local_ca.certify_kms_key(kms, key_id, *local_ca.create_ca("Không rõ CA"), organisation="Ai đó",
                                        common_name="Ai đó", agency_code="000.00.00.X00", days=30)
    [cert] = load_certificates(local_ca.certificate_pem(stranger))
    foreign = sign_pdf(unique_pdf(), KmsSigner(kms, key_id, cert, message_type="RAW"), reason="r", location="l")

    specialist = api("specialist.hanoi")
    dossier = approved_for(api)
    upload_id, _ = result_upload(specialist, dossier, foreign)
    refused = specialist.post(f"/dossiers/{dossier['id']}/issue-result", {"upload_ids": [upload_id]})
    assert [(e["field"], e["code"]) for e in problem(refused, 422)["errors"]] == [
        ("upload_ids[0]", "result.signature_untrusted")]
    assert fetch(specialist, dossier)["status"] == "approved"
