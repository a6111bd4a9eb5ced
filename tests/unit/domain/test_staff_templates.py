"""Messages to the agency's own staff (chalicelib/templates/staff): one Vietnamese template per event they
must act on, only placeholders the consumer fills, and the facts each message must carry; and who gets it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import transitions as rules
from chalicelib.domain.agencies import agency
from chalicelib.domain.principal import Principal
from chalicelib.domain.states import Action
from chalicelib.domain.templates import STAFF_TEMPLATE_DIR, event_types, template_for
from chalicelib.services import notifications
from chalicelib.services.notifications import message_context, staff_recipient

from .test_notification_templates import (  # noqa: F401 - `catalogue` is the autouse fixture
    CITIZEN,
    LEADER,
    OFFICER,
    SPECIALIST,
    SYSTEM,
    _history,
    catalogue,
)

STAFF_EVENTS = {"dossier.due_soon", "dossier.overdue", "dossier.sent_to_agency", "dossier.returned_from_agency",
                "dossier.rated_not_satisfied", "dossier.forwarded"}
PARTNER = "000.00.31.H26"


def _staff_history() -> dict:
    history = _history("vi")
    received, _ = history["dossier.received"]
    when = received.received_at + timedelta(hours=1)
    day = when.date()
    transferred, _ = rules.act(received, OFFICER, Action.TRANSFER, when, day, {"unit": "viec-lam"}, {"kind": "unit"})
    assigned, _ = rules.act(transferred, LEADER, Action.ASSIGN, when, day, {"specialist": "sp"},
                            {"kind": "specialist", "id": SPECIALIST.id, "name": SPECIALIST.name, "username": "sp"})
    sent, send = rules.act(assigned, SPECIALIST, Action.SEND_TO_AGENCY, when, day,
                           {"to_agency": PARTNER, "request": "Xác nhận thời gian đóng bảo hiểm",
                            "step_due": "2026-03-06"}, {"kind": "agency", "agency_code": PARTNER})
    partner = Principal(id="bhxh-1", username="officer.bhxh", roles=OFFICER.roles, agency_code=PARTNER)
    back, reply = rules.act(sent, partner, Action.RETURN_FROM_AGENCY, when, day, {"reply": "Đã đóng đủ 12 tháng"},
                            {"kind": "specialist"})
    soon, due_soon = rules.act(assigned, SYSTEM, Action.FLAG_DUE_SOON, when, day,
                               {"due_date": assigned.due_date.isoformat(), "as_of": day.isoformat()})
    late, overdue = rules.act(soon, SYSTEM, Action.FLAG_OVERDUE, when, day,
                              {"due_date": assigned.due_date.isoformat(), "as_of": day.isoformat()})
    returned = history["dossier.returned"][0]
    rating = {"satisfied": False, "criteria": {"attitude": "not_satisfied"}, "comment": "Cán bộ hướng dẫn chưa rõ"}
    rated, unhappy = rules.evaluate(returned, CITIZEN, when, rating, timedelta(days=7))
    return {"dossier.sent_to_agency": (sent, send), "dossier.returned_from_agency": (back, reply),
            "dossier.due_soon": (soon, due_soon), "dossier.overdue": (late, overdue),
            "dossier.rated_not_satisfied": (rated, unhappy), "dossier.forwarded": history["dossier.forwarded"]}


def test_every_staff_event_has_a_vietnamese_template_and_nothing_else_is_there():
    assert event_types("staff") == STAFF_EVENTS
    assert {p.name for p in STAFF_TEMPLATE_DIR.glob("*.txt")} == {f"{t}.vi.txt" for t in STAFF_EVENTS}
    assert template_for("dossier.submitted", "vi", "staff") is None


@pytest.mark.parametrize("event_type", sorted(STAFF_EVENTS))
def test_staff_messages_render_completely_with_the_facts_to_act_on(event_type):
    dossier, event = _staff_history()[event_type]
    assert event.type == event_type
    context = {**message_context(event.to_dict(), dossier, "vi"), "staff_name": "Phạm Thị Chuyên"}
    template = template_for(event_type, "vi", "staff")
    for part in (template.subject, template.sms, template.body):
        assert not set(part.get_identifiers()) - set(context), event_type
    rendered = template.render(context)
    assert rendered.subject.startswith(f"[{dossier.code}] ") and "${" not in rendered.body
    must = {"dossier.sent_to_agency": ["Xác nhận thời gian đóng bảo hiểm", "06/03/2026"],
            "dossier.returned_from_agency": ["Đã đóng đủ 12 tháng", "Bảo hiểm xã hội thành phố Hà Nội"],
            "dossier.due_soon": [dossier.due_date.strftime("%d/%m/%Y")],
            "dossier.overdue": [dossier.due_date.strftime("%d/%m/%Y"), "Mẫu 04"],
            "dossier.rated_not_satisfied": ["KHÔNG HÀI LÒNG", "Cán bộ hướng dẫn chưa rõ", "attitude: not_satisfied"],
            # Who received it, when it is due, the paper originals' tracking number.
            "dossier.forwarded": ["Sở Lao động - Thương binh và Xã hội Thành phố Hồ Chí Minh",
                                  dossier.due_date.strftime("%d/%m/%Y"), "EB123456789VN"]}
    for fact in must[event_type]:
        assert fact in rendered.body, (event_type, fact)


def test_the_right_people_get_each_staff_message(monkeypatch):
    directory = {"sp": {"name": "Phạm Thị Chuyên", "email": "chuyen@example.vn", "enabled": True}}
    monkeypatch.setattr(notifications, "staff_member", directory.get)
    history = _staff_history()
    hanoi = agency(history["dossier.due_soon"][0].agency_code)
    partner = agency(PARTNER)
    recipients = {t: staff_recipient(e.to_dict(), d)[1] for t, (d, e) in history.items()}
    assert recipients == {"dossier.sent_to_agency": partner.desk_email,
                          "dossier.returned_from_agency": "chuyen@example.vn",
                          "dossier.due_soon": "chuyen@example.vn", "dossier.overdue": "chuyen@example.vn",
                          "dossier.rated_not_satisfied": hanoi.desk_email,
                          "dossier.forwarded": hanoi.desk_email}  # the competent agency's desk takes it over
    directory["sp"]["enabled"] = False  # a specialist who left: the desk hears instead
    dossier, event = history["dossier.overdue"]
    assert staff_recipient(event.to_dict(), dossier)[1] == hanoi.desk_email
