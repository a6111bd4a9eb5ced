"""What the applicant reads of their dossier names staff by name, role and agency, never by account id or
username (Decree 13/2023); staff read everything."""

from __future__ import annotations

import json
from datetime import timedelta

from chalicelib.api.present import for_caller, without_staff_ids
from chalicelib.domain import transitions as rules
from chalicelib.domain.states import Action

from ..domain.test_dossier_rules import ADMIN, CITIZEN, OFFICER, T0
from ..domain.test_interagency_and_evaluation_rules import PARTNER_OFFICER, _returned_from_partner
from ..domain.test_processing_rules import LEADER, SPECIALIST, TODAY

STAFF = (OFFICER, LEADER, SPECIALIST, PARTNER_OFFICER)


def _handled():
    """A dossier that went through reception, transfer, assignment (with the specialist's username), an inter-agency
    step, a fee and a stop: every record that names staff."""
    back, _ = _returned_from_partner()
    events = []
    fee, event = rules.act(back, SPECIALIST, Action.REQUEST_FEE, T0 + timedelta(days=2), TODAY,
                           {"amount_vnd": 50_000, "purpose": "Phí"})
    events.append(event)
    stopped, event = rules.act(fee, LEADER, Action.STOP, T0 + timedelta(days=3), TODAY, {"reason": "Dừng"})
    events.append(event)
    history = [{"id": e.id, "seq": e.seq, "type": e.type, "actor": e.actor, "payload": e.payload} for e in events]
    history.append({"id": "e-assign", "seq": 4, "type": "dossier.assigned", "payload": {"specialist": "spec"},
                    "actor": {"id": LEADER.id, "username": LEADER.username, "role": "leader", "name": LEADER.name,
                              "agency_code": LEADER.agency_code}})
    stopped.assignee = {**stopped.assignee, "username": "spec"}
    return stopped, history


def _named(data) -> set[str]:
    text = json.dumps(data, ensure_ascii=False)
    return {value for who in STAFF for value in (who.id, who.username) if f'"{value}"' in text}


def test_the_applicant_reads_no_staff_id_or_username_anywhere_in_the_record_history_or_slip():
    dossier, history = _handled()
    record = dossier.to_dict()
    assert _named(record) and _named(history), "the fixture does name staff"
    for data in (record, history, record["control_slip"]):
        assert _named(for_caller(data, CITIZEN)) == set()


def test_names_roles_agencies_and_units_stay():
    dossier, history = _handled()
    seen = for_caller(dossier.to_dict(), CITIZEN)
    assert seen["assignee"] == {"name": SPECIALIST.name}
    assert seen["ended"]["by"] == {"name": LEADER.name, "role": "leader", "agency_code": LEADER.agency_code,
                                   "unit": LEADER.unit}
    step = seen["inter_agency"][0]
    assert (step["returned_by"]["name"], step["returned_by"]["agency_code"]) == (PARTNER_OFFICER.name,
                                                                                 PARTNER_OFFICER.agency_code)
    receipt_step = seen["control_slip"][0]
    assert receipt_step["to"] == {"kind": "desk", "name": OFFICER.name, "role": "officer",
                                  "agency_code": OFFICER.agency_code, "unit": None}
    assign = for_caller(history, CITIZEN)[-1]
    assert assign["actor"] == {"role": "leader", "name": LEADER.name, "agency_code": LEADER.agency_code}
    assert "specialist" not in assign["payload"], "the assignment's event names the specialist by username"


def test_the_applicant_keeps_their_own_account_on_what_they_did():
    submitted_by = {"id": CITIZEN.id, "username": CITIZEN.username, "role": "citizen", "name": CITIZEN.name}
    history = [{"id": "e-1", "seq": 1, "actor": submitted_by, "payload": {"code": "X"}}]
    assert without_staff_ids(history, CITIZEN.id) == history


def test_staff_and_administrators_read_everything():
    dossier, history = _handled()
    record = dossier.to_dict()
    for reader in (OFFICER, LEADER, ADMIN):
        assert for_caller(record, reader) == record and for_caller(history, reader) == history
