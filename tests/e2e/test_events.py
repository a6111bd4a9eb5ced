"""Events over the local stack: the notifications consumer's emails, its dead letters, and replays.

Everything goes through the same path as in AWS (events table stream -> relay -> EventBridge ->
SQS -> consumer, played locally by the event pump); what was sent is read back from moto's SES.
Operator commands run as `python -m scripts.operator ... --state-file <this stack's state>`.

This module runs its own local stack (started exactly as the shared one, plus a private pump
control directory): these tests break SES and pause the consumer; on a stack of their own nothing
else can be caught in that, and a pause file left behind by a killed run cannot pause anybody's
`make run`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from scripts.ops.emails import moto_data
from scripts.provision import physical_name

from .conftest import REPO_ROOT, running_stack
from .test_dossier_flow import WORK_PERMIT, submission, submit

pytestmark = pytest.mark.e2e

WAIT = 30  # seconds: the bound on how long a notification may take to go out (generous for loaded CI machines)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """This module's own local stack: it overrides the shared one, and conftest's `aws` and `api`
    (module-scoped) follow it."""
    with running_stack(tmp_path_factory.mktemp("events-stack")) as state:
        yield state


def wait_for(probe, timeout: float = WAIT, what: str = "condition"):
    """The first truthy value of `probe()`, polled until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.3)


def moto_models(stack) -> dict:
    return moto_data(stack["MOTO_ENDPOINT"])


def sent_emails(stack) -> list[dict]:
    """What moto's SES accepted (its model dump lists every ses.Message)."""
    return moto_models(stack).get("ses", {}).get("Message", [])


def emails_about(stack, code: str, subject_part: str = "") -> list[dict]:
    return [m for m in sent_emails(stack) if code in m["subject"] and subject_part in m["subject"]]


def notifications(api, user: str, dossier_id: str) -> list[dict]:
    response = api(user).get(f"/dossiers/{dossier_id}/notifications")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def sent_for(api, user: str, dossier_id: str, *event_types: str) -> list[dict] | None:
    """The notification records once every one of `event_types` has one with status sent."""
    items = notifications(api, user, dossier_id)
    done = {n["event_type"] for n in items if n["status"] == "sent"}
    return items if set(event_types) <= done else None


def day(iso_date: str) -> str:
    return date.fromisoformat(iso_date).strftime("%d/%m/%Y")


def operator(stack, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "scripts.operator", *args, "--state-file", stack["STATE_FILE"]],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == expect, result.stdout + result.stderr
    return result


def queue_url(stack, aws, logical_id: str) -> str:
    return aws("sqs").get_queue_url(QueueName=physical_name(stack["MOTCUA_STAGE"], logical_id))["QueueUrl"]


