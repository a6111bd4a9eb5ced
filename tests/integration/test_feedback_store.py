"""Feedback against moto in-process: each change lands with its event in one transaction, a stale write changes
nothing, the queue and the public list read their sparse indexes, and the hourly check flags each overdue step once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from chalicelib.domain.errors import Conflict, TransitionNotAllowed
from chalicelib.domain.principal import Principal
from chalicelib.domain.states import Role
from chalicelib.services.feedback import FeedbackService
from chalicelib.store.feedback import FeedbackStore
from chalicelib.store.models import EventModel

from .conftest import AGENCY, OTHER_AGENCY

OFFICER = Principal("staff-1", "officer.hanoi", frozenset({Role.OFFICER}), AGENCY, name="Lê Thị Hoa")
ELSEWHERE = Principal("staff-2", "officer.hcm", frozenset({Role.OFFICER}), OTHER_AGENCY, name="Phạm Minh Tuấn")
MONDAY = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội


def body(**changes):
    contact = SimpleNamespace(name="Trần Văn Ba", email="ba@example.vn", phone=None)
    return SimpleNamespace(**{"kind": "feedback", "agency_code": AGENCY, "procedure_code": None, "dossier_code": None,
                              "title": "Thái độ phục vụ", "content": "Cán bộ trả lời chậm.", "contact": contact,
                              **changes})


@pytest.fixture()
def service(provisioned):
    return FeedbackService()


def events_of(code: str) -> list[str]:
    return [e.type for e in EventModel.query(f"FB#{code}", consistent_read=True)]


def test_each_change_is_written_with_its_event_and_a_stale_one_changes_nothing(service):
    item, key = service.file(None, body(), MONDAY)
    assert key and events_of(item.code) == ["feedback.filed"]
    answered = service.handle(OFFICER, item.code, "answer", SimpleNamespace(text="Đã chấn chỉnh."), MONDAY)
    assert events_of(item.code) == ["feedback.filed", "feedback.answered"]
    with pytest.raises(Conflict):  # written over the version first read: someone moved it meanwhile
        FeedbackStore().save(answered, item.version, _event_like(answered))
    assert FeedbackStore().get(item.code).version == answered.version
    with pytest.raises(TransitionNotAllowed):
        service.handle(OFFICER, item.code, "refuse", SimpleNamespace(reason="x"), MONDAY)


def _event_like(item):
    """An event for `item`'s next number, as the service writes them."""
    from chalicelib.domain.feedback import FeedbackEvent
    from chalicelib.services.feedback import SYSTEM_ACTOR, _event

    return _event(item, FeedbackEvent.OVERDUE, SYSTEM_ACTOR, MONDAY, steps=[])


def test_the_queue_lists_only_items_due_from_the_agency_soonest_first_and_the_public_list_only_published_ones(service):
    first, _ = service.file(None, body(title="Một"), MONDAY)
    later, _ = service.file(None, body(title="Hai"), MONDAY + timedelta(days=1))
    waiting, _ = service.file(None, body(title="Ba"), MONDAY)
    service.handle(OFFICER, waiting.code, "request_info", SimpleNamespace(question="Số biên nhận?"), MONDAY)
    rows, _ = service.queue(OFFICER, 100, None)
    codes = [r["code"] for r in rows]
    assert first.code in codes and later.code in codes and waiting.code not in codes
    assert codes.index(first.code) < codes.index(later.code)
    assert all(r["code"] not in codes for r in service.queue(ELSEWHERE, 100, None)[0])

    service.handle(OFFICER, first.code, "answer", SimpleNamespace(text="Trả lời ông Trần Văn Ba."), MONDAY)
    service.handle(OFFICER, first.code, "publish", SimpleNamespace(title=None, question=None, answer=None), MONDAY)
    published, _ = service.published(AGENCY, 50, None)
    row = next(r for r in published if r["code"] == first.code)
    assert "Ba" not in row["public"]["answer"] and later.code not in {r["code"] for r in published}


def test_the_hourly_check_flags_each_overdue_step_once(service):
    item, _ = service.file(None, body(), MONDAY)
    service.flag_overdue(MONDAY + timedelta(days=3))
    assert "feedback.overdue" not in events_of(item.code)
    # Monday 30 November: asking for more was due by Monday 7 December, the answer by Monday 21 December.
    service.flag_overdue(datetime(2026, 12, 8, 3, tzinfo=UTC))
    service.flag_overdue(datetime(2026, 12, 9, 3, tzinfo=UTC))
    assert events_of(item.code).count("feedback.overdue") == 1
    assert FeedbackStore().get(item.code).overdue_steps == ("request_info",)
    service.flag_overdue(datetime(2026, 12, 22, 3, tzinfo=UTC))
    assert FeedbackStore().get(item.code).overdue_steps == ("request_info", "answer")
