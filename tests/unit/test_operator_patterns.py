"""Which stored events a replay re-delivers: EventBridge's TestEventPattern decides, once per distinct answer."""

from __future__ import annotations

import time

import boto3
import pytest
from moto import mock_aws

from scripts.ops.consumers import discover_consumers
from scripts.ops.errors import OperatorError
from scripts.ops.patterns import PatternMatcher, relevant_part
from scripts.ops.replay import envelope_for


def stored_item(seq: int, event_type: str = "dossier.submitted") -> dict:
    """An events-table item in DynamoDB JSON, as the replay reads it."""
    return {"dossier_id": {"S": "d-1"}, "seq": {"N": str(seq)}, "event_id": {"S": f"e-{seq}"},
            "type": {"S": event_type}, "at": {"S": "2025-03-01T08:00:00.000Z"}, "day": {"S": "2025-03-01"},
            "actor": {"M": {"id": {"S": "u-1"}, "role": {"S": "citizen"}}}, "payload": {"M": {}}}


class CountingEvents:
    """An events client standing in for a deployed EventBridge: answers by source only."""

    def __init__(self, result: bool | None = True) -> None:
        self.result = result
        self.calls = 0

    def test_event_pattern(self, EventPattern: str, Event: str) -> dict:  # noqa: N803 - boto3's names
        self.calls += 1
        return {} if self.result is None else {"Result": self.result}


@pytest.fixture
def local_events():
    with mock_aws():
        yield boto3.client("events", region_name="ap-southeast-1")


def test_the_template_rules_deliver_the_relays_events_to_both_queue_consumers(local_events):
    consumers = discover_consumers()
    rules = PatternMatcher(local_events, local=True)
    envelope = envelope_for(stored_item(1), "123456789012", "ap-southeast-1")
    for name in ("notifications", "metrics"):
        assert consumers[name].patterns, f"{name} has no rule in infra/resources.yaml"
        assert all(rules.matches(p, envelope) for p in consumers[name].patterns)
        foreign = {**envelope, "source": "aws.s3"}
        assert not any(rules.matches(p, foreign) for p in consumers[name].patterns)


def test_a_replay_delivers_to_each_consumer_only_the_event_types_its_rule_delivers(local_events):
    """The rules' `detail-type` lists are generated from the code (chalicelib/consumers/sources.py); the
    operator's tools see the same lists as the stacks."""
    consumers = discover_consumers()
    rules = PatternMatcher(local_events, local=True)

    def delivered(name: str, kind: str) -> bool:
        envelope = envelope_for(stored_item(1, kind), "123456789012", "ap-southeast-1")
        return all(rules.matches(p, envelope) for p in consumers[name].patterns)

    assert [delivered("notifications", k) for k in ("dossier.received", "dossier.transferred")] == [True, False]
    assert [delivered("metrics", k) for k in ("dossier.transferred", "dossier.due_soon")] == [True, False]
    assert not any(delivered(name, "dossier.apology_allowed") for name in ("notifications", "metrics"))


@pytest.mark.parametrize(("pattern", "expected"), [
    ({"source": ["motcua.dossiers"]}, True),
    ({"source": [{"prefix": "motcua."}]}, True),
    ({"detail": {"type": [{"anything-but": ["dossier.received"]}]}}, True),
    ({"detail": {"type": [{"anything-but": {"prefix": "dossier."}}]}}, False),
    ({"detail": {"payload": {"reason": [{"exists": False}]}}}, True),
    ({"detail": {"seq": [{"numeric": [">", 2]}]}}, True),
    ({"$or": [{"source": ["aws.s3"]}, {"detail-type": ["dossier.submitted"]}]}, True),
    ({"detail-type": [{"suffix": ".received"}]}, False),
])
def test_pattern_forms_are_decided_as_eventbridge_documents_them_on_the_local_stack(local_events, pattern,
                                                                                    expected):
    envelope = envelope_for(stored_item(3), "123456789012", "ap-southeast-1")
    assert PatternMatcher(local_events, local=True).matches(pattern, envelope) is expected


def test_a_replay_asks_eventbridge_once_per_rule_when_the_rule_reads_only_the_source():
    events = CountingEvents()
    rules = PatternMatcher(events, local=False)
    pattern = {"source": ["motcua.dossiers"]}
    for seq in range(1, 501):
        assert rules.matches(pattern, envelope_for(stored_item(seq), "123456789012", "ap-southeast-1"))
    assert events.calls == 1


def test_answers_are_not_shared_between_events_that_differ_where_the_pattern_looks():
    events = CountingEvents()
    rules = PatternMatcher(events, local=False)
    pattern = {"detail": {"type": ["dossier.received"]}}
    for seq, kind in enumerate(["dossier.submitted", "dossier.received", "dossier.submitted"]):
        rules.matches(pattern, envelope_for(stored_item(seq, kind), "123456789012", "ap-southeast-1"))
    assert events.calls == 2


def test_the_cache_key_keeps_every_field_an_or_pattern_reads_and_nothing_else():
    event = {"source": "s", "id": "unique", "detail": {"type": "t", "seq": 4, "actor": {"id": "u"}, "tags": ["a"]}}
    pattern = {"$or": [{"source": ["x"]}, {"detail": {"type": ["t"], "actor": {"id": ["u"]}}}],
               "detail": {"tags": ["a"], "missing": [{"exists": False}]}}
    assert relevant_part(pattern, event) == {"source": "s", "detail": {"type": "t", "actor": {"id": "u"},
                                                                        "tags": ["a"]}}


def test_a_deployed_eventbridge_that_gives_no_result_stops_the_replay():
    with pytest.raises(OperatorError, match="without a Result"):
        PatternMatcher(CountingEvents(result=None), local=False).matches({"source": ["s"]}, {"source": "s"})


def test_a_local_replay_of_a_thousand_events_stays_fast(local_events):
    consumers = discover_consumers()
    rules = PatternMatcher(local_events, local=True)
    envelopes = [envelope_for(stored_item(seq), "123456789012", "ap-southeast-1") for seq in range(1000)]
    started = time.perf_counter()
    matched = sum(all(rules.matches(p, e) for p in consumers["notifications"].patterns) for e in envelopes)
    elapsed = time.perf_counter() - started
    assert matched == 1000
    assert rules.calls == 1
    assert elapsed < 1.0, f"matching 1000 events took {elapsed:.2f}s"