def in_queue(aws, url: str) -> int:
    attributes = aws("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return sum(int(attributes[k]) for k in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                            "ApproximateNumberOfMessagesDelayed"))


def drained(stack, aws) -> None:
    url = queue_url(stack, aws, "NotificationsQueue")
    wait_for(lambda: in_queue(aws, url) == 0, what="the notifications queue to drain")


def received_dossier(api, citizen: str = "citizen.an") -> tuple[dict, dict]:
    dossier = submit(api, citizen)
    response = api("officer.hanoi").post(f"/dossiers/{dossier['id']}/receive", {"note": "Đủ thành phần"})
    assert response.status_code == 200, response.text
    return dossier, response.json()


# --------------------------------------------------------------------------- what the applicant is told


def test_receipt_is_emailed_with_the_code_and_appointment_date_and_recorded(api, stack):
    dossier, received = received_dossier(api)
    applicant = dossier["applicant"]["email"]
    appointment = day(received["receipt"]["appointment_date"])

    receipts = wait_for(lambda: emails_about(stack, dossier["code"], "Giấy tiếp nhận"), what="the receipt email")
    assert len(receipts) == 1
    receipt = receipts[0]
    assert receipt["destinations"]["ToAddresses"] == [applicant]
    assert receipt["source"] == stack["NOTIFICATION_SENDER"]
    assert f"Mã hồ sơ: {dossier['code']}" in receipt["body"]
    assert f"Ngày hẹn trả kết quả: {appointment}" in receipt["body"]

    items = wait_for(lambda: sent_for(api, "citizen.an", dossier["id"], "dossier.submitted", "dossier.received"),
                     what="both notifications recorded as sent")
    by_type = {n["event_type"]: n for n in items}
    for event_type in ("dossier.submitted", "dossier.received"):
        record = by_type[event_type]
        assert (record["channel"], record["recipient"], record["status"]) == ("email", applicant, "sent")
        assert record["language"] == "vi" and record["sent_at"]
    assert by_type["dossier.received"]["subject"] == receipt["subject"]

    other = api("citizen.binh").get(f"/dossiers/{dossier['id']}/notifications")
    assert other.status_code == 404
    assert other.json()["type"].endswith("not_found")

    listed = operator(stack, "emails", "--to", applicant, "--json")
    assert receipt["subject"] in {m["subject"] for m in json.loads(listed.stdout)["emails"]}


def test_an_english_speaking_citizen_gets_the_english_template(api, stack):
    dossier, received = received_dossier(api, "citizen.john")
    receipts = wait_for(lambda: emails_about(stack, dossier["code"], "Receipt and appointment"),
                        what="the English receipt email")
    body = receipts[0]["body"]
    assert "RECEIPT AND APPOINTMENT FOR THE RESULT (form 01)" in body
    assert f"Dossier code: {dossier['code']}" in body
    assert f"Result due on: {day(received['receipt']['appointment_date'])}" in body
    assert "Giấy tiếp nhận" not in body
    items = wait_for(lambda: sent_for(api, "citizen.john", dossier["id"], "dossier.submitted", "dossier.received"),
                     what="both notifications recorded as sent")
    assert {n["language"] for n in items} == {"en"}


def test_a_supplement_request_email_lists_every_component_with_its_reason(api, stack):
    dossier = submit(api)
    procedure = api().get(f"/procedures/{WORK_PERMIT}").json()
    names = {c["id"]: c["name_vi"] for c in procedure["components"]}
    reasons = {cid: reason for cid, reason in zip([c["component_id"] for c in dossier["components"]][:2],
                                                  ("Bản chụp không rõ nét", "Giấy tờ đã hết hiệu lực"), strict=True)}
    asked = api("officer.hanoi").post(f"/dossiers/{dossier['id']}/request-supplement", {
        "items": [{"component_id": cid, "reason": reason} for cid, reason in reasons.items()],
        "note": "Vui lòng bổ sung trong 10 ngày"})
    assert asked.status_code == 200, asked.text

    emails = wait_for(lambda: emails_about(stack, dossier["code"], "Yêu cầu bổ sung"), what="the supplement email")
    body = emails[0]["body"]
    for cid, reason in reasons.items():
        assert f"- {names[cid]}: {reason}" in body
    assert "Vui lòng bổ sung trong 10 ngày" in body


def test_a_refusal_email_carries_the_reason(api, stack):
    dossier = submit(api)
    reason = "Hồ sơ không thuộc thẩm quyền giải quyết của Sở"
    refused = api("officer.hanoi").post(f"/dossiers/{dossier['id']}/refuse", {"reason": reason})
    assert refused.status_code == 200, refused.text
    emails = wait_for(lambda: emails_about(stack, dossier["code"], "Từ chối"), what="the refusal email")
    assert f"Lý do: {reason}" in emails[0]["body"]
    assert emails[0]["destinations"]["ToAddresses"] == [dossier["applicant"]["email"]]


def test_an_applicant_who_opted_in_also_gets_an_sms(api, stack):
    body = submission(api, "citizen.an")
    body = {**body, "applicant": {**body["applicant"], "phone": "0912 345 678"}, "sms_opt_in": True}
    created = api("citizen.an").post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201, created.text
    dossier = created.json()

    def texts():
        return [s for s in moto_models(stack).get("sns", {}).get("SMS", []) if dossier["code"] in s["message"]]

    sms = wait_for(texts, what="the SMS")
    assert [s["phone_number"] for s in sms] == ["+84912345678"]
    def both_sent():
        items = notifications(api, "citizen.an", dossier["id"])
        return {(n["channel"], n["status"]) for n in items} == {("email", "sent"), ("sms", "sent")}

    wait_for(both_sent, what="the email and the SMS recorded as sent")
    listed = json.loads(operator(stack, "emails", "--to", "0912345678", "--json").stdout)
    assert any(dossier["code"] in s["body"] for s in listed["sms"])


# --------------------------------------------------------------------------- dead letters and replays


def test_failed_notifications_rest_in_the_dlq_until_an_operator_redrives_them(api, stack, aws):
    ses = aws("ses")
    sender = stack["NOTIFICATION_SENDER"]
    pause = Path(stack["PUMP_CONTROL_DIR"]) / "pause-notifications"
    queue, dlq = queue_url(stack, aws, "NotificationsQueue"), queue_url(stack, aws, "NotificationsDLQ")
    dossier = submit(api)
    wait_for(lambda: sent_for(api, "citizen.an", dossier["id"], "dossier.submitted"), what="the first notification")
    drained(stack, aws)  # nothing of earlier tests may be caught in the outage below

    try:
        pause.touch()
        time.sleep(1.5)  # a receive already waiting (1 s long poll) ends before anything is published
        ses.delete_identity(Identity=sender)
        refused = api("officer.hanoi").post(f"/dossiers/{dossier['id']}/refuse", {"reason": "Trùng hồ sơ đã nộp"})
        assert refused.status_code == 200, refused.text
        refusal = api("citizen.an").get(f"/dossiers/{dossier['id']}/history").json()["events"][-1]
        assert refusal["type"] == "dossier.refused"
        wait_for(lambda: in_queue(aws, queue) >= 1, what="the refusal to wait in the paused consumer's queue")

        pause.unlink()
        wait_for(lambda: in_queue(aws, dlq) >= 1, timeout=30, what="the refusal to reach the DLQ after 5 receives")
        record = next(n for n in notifications(api, "citizen.an", dossier["id"])
                      if n["event_type"] == "dossier.refused")
        assert record["status"] == "retrying" and record["attempts"] == 5
        assert "MessageRejected" in record["reason"]
        assert emails_about(stack, dossier["code"], "Từ chối") == []

        listed = operator(stack, "dlq", "list", "notifications").stdout
        line = next((row for row in listed.splitlines() if refusal["id"] in row), None)
        assert line is not None, listed
        assert "dossier.refused" in line and dossier["id"] in line
        rows = json.loads(operator(stack, "dlq", "list", "notifications", "--json").stdout)[0]["messages"]
        assert refusal["id"] in {r["event_id"] for r in rows}, "listing twice still shows it: nothing was consumed"
    finally:
        pause.unlink(missing_ok=True)
        ses.verify_email_identity(EmailAddress=sender)

    moved = operator(stack, "dlq", "redrive", "notifications").stdout
    assert moved.startswith("Redrove ") and int(moved.split()[1]) >= 1, moved
    wait_for(lambda: sent_for(api, "citizen.an", dossier["id"], "dossier.refused"), what="the redriven notification")
    drained(stack, aws)
    assert len(emails_about(stack, dossier["code"], "Từ chối")) == 1, "sent exactly once"
    rows = json.loads(operator(stack, "dlq", "list", "notifications", "--json").stdout)[0]["messages"]
    assert refusal["id"] not in {r["event_id"] for r in rows}


def test_replaying_a_dossier_to_the_consumer_sends_nothing_twice(api, stack, aws):
    dossier, _ = received_dossier(api)
    wait_for(lambda: sent_for(api, "citizen.an", dossier["id"], "dossier.submitted", "dossier.received"),
             what="both notifications")
    drained(stack, aws)
    before = notifications(api, "citizen.an", dossier["id"])
    emails_before = len(emails_about(stack, dossier["code"]))
    assert emails_before == 2

    # Staff read the events as stored (the applicant reads them without staff accounts).
    history = api("officer.hanoi").get(f"/dossiers/{dossier['id']}/history").json()["events"]
    queue = queue_url(stack, aws, "NotificationsQueue")

    pause = Path(stack["PUMP_CONTROL_DIR"]) / "pause-notifications"
    try:
        pause.touch()
        time.sleep(1.5)  # a receive already waiting (1 s long poll) ends before anything is sent
        replayed = operator(stack, "replay", "notifications", "--dossier", dossier["id"]).stdout
        assert replayed.startswith("Replayed 2 event(s) to notifications"), replayed
        messages = aws("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0)
        envelopes = [json.loads(m["Body"]) for m in messages.get("Messages", [])]
    finally:
        pause.unlink(missing_ok=True)
    # What the rule would have delivered: EventBridge's envelope around the relay's detail.
    assert sorted(e["detail"]["seq"] for e in envelopes) == [1, 2]
    for envelope in envelopes:
        event = next(e for e in history if e["id"] == envelope["detail"]["id"])
        assert envelope["detail"] == {**event, "dossier_id": dossier["id"]}
        assert (envelope["version"], envelope["source"], envelope["detail-type"]) == ("0", "motcua.dossiers",
                                                                                     event["type"])
        assert envelope["resources"] == [f"dossier/{dossier['id']}"]
        assert envelope["account"] and envelope["region"] == "ap-southeast-1" and envelope["time"].endswith("Z")
    drained(stack, aws)
    assert len(emails_about(stack, dossier["code"])) == emails_before
    assert notifications(api, "citizen.an", dossier["id"]) == before


def test_replaying_a_time_range_reads_the_day_index_and_sends_nothing_twice(api, stack, aws):
    dossier, _ = received_dossier(api)
    wait_for(lambda: sent_for(api, "citizen.an", dossier["id"], "dossier.submitted", "dossier.received"),
             what="both notifications")
    drained(stack, aws)
    events = api("citizen.an").get(f"/dossiers/{dossier['id']}/history").json()["events"]
    before = notifications(api, "citizen.an", dossier["id"])

    dry = operator(stack, "replay", "notifications", "--since", events[0]["at"], "--until", events[-1]["at"],
                   "--dry-run", "-v").stdout
    assert {e["id"] for e in events} <= set(dry.split()), dry
    replayed = operator(stack, "replay", "notifications", "--since", events[0]["at"], "--until", events[-1]["at"])
    assert replayed.stdout.startswith("Replayed 2 event(s)"), replayed.stdout
    drained(stack, aws)
    assert len(emails_about(stack, dossier["code"])) == 2
    assert notifications(api, "citizen.an", dossier["id"]) == before


def test_operator_commands_refuse_what_makes_no_sense(stack):
    unknown = operator(stack, "dlq", "list", "nobody", expect=2)
    assert "notifications" in unknown.stderr and "relay" in unknown.stderr
    relay = operator(stack, "dlq", "redrive", "relay", expect=2)
    assert "stream" in relay.stderr
    listed = json.loads(operator(stack, "dlq", "list", "--json").stdout)
    assert {entry["consumer"] for entry in listed} == {"relay", "notifications", "metrics", "portal_sync"}


# --------------------------------------------------------- local stack fidelity


def test_a_cancelled_transaction_does_not_stop_the_relay(api, stack, aws):
    """A cancelled transaction is routine: it is how a lost race ends (concurrent retries of a submission,
    two officers acting at once; test_dossier_flow.py provokes both on the shared stack). Here one is
    cancelled deterministically: an event write followed by a condition that fails.

    scripts/moto_fidelity.py keeps the live stream shard (minus the cancelled writes' records) and makes
    stream reads wait for transactions in flight, so the relay goes on as it does on DynamoDB.
    """
    phantom = {"dossier_id": {"S": f"phantom-{uuid.uuid4()}"}, "seq": {"N": "1"}, "event_id": {"S": "phantom"},
               "type": {"S": "dossier.submitted"}, "at": {"S": "2026-01-01T00:00:00.000Z"},
               "day": {"S": "2026-01-01"}, "actor": {"M": {}}, "payload": {"M": {}}, "schema_version": {"N": "1"}}
    ddb = aws("dynamodb")
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": stack["EVENTS_TABLE"], "Item": phantom}},
            {"ConditionCheck": {"TableName": stack["CONTROL_TABLE"], "Key": {"pk": {"S": f"absent-{uuid.uuid4()}"}},
                                "ConditionExpression": "attribute_exists(pk)"}}])

    dossier = submit(api)
    wait_for(lambda: sent_for(api, "citizen.an", dossier["id"], "dossier.submitted"),
             what="the notification of a dossier submitted after the cancelled transaction")
