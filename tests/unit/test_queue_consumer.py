"""What a queue consumer does with a batch: a failing message fails alone, and an expected "retry later" (another
delivery holds the dossier) is counted as a retry, not as an error to alarm on."""

from __future__ import annotations

import json

import pytest

from chalicelib.services.metrics import FoldKeptMoving
from chalicelib.services.queue_consumer import run_batch
from chalicelib.store.portal import LeaseHeld


def message(n: int) -> dict:
    detail = {"id": f"e{n}", "type": "dossier.received", "dossier_id": f"d{n}", "seq": 2}
    return {"messageId": f"m{n}", "receiptHandle": "r", "body": json.dumps({"detail": detail}),
            "attributes": {}, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:ap-southeast-1:000000000000:q", "awsRegion": "ap-southeast-1"}


@pytest.mark.parametrize(("consumer", "contention"), [("portal_sync", LeaseHeld("d2")),
                                                     ("metrics", FoldKeptMoving("d2#2: the fold state kept moving"))])
def test_contention_over_a_dossier_fails_only_its_message_and_counts_as_a_retry(capsys, consumer, contention):
    def handle(event: dict) -> str:
        if event["dossier_id"] == "d2":
            raise contention
        return "counted"

    answer = run_batch({"Records": [message(1), message(2), message(3)]}, None, consumer, handle)
    assert answer["batchItemFailures"] == [{"itemIdentifier": "m2"}]
    outcomes = [json.loads(line).get("outcome") for line in capsys.readouterr().out.splitlines()
                if line.startswith("{") and "EventsConsumed" in line]
    assert sorted(o for o in outcomes if o) == ["counted", "counted", "retry"]
