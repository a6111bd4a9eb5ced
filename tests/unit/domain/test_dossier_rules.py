"""The pure functions that move a dossier: each returns the changed dossier plus the event recording it."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from chalicelib.domain import transitions as rules
from chalicelib.domain.access import can_see
from chalicelib.domain.dossier import CHANNEL_ONLINE, Dossier
from chalicelib.domain.errors import Forbidden, TransitionNotAllowed
from chalicelib.domain.events import EVENT_SCHEMA_VERSION
from chalicelib.domain.ids import is_id
from chalicelib.domain.principal import Principal
from chalicelib.domain.states import Role, Status
from chalicelib.domain.times import iso, parse_iso

AGENCY = "000.00.04.G18"
T0 = datetime(2026, 3, 2, 2, 15, 30, 123000, tzinfo=UTC)  # 09:15:30.123 in Hà Nội

CITIZEN = Principal(id="citizen-1", username="an.nguyen", roles=frozenset({Role.CITIZEN}),
                    name="Nguyễn Văn An")
OTHER_CITIZEN = Principal(id="citizen-2", username="binh.tran", roles=frozenset({Role.CITIZEN}))
OFFICER = Principal(id="officer-1", username="desk.1", roles=frozenset({Role.OFFICER}), agency_code=AGENCY,
                    name="Lê Thị Cúc")
OTHER_OFFICER = Principal(id="officer-9", username="desk.9", roles=frozenset({Role.OFFICER}),
                          agency_code="000.00.07.H26")
ADMIN = Principal(id="admin-1", username="root", roles=frozenset({Role.ADMIN}))


def _file(upload_id: str) -> dict:
    return {"upload_id": upload_id, "file_name": f"{upload_id}.pdf", "content_type": "application/pdf",
            "size": 1000, "sha256": "ab" * 32}


def _draft(**overrides) -> Dossier:
    values = dict(
        id="01JNSR0000000000000000000A", code=f"{AGENCY}-260302-0001", procedure_code="1.014199",
        procedure_version=2, agency_code=AGENCY, owner_id=CITIZEN.id,
        applicant={"type": "person", "full_name": "Nguyễn Văn An", "citizen_id": "001095012345"},
        summary="Cấp giấy phép lao động", components=[
            {"component_id": "application-form", "files": [_file("up-1")]},
            {"component_id": "health-certificate", "files": [_file("up-2"), _file("up-3")]},
        ],
        delivery={"method": "desk", "address": None}, channel=CHANNEL_ONLINE, status=Status.SUBMITTED,
        submitted_at=T0,
    )
    values.update(overrides)
    return Dossier(**values)


def _submitted() -> Dossier:
    return rules.submit(_draft(), CITIZEN, T0)[0]


def _supplement_requested() -> Dossier:
    items = [{"component_id": "health-certificate", "reason": "Ảnh mờ"}]
    return rules.request_supplement(_submitted(), OFFICER, T0 + timedelta(hours=1), items, "Bổ sung giúp")[0]


# --- submit -------------------------------------------------------------------------------------

def test_submit_creates_version_one_with_a_submitted_event():
    draft = _draft()
    dossier, event = rules.submit(draft, CITIZEN, T0, correlation_id="corr-1")

    assert dossier.status == Status.SUBMITTED
    assert dossier.version == 1
    assert dossier.updated_at == T0
    assert event.type == "dossier.submitted"
    assert event.seq == dossier.version == 1
    assert event.dossier_id == dossier.id
    assert event.at == T0
    assert event.correlation_id == "corr-1"
    assert is_id(event.id)
    assert event.actor == {"id": "citizen-1", "username": "an.nguyen", "role": "citizen",
                           "name": "Nguyễn Văn An", "agency_code": None}
    assert event.payload["status"] == "submitted"
    assert event.payload["national_status"] == 1
    assert event.payload["previous_status"] is None
    assert event.payload["code"] == draft.code
    assert event.payload["procedure_code"] == "1.014199"
    assert event.payload["procedure_version"] == 2
    assert event.payload["agency_code"] == AGENCY
    assert event.payload["channel"] == CHANNEL_ONLINE


def test_submit_records_a_digest_of_the_files_not_their_whole_description():
    _, event = rules.submit(_draft(), CITIZEN, T0)
    assert event.payload["components"] == [
        {"component_id": "application-form", "files": [{"upload_id": "up-1", "sha256": "ab" * 32}]},
        {"component_id": "health-certificate", "files": [{"upload_id": "up-2", "sha256": "ab" * 32},
                                                         {"upload_id": "up-3", "sha256": "ab" * 32}]},
    ]


def test_an_admin_may_not_submit():
    with pytest.raises(Forbidden):
        rules.submit(_draft(), ADMIN, T0)


def test_a_desk_officer_submits_for_an_applicant_who_came_in_person_and_the_event_says_so():
    _, event = rules.submit(_draft(), OFFICER, T0)
    assert (event.type, event.actor["role"], event.actor["id"]) == ("dossier.submitted", "officer", OFFICER.id)


def test_event_to_dict_writes_the_time_as_utc_iso_with_milliseconds():
    _, event = rules.submit(_draft(), CITIZEN, T0)
    data = event.to_dict()
    assert data["at"] == "2026-03-02T02:15:30.123Z"
    assert data["schema_version"] == EVENT_SCHEMA_VERSION
    assert data["seq"] == 1


# --- receive ------------------------------------------------------------------------------------

def test_receive_sets_the_due_date_and_receipt_and_bumps_the_version():
    before = _submitted()
    now = T0 + timedelta(hours=2)
    receipt = {"form": "01", "code": before.code, "due_date": "2026-03-16"}
    dossier, event = rules.receive(before, OFFICER, now, date(2026, 3, 16), receipt)

    assert dossier.status == Status.RECEIVED
    assert dossier.version == before.version + 1 == 2
    assert dossier.received_at == now
    assert dossier.due_date == date(2026, 3, 16)
    assert dossier.receipt == receipt
    assert event.type == "dossier.received"
    assert event.seq == 2
    assert event.actor["id"] == "officer-1"
    assert event.actor["role"] == "officer"
    assert event.actor["agency_code"] == AGENCY
    assert event.payload["previous_status"] == "submitted"
    assert event.payload["status"] == "received"
    assert event.payload["national_status"] == 2
    assert event.payload["received_at"] == iso(now)
    assert event.payload["due_date"] == "2026-03-16"
    assert event.payload["receipt"] == receipt


def test_transitions_do_not_change_the_dossier_they_were_given():
    before = _submitted()
    snapshot = copy.deepcopy(before)
    rules.receive(before, OFFICER, T0, date(2026, 3, 16), {"form": "01"})
    rules.request_supplement(before, OFFICER, T0, [{"component_id": "x", "reason": "y"}], "")
    rules.refuse(before, OFFICER, T0, "Không thuộc thẩm quyền")
    assert before == snapshot


def test_a_citizen_cannot_receive_their_own_dossier():
    with pytest.raises(Forbidden):
        rules.receive(_submitted(), CITIZEN, T0, date(2026, 3, 16), {})


def test_a_received_dossier_cannot_be_received_again():
    received = rules.receive(_submitted(), OFFICER, T0, date(2026, 3, 16), {})[0]
    with pytest.raises(TransitionNotAllowed) as caught:
        rules.receive(received, OFFICER, T0, date(2026, 3, 16), {})
    # What the officer can do instead, as the dossier stands: not late, so no apology letter (form 04).
    assert received.deadline_alert is None
    assert caught.value.allowed_actions == ["transfer"]


# --- request supplement -------------------------------------------------------------------------

def test_request_supplement_records_form_02_with_all_items_and_pauses_the_dossier():
    before = _submitted()
    now = T0 + timedelta(hours=1)
    items = [{"component_id": "health-certificate", "reason": "Ảnh mờ"},
             {"component_id": "criminal-record", "reason": "Thiếu"}]
    dossier, event = rules.request_supplement(before, OFFICER, now, items, "Bổ sung một lần")

    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.version == 2
    assert event.type == "dossier.supplement_requested"
    assert event.seq == 2
    assert event.payload["national_status"] == 5
    assert event.payload["previous_status"] == "submitted"
    request = event.payload["supplement_request"]
    assert request == dossier.supplement_requests[-1]
    assert request["form"] == "02"
    assert request["number"] == 1
    assert request["items"] == items
    assert request["note"] == "Bổ sung một lần"
    assert request["requested_at"] == iso(now)
    assert request["requested_by"]["id"] == "officer-1"
    assert request["resolved_at"] is None


def test_a_second_supplement_request_is_numbered_two():
    once = _supplement_requested()
    back = rules.resubmit(once, CITIZEN, T0 + timedelta(days=1),
                          [{"component_id": "health-certificate", "files": [_file("up-9")]}], "")[0]
    twice, _ = rules.request_supplement(back, OFFICER, T0 + timedelta(days=2),
                                        [{"component_id": "application-form", "reason": "Sai mẫu"}], "")
    assert [r["number"] for r in twice.supplement_requests] == [1, 2]
    assert twice.supplement_requests[0]["resolved_at"] is not None
    assert twice.supplement_requests[1]["resolved_at"] is None
    assert twice.version == 4


# --- refuse -------------------------------------------------------------------------------------

def test_refuse_records_form_03_with_the_reason():
    before = _submitted()
    dossier, event = rules.refuse(before, OFFICER, T0, "Không thuộc thẩm quyền")

    assert dossier.status == Status.REFUSED
    assert dossier.version == 2
    assert dossier.refusal == event.payload["refusal"]
    assert dossier.refusal["form"] == "03"
    assert dossier.refusal["reason"] == "Không thuộc thẩm quyền"
    assert dossier.refusal["refused_at"] == iso(T0)
    assert dossier.refusal["refused_by"]["role"] == "officer"
    assert event.type == "dossier.refused"
    assert event.seq == 2
    assert event.payload["national_status"] == 3


def test_a_refused_dossier_is_final():
    refused = rules.refuse(_submitted(), OFFICER, T0, "x")[0]
    with pytest.raises(TransitionNotAllowed):
        rules.receive(refused, OFFICER, T0, date(2026, 3, 16), {})
    with pytest.raises(TransitionNotAllowed):
        rules.resubmit(refused, CITIZEN, T0, [], "")


# --- resubmit -----------------------------------------------------------------------------------

def test_resubmit_appends_new_files_and_keeps_the_earlier_ones():
    before = _supplement_requested()
    added = [{"component_id": "health-certificate", "files": [_file("up-4")]},
             {"component_id": "criminal-record", "files": [_file("up-5")]}]
    now = T0 + timedelta(days=1)
    dossier, event = rules.resubmit(before, CITIZEN, now, added, "Đã bổ sung")

    by_id = {c["component_id"]: [f["upload_id"] for f in c["files"]] for c in dossier.components}
    assert by_id == {"application-form": ["up-1"], "health-certificate": ["up-2", "up-3", "up-4"],
                     "criminal-record": ["up-5"]}
    assert dossier.status == Status.SUBMITTED
    assert dossier.version == before.version + 1 == 3
    assert event.type == "dossier.resubmitted"
    assert event.seq == 3
    assert event.actor["role"] == "citizen"
    assert event.payload["previous_status"] == "supplement_requested"
    assert event.payload["status"] == "submitted"
    assert event.payload["note"] == "Đã bổ sung"
    assert event.payload["added_components"] == [
        {"component_id": "health-certificate", "files": [{"upload_id": "up-4", "sha256": "ab" * 32}]},
        {"component_id": "criminal-record", "files": [{"upload_id": "up-5", "sha256": "ab" * 32}]},
    ]


def test_resubmit_marks_the_last_supplement_request_resolved():
    before = _supplement_requested()
    now = T0 + timedelta(days=1)
    dossier, _ = rules.resubmit(before, CITIZEN, now, [{"component_id": "health-certificate",
                                                       "files": [_file("up-4")]}], "")
    assert dossier.supplement_requests[-1]["resolved_at"] == iso(now)
    # The dossier handed in is not touched.
    assert before.supplement_requests[-1]["resolved_at"] is None
    assert [f["upload_id"] for f in before.components[1]["files"]] == ["up-2", "up-3"]


def test_a_citizen_who_does_not_own_the_dossier_cannot_resubmit():
    with pytest.raises(Forbidden) as caught:
        rules.resubmit(_supplement_requested(), OTHER_CITIZEN, T0, [], "")
    assert caught.value.detail_code == "not_owner"


def test_an_officer_cannot_resubmit_for_the_applicant():
    with pytest.raises(Forbidden) as caught:
        rules.resubmit(_supplement_requested(), OFFICER, T0, [], "")
    assert caught.value.detail_code == "role_not_allowed"


def test_resubmit_is_only_possible_while_a_supplement_is_requested():
    with pytest.raises(TransitionNotAllowed) as caught:
        rules.resubmit(_submitted(), CITIZEN, T0, [], "")
    assert caught.value.allowed_actions == ["withdraw"]


def test_merge_components_copies_rather_than_aliases():
    existing = [{"component_id": "a", "files": [_file("1")]}]
    added = [{"component_id": "a", "files": [_file("2")]}]
    merged = rules.merge_components(existing, added)
    merged[0]["files"].append(_file("3"))
    assert [f["upload_id"] for f in existing[0]["files"]] == ["1"]
    assert [f["upload_id"] for f in added[0]["files"]] == ["2"]


# --- visibility ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("principal", "visible"), [
    (CITIZEN, True),
    (OTHER_CITIZEN, False),
    (OFFICER, True),
    (OTHER_OFFICER, False),
    (ADMIN, True),
    # Before it reaches a unit, a dossier is the desk's: leaders and specialists do not see it yet.
    (Principal(id="s", username="s", roles=frozenset({Role.SPECIALIST}), agency_code=AGENCY), False),
    (Principal(id="l", username="l", roles=frozenset({Role.LEADER}), agency_code=AGENCY), False),
    (Principal(id="o", username="o", roles=frozenset({Role.OFFICER}), agency_code=None), False),
    # A citizen attribute saying the same agency does not make a citizen staff.
    (Principal(id="c", username="c", roles=frozenset({Role.CITIZEN}), agency_code=AGENCY), False),
], ids=["owner", "other-citizen", "officer-same-agency", "officer-other-agency", "admin",
        "specialist-same-agency", "leader-same-agency", "officer-without-agency",
        "citizen-with-agency-claim"])
def test_can_see(principal, visible):
    assert can_see(principal, _submitted()) is visible


# --- serialisation ------------------------------------------------------------------------------

def test_to_dict_gives_the_stored_shape():
    dossier, _ = rules.receive(_submitted(), OFFICER, T0 + timedelta(hours=1), date(2026, 3, 16),
                               {"form": "01"})
    data = dossier.to_dict()
    assert data["status"] == "received"
    assert data["national_status"] == 2
    assert data["submitted_at"] == "2026-03-02T02:15:30.123Z"
    assert data["received_at"] == "2026-03-02T03:15:30.123Z"
    assert data["due_date"] == "2026-03-16"
    assert data["version"] == 2
    assert isinstance(data["status"], str)


def test_dossier_round_trips_through_to_dict_and_from_dict():
    dossier = _supplement_requested()
    dossier = rules.resubmit(dossier, CITIZEN, T0 + timedelta(days=1),
                             [{"component_id": "health-certificate", "files": [_file("up-4")]}], "ok")[0]
    dossier = rules.receive(dossier, OFFICER, T0 + timedelta(days=2), date(2026, 3, 20), {"form": "01"})[0]
    again = Dossier.from_dict(dossier.to_dict())
    assert again == dossier
    assert again.to_dict() == dossier.to_dict()


def test_from_dict_accepts_stringly_numbers_and_local_offsets():
    data = _submitted().to_dict()
    data.update(channel="2", version="1", procedure_version="2", submitted_at="2026-03-02T09:15:30.123+07:00")
    again = Dossier.from_dict(data)
    assert again.channel == 2
    assert again.version == 1
    assert again.procedure_version == 2
    assert again.submitted_at == T0
    assert again.status is Status.SUBMITTED


def test_iso_converts_any_offset_to_utc_and_parse_iso_reads_it_back():
    local = T0.astimezone(timezone(timedelta(hours=7)))
    assert iso(local) == "2026-03-02T02:15:30.123Z"
    assert parse_iso(iso(local)) == T0
    assert iso(None) is None
    assert parse_iso(None) is None
    assert parse_iso("") is None
