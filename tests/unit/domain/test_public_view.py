"""The public lookup's answer: the applicant's name masked as the national portal does, progress facts in
the caller's language, and nothing personal; the lookup address the messages give; and the officers'
exact search by code, which stays inside the caller's agency."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain import transitions as rules
from chalicelib.domain.dossier import CHANNEL_ONLINE, Dossier
from chalicelib.domain.principal import Principal
from chalicelib.domain.procedures import load_seed_catalogue
from chalicelib.domain.public_view import lookup_url, mask_name, public_view
from chalicelib.domain.search import CODE_INDEX, Condition, DeskFilters, plan
from chalicelib.domain.states import Action, Role, Status

PROCEDURE = next(p for p in load_seed_catalogue() if p.code == "1.014199")
AGENCY = PROCEDURE.agency_code
CODE = f"{AGENCY}-260302-0007"
T0 = datetime(2026, 3, 2, 2, 15, tzinfo=UTC)
CITIZEN = Principal(id="citizen-1", username="an", roles=frozenset({Role.CITIZEN}), name="Nguyễn Văn An")
OFFICER = Principal(id="officer-1", username="desk.1", roles=frozenset({Role.OFFICER}), agency_code=AGENCY,
                    name="Lê Thị Cúc")
LEADER = Principal(id="leader-1", username="leader.1", roles=frozenset({Role.LEADER}), agency_code=AGENCY,
                   unit="viec-lam")
PERSON = {"type": "person", "full_name": "Nguyễn Văn An", "citizen_id": "001090012345",
          "date_of_birth": "1990-05-12", "phone": "0912345678", "email": "an.nguyen@example.vn",
          "address": "12 Phố Huế, Hai Bà Trưng, Hà Nội"}


# --------------------------------------------------------------------------- masking


@pytest.mark.parametrize(("name", "masked"), [
    ("Nguyễn Văn An", "Nguyễn V** A*"),
    ("Trần Thị Bình", "Trần T** B***"),
    ("Đỗ Quang Huy", "Đỗ Q**** H**"),
    ("Phạm Thị Ngọc Ánh", "Phạm T** N*** Á**"),
    ("John Smith", "John S****"),
])
def test_the_first_word_stays_and_every_other_keeps_its_first_letter(name, masked):
    assert mask_name(name) == masked


def test_diacritics_count_as_part_of_their_letter_in_either_normal_form():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Ấn")
    assert len(decomposed) > len("Nguyễn Văn Ấn")
    assert mask_name(decomposed) == "Nguyễn V** Ấ*"
    assert mask_name(decomposed) == mask_name("Nguyễn Văn Ấn")


def test_extra_spaces_are_ignored():
    assert mask_name("  Nguyễn   Văn\tAn ") == "Nguyễn V** A*"


@pytest.mark.parametrize(("name", "masked"), [("An", "A*"), ("Madonna", "M******"), ("Đ", "Đ")])
def test_a_single_word_name_is_masked_too(name, masked):
    assert mask_name(name) == masked


def test_a_business_name_is_masked_likewise():
    assert mask_name("Công ty TNHH Ví Dụ") == "Công t* T*** V* D*"
    assert mask_name("Công ty Cổ phần 3T") == "Công t* C* p*** 3*"


def test_an_empty_name_stays_empty():
    assert mask_name("") == "" and mask_name("   ") == ""


# --------------------------------------------------------------------------- the view


def _dossier(applicant: dict = PERSON) -> Dossier:
    draft = Dossier(
        id="01JNSR0000000000000000000A", code=CODE, procedure_code=PROCEDURE.code,
        procedure_version=PROCEDURE.version, agency_code=AGENCY, owner_id=CITIZEN.id, applicant=dict(applicant),
        summary="Cấp giấy phép lao động cho chuyên gia Nguyễn Văn An",
        components=[{"component_id": "application-form",
                     "files": [{"upload_id": "up-1", "file_name": "don-Nguyen-Van-An.pdf", "sha256": "ab" * 32}]}],
        delivery={"method": "post", "address": "25 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội"}, channel=CHANNEL_ONLINE,
        status=Status.SUBMITTED, submitted_at=T0, sms_opt_in=True)
    return rules.submit(draft, CITIZEN, T0)[0]


def _received() -> Dossier:
    when = T0 + timedelta(hours=1)
    return rules.receive(_dossier(), OFFICER, when, date(2026, 3, 16), {"form": "01", "officer": {"name": "Cúc"}})[0]


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_the_view_shows_progress_in_the_callers_language():
    received = _received()
    vi, en = public_view(received, PROCEDURE, "vi"), public_view(received, PROCEDURE, "en")
    assert vi == {
        "code": CODE,
        "procedure": {"code": PROCEDURE.code, "name_vi": PROCEDURE.name_vi, "name_en": PROCEDURE.name_en},
        "agency": {"code": AGENCY, "name_vi": PROCEDURE.agency_name_vi, "name_en": PROCEDURE.agency_name_en},
        "national_status": 2,
        "status_name": "Đã tiếp nhận",
        "submitted_at": "2026-03-02T02:15:00.000Z",
        "received_at": "2026-03-02T03:15:00.000Z",
        "appointment_date": "2026-03-16",
        "returned_at": None,
        "applicant_name": "Nguyễn V** A*",
    }
    assert en == {**vi, "status_name": "Received"}


def test_the_view_carries_no_personal_data():
    received = _received()
    view = public_view(received, PROCEDURE, "vi")
    text = json.dumps(view, ensure_ascii=False)
    for personal in ("001090012345", "1990-05-12", "0912345678", "an.nguyen@example.vn", "Phố Huế",
                     "Lý Thường Kiệt", "Nguyễn Văn An", "Văn", "don-Nguyen", "up-1", "citizen-1", "officer-1",
                     "Cúc", received.id, received.summary):
        assert personal not in text, personal
    assert not {"applicant", "owner_id", "components", "delivery", "receipt", "summary", "id"} & set(view)
    assert all("An" not in s.split() for s in _strings(view))


def test_a_business_applicant_is_masked_and_its_tax_code_is_absent():
    business = {"type": "business", "name": "Công ty TNHH Ví Dụ", "tax_code": "0100109106",
                "address": "1 Trần Hưng Đạo", "representative": {"full_name": "Lê Văn Cường"}}
    view = public_view(_dossier(business), PROCEDURE, "en")
    assert view["applicant_name"] == "Công t* T*** V* D*"
    text = json.dumps(view, ensure_ascii=False)
    assert "0100109106" not in text and "Cường" not in text and "Trần Hưng Đạo" not in text


def test_a_withdrawn_dossier_shows_national_status_7():
    withdrawn, _ = rules.act(_received(), CITIZEN, Action.WITHDRAW, T0 + timedelta(days=1), T0.date(),
                             {"reason": "Không còn nhu cầu, liên hệ 0912345678"})
    view = public_view(withdrawn, PROCEDURE, "en")
    assert (view["national_status"], view["status_name"]) == (7, "Withdrawn by the applicant")
    assert "0912345678" not in json.dumps(view)


def test_a_returned_dossier_shows_when_the_result_went_back():
    returned = _dossier()
    returned.status = Status.RETURNED
    returned.returned = {"method": "desk", "at": "2026-03-20T03:00:00.000Z", "by": {"name": "Cúc"},
                         "received_by": "Nguyễn Văn An"}
    view = public_view(returned, PROCEDURE, "vi")
    assert (view["national_status"], view["returned_at"]) == (10, "2026-03-20T03:00:00.000Z")
    assert "Cúc" not in json.dumps(view, ensure_ascii=False)
    returned.returned = {**returned.returned, "method": "post",
                         "delivered": {"at": "2026-03-22T03:00:00.000Z", "delivered_on": "2026-03-22"}}
    assert public_view(returned, PROCEDURE, "vi")["returned_at"] == "2026-03-22T03:00:00.000Z"


def test_without_its_procedure_version_the_view_falls_back_to_codes_and_the_agency_list():
    view = public_view(_dossier(), None, "vi")
    assert view["procedure"] == {"code": PROCEDURE.code, "name_vi": PROCEDURE.code, "name_en": PROCEDURE.code}
    assert view["agency"]["code"] == AGENCY and view["agency"]["name_vi"] == PROCEDURE.agency_name_vi


# --------------------------------------------------------------------------- the lookup address


@pytest.mark.parametrize(("base", "url"), [
    (None, f"/public/dossiers/{CODE}"),
    ("", f"/public/dossiers/{CODE}"),
    ("https://api.dichvucong.example.vn/", f"https://api.dichvucong.example.vn/public/dossiers/{CODE}"),
    ("https://dichvucong.example.vn/tra-cuu?ma={code}", f"https://dichvucong.example.vn/tra-cuu?ma={CODE}"),
])
def test_the_lookup_address_is_the_public_base_or_the_apis_own_path(base, url):
    assert lookup_url(CODE, base) == url


# --------------------------------------------------------------------------- officers' search by code


def test_a_code_keys_the_search_and_the_agency_narrows_it():
    found = plan(DeskFilters(code=CODE.lower(), status="received", name="An"), OFFICER, date(2026, 3, 2))
    assert (found.by_code, found.index, found.partition, found.key_range) == (True, CODE_INDEX, CODE, None)
    assert Condition("agency_code", "eq", (AGENCY,)) in found.filters
    assert Condition("agency_status", "eq", (f"{AGENCY}#received",)) in found.filters


def test_a_leaders_search_by_code_stays_in_the_unit():
    found = plan(DeskFilters(code=CODE), LEADER, date(2026, 3, 2))
    assert found.by_code
    assert set(found.filters) == {Condition("agency_code", "eq", (AGENCY,)),
                                  Condition("agency_unit", "eq", (f"{AGENCY}#viec-lam",))}


def test_incoming_work_by_code_is_narrowed_to_what_was_sent_to_the_callers_agency():
    partner = Principal(id="o2", username="bhxh", roles=frozenset({Role.OFFICER}), agency_code="000.00.31.H26")
    found = plan(DeskFilters(code=CODE, incoming=True), partner, date(2026, 3, 2))
    assert found.by_code and found.filters == (Condition("partner_agency", "eq", ("000.00.31.H26",)),)


def test_without_a_code_no_plan_uses_the_code_index():
    assert not plan(DeskFilters(name="An"), OFFICER, date(2026, 3, 2)).by_code
