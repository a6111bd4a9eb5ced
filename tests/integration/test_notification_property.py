"""Property: however the queue delivers a dossier's events (duplicated, reordered, split into batches of
any size), each (event, channel) is notified exactly once.

The events are real (produced by the services, read from moto's stream, published by the relay through
the bus and the rule to the queue); only the delivery schedule is drawn. Each example uses a fresh dossier
in the same moto stack, so examples do not see each other's messages.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.api import schemas, validation
from chalicelib.consumers.notifications import notifications as notifications_handler
from chalicelib.domain.dossier import Dossier
from chalicelib.domain.templates import template_for
from chalicelib.services.dossiers import DossierService
from chalicelib.services.notifications import message_context
from chalicelib.store.notifications import NotificationStore

from .conftest import citizen, now, officer, upload
from .test_event_backbone import (
    SHORT_WORK_PERMIT,
    Outbox,
    Queue,
    StreamReader,
    envelopes_of,
    failed_ids,
    lambda_context,
    make_dossier,
)

# After submission: up to two supplement rounds, then the desk's decision (or none yet).
HISTORIES = st.tuples(st.integers(min_value=0, max_value=2), st.sampled_from(["received", "refused", None]))


@pytest.fixture(scope="module")
def backbone(provisioned) -> tuple[Queue, StreamReader]:
    queue = Queue("NotificationsQueue")
    queue.drain()
    return queue, StreamReader()


def _live(rounds: int, decision: str | None, sms: bool, locale: str) -> Dossier:
    """A dossier taken through its history by the services, as the API handlers would."""
    owner, desk, service = citizen(), officer(), DossierService()
    changes = {"locale": locale, "sms_opt_in": sms, "applicant": {"phone": "0912345678"}}
    dossier = make_dossier(owner, **changes)
    for round_ in range(rounds):
        request = validation.parse(schemas.RequestSupplement, {
            "items": [{"component_id": "photos", "reason": f"Ảnh mờ (lần {round_ + 1})"}], "note": "Bổ sung giúp"})
        service.request_supplement(desk, dossier.id, request, now())
        resubmission = validation.parse(schemas.Resubmit, {"components": [
            {"component_id": "photos", "upload_ids": [upload(owner, "photos", code=SHORT_WORK_PERMIT)]}]})
        service.resubmit(owner, dossier.id, resubmission, now())
    if decision == "received":
        service.receive(desk, dossier.id, validation.parse(schemas.Receive, {}), now())
    elif decision == "refused":
        refusal = validation.parse(schemas.Refuse, {"reason": "Hồ sơ không thuộc thẩm quyền giải quyết"})
        service.refuse(desk, dossier.id, refusal, now())
    return service.store.get(dossier.id)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=HISTORIES, sms=st.booleans(), locale=st.sampled_from(["vi", "en"]), data=st.data())
def test_no_schedule_of_deliveries_sends_anything_twice(backbone, history, sms, locale, data):
    queue, reader = backbone
    dossier = _live(*history, sms=sms, locale=locale)
    outbox = Outbox()
    envelopes = envelopes_of(queue, reader, dossier)
    events = [json.loads(body)["detail"] for body in envelopes]
    assert len(events) == 1 + 2 * history[0] + (history[1] is not None)

    # Deliveries: any events, any number of times, in any order, cut into batches of 1..10 (SQS's limit).
    schedule = data.draw(st.lists(st.sampled_from(range(len(envelopes))), min_size=1, max_size=3 * len(envelopes)),
                         label="schedule")
    sizes = data.draw(st.lists(st.integers(min_value=1, max_value=10), min_size=len(schedule),
                               max_size=len(schedule)), label="batch sizes")
    batches, start = [], 0
    for size in sizes:
        if start >= len(schedule):
            break
        batches.append(schedule[start:start + size])
        start += size

    for batch in batches:
        # Each delivery is its own SQS message (a republished or redelivered event), in batch order.
        records = [{"messageId": str(uuid.uuid4()), "receiptHandle": uuid.uuid4().hex, "body": envelopes[i],
                    "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"}, "messageAttributes": {},
                    "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": queue.arn,
                    "awsRegion": "ap-southeast-1"} for i in batch]
        answer = notifications_handler({"Records": records}, lambda_context("notifications"))
        assert failed_ids(answer) == []

    delivered = {events[i]["id"]: events[i] for i in schedule}
    notified = [e for e in delivered.values() if template_for(e["type"], locale) is not None]
    channels = ["email", "sms"] if sms else ["email"]
    emails, texts = outbox.emails(dossier), outbox.sms(dossier)
    assert len(emails) == len(notified)
    assert len(texts) == (len(notified) if sms else 0)
    assert Counter(m.subject for m in emails) == Counter(
        template_for(e["type"], locale).render(message_context(e, dossier)).subject for e in notified)

    records = NotificationStore().for_dossier(dossier.id)
    assert len({r["id"] for r in records}) == len(records) == len(notified) * len(channels)
    assert Counter((r["event_id"], r["channel"]) for r in records) == Counter(
        {(e["id"], c): 1 for e in notified for c in channels})
    assert all(r["status"] == "sent" and r["attempts"] == 1 for r in records)
