"""The national portal link under moto, with the portal stand-in serving files and taking updates in process:
forwards become dossiers with verified files (once), refused forwards leave nothing behind, and pushes reach
the portal in order."""

from __future__ import annotations

import base64
import json
import time

import boto3
import pytest

from chalicelib.adapters import national_portal as gateway
from chalicelib.domain.calendar import LOCAL_TZ
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.states import Status
from chalicelib.services import portal_intake, portal_sync
from chalicelib.store import portal as portal_store
from chalicelib.store.uploads import UploadStore
from scripts.standins import national_portal as standin
from tests.integration.conftest import BUSINESS, REGION, WORK_PERMIT, content_for, now, officer, procedure_spec

SECRET, PASSWORD = "inbound-secret-for-tests", "portal-password"


@pytest.fixture
def portal(stack, monkeypatch):
    """The stand-in, the platform's settings pointing at it, and the credentials in Secrets Manager."""
    config = standin.Config(inbound_secret=SECRET, username="motcua", password=PASSWORD, madonvi="G22")
    server, _ = standin.start_server("127.0.0.1", 0, config)
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=stack["NATIONAL_PORTAL_SECRET_ID"],
        SecretString=json.dumps({"password": PASSWORD, "inbound_secret": SECRET}))
    for key, value in {"NATIONAL_PORTAL_URL": server.url, "NATIONAL_PORTAL_USERNAME": "motcua",
                       "NATIONAL_PORTAL_MADONVI": "G22", "NATIONAL_PORTAL_TIMEOUT_SECONDS": "2"}.items():
        monkeypatch.setenv(key, value)
    from chalicelib.adapters import secrets

    secrets._cache.clear()
    gateway.reset_session()
    yield server
    server.shutdown()
    server.server_close()


def _files(code: str = WORK_PERMIT) -> list[dict]:
    files = []
    for component in procedure_spec(code).components:
        if component.required:
            content, content_type = content_for(component.id, code)
            files.append({"component_id": component.id, "file_name": f"{component.id}.bin",
                          "content_type": content_type, "content_base64": base64.b64encode(content).decode()})
    return files


def _forward(server, **changes) -> dict:
    """A forward as the stand-in builds it (its files stored there, ready to be fetched)."""
    sim = {"procedure_code": WORK_PERMIT, "applicant": dict(BUSINESS), "summary": "Cấp giấy phép lao động",
           "files": _files(), "delivery": {"method": "desk"}, **changes}
    return server.portal.prepare_forward(standin._submit_request(sim), server.url)


def _uploads(stack) -> list:
    """Upload records (the control table starts empty in each test)."""
    ddb = boto3.client("dynamodb", region_name=REGION)
    return ddb.scan(TableName=stack["CONTROL_TABLE"], FilterExpression="kind = :k",
                    ExpressionAttributeValues={":k": {"S": "upload"}})["Items"]


def _objects(stack) -> set[tuple[str, str]]:
    """Every stored version (and delete marker) of the portal principal's objects: the bucket outlives tests."""
    s3 = boto3.client("s3", region_name=REGION)
    listed = s3.list_object_versions(Bucket=stack["DOCUMENTS_BUCKET"], Prefix="uploads/national-portal/")
    return {(v["Key"], v["VersionId"]) for v in listed.get("Versions", []) + listed.get("DeleteMarkers", [])}


def test_a_forward_with_files_becomes_a_submitted_online_dossier_with_verified_files(portal):
    body = _forward(portal)
    dossier, replayed = portal_intake.receive_forward(body, now())
    assert not replayed
    assert dossier.status == Status.SUBMITTED and dossier.channel == 2
    assert dossier.origin == "national_portal" and dossier.portal_code == body["MaHoSo"]
    assert dossier.owner_id == "national-portal"
    files = [f for c in dossier.components for f in c["files"]]
    assert len(files) == len(body["TaiLieuNop"])
    uploads = UploadStore().get_many([f["upload_id"] for f in files])
    assert {u.status for u in uploads.values()} == {"attached"}
    assert all(u.sha256 for u in uploads.values())


def test_the_same_forward_twice_gives_one_dossier(portal, stack):
    body = _forward(portal)
    first, _ = portal_intake.receive_forward(body, now())
    stored = _objects(stack)
    second, replayed = portal_intake.receive_forward(body, now())
    assert replayed and second.id == first.id
    assert len(_uploads(stack)) == len(body["TaiLieuNop"])  # the repeat fetched and stored nothing
    assert _objects(stack) == stored


def test_a_file_whose_hash_differs_is_refused_and_nothing_is_left_behind(portal, stack):
    body = _forward(portal)
    body["TaiLieuNop"][-1]["MaHash"] = "0" * 64  # the others are fetched and stored first
    before = _objects(stack)
    with pytest.raises(ValidationFailed) as refused:
        portal_intake.receive_forward(body, now())
    last = len(body["TaiLieuNop"]) - 1
    assert [(e.field, e.code) for e in refused.value.errors] == [(f"TaiLieuNop[{last}].MaHash", "portal.hash_mismatch")]
    assert _uploads(stack) == [] and _objects(stack) == before


def test_a_file_outside_the_portal_or_missing_there_is_unreachable(portal, stack):
    body = _forward(portal, tamper={"unreachable": True})
    body["TaiLieuNop"][1]["DuongDanTaiTepTin"] = "http://169.254.169.254/latest/meta-data/"
    before = _objects(stack)
    with pytest.raises(ValidationFailed) as refused:
        portal_intake.receive_forward(body, now())
    assert {(e.field, e.code) for e in refused.value.errors} == {
        ("TaiLieuNop[0].DuongDanTaiTepTin", "portal.file_unreachable"),
        ("TaiLieuNop[1].DuongDanTaiTepTin", "portal.file_unreachable")}
    assert _uploads(stack) == [] and _objects(stack) == before


def test_an_unknown_procedure_is_refused_by_its_portal_field(portal):
    body = _forward(portal)
    body["MaTTHC"] = "9.999999"
    with pytest.raises(ValidationFailed) as refused:
        portal_intake.receive_forward(body, now())
    assert [(e.field, e.code) for e in refused.value.errors] == [("MaTTHC", "portal.unknown_procedure")]


def test_an_applicant_the_procedure_does_not_accept_is_refused_with_the_portal_field_names(portal, stack):
    body = _forward(portal, applicant={"type": "person", "full_name": "Nguyễn Văn An", "citizen_id": "001099012345",
                                        "date_of_birth": "1990-01-02", "address": "Hà Nội"})
    before = _objects(stack)
    with pytest.raises(ValidationFailed) as refused:
        portal_intake.receive_forward(body, now())
    assert any(e.field.startswith(("LoaiDoiTuong", "ChuHoSo", "applicant")) for e in refused.value.errors)
    assert _uploads(stack) == [] and _objects(stack) == before


def test_a_signature_is_accepted_once(portal):
    raw = json.dumps(_forward(portal)).encode()
    stamp = int(time.time())
    headers = {"x-dvcqg-timestamp": str(stamp), "x-dvcqg-signature": standin.sign(SECRET, stamp, raw)}
    portal_intake.authenticate(raw, headers, time.time())
    with pytest.raises(portal_intake.Replayed):
        portal_intake.authenticate(raw, headers, time.time())
    with pytest.raises(portal_intake.SignatureRefused):
        portal_intake.authenticate(raw + b" ", {**headers, "x-dvcqg-signature": standin.sign(SECRET, stamp, raw)
                                                 .replace("a", "b", 1)}, time.time())


# --------------------------------------------------------------------------- outbound


def _receive(dossier):
    from chalicelib.api import schemas, validation
    from chalicelib.services.dossiers import DossierService

    return DossierService().receive(officer(), dossier.id, validation.parse(schemas.Receive, {}), now())


def _received(portal) -> tuple:
    dossier, _ = portal_intake.receive_forward(_forward(portal), now())
    return dossier, _receive(dossier)


def test_pushes_reach_the_portal_in_order_and_a_redelivered_event_sends_nothing(portal):
    from chalicelib.store.dossiers import DossierStore

    dossier, _ = _received(portal)
    submitted, received = ({**e, "dossier_id": dossier.id} for e in DossierStore().history(dossier.id))
    # The later event first: the dossier as it is now, after each status it went through.
    assert portal_sync.push_event(received) == "synced"
    assert portal_sync.push_event(submitted) == "duplicate"
    assert portal_sync.push_event(received) == "duplicate"
    held = portal.portal.dossier(dossier.portal_code)
    assert held["statuses"] == [1, 2]
    assert [e["TrangThai"] for e in held["progress"]] == [1, 2]
    state = portal_store.get_state(dossier.id)
    assert (state.record_version, state.progress_version, state.portal_status) == (2, 2, 2)


def test_a_supplement_asked_at_the_desk_before_reception_reaches_the_portal_without_reception_dates(portal):
    from chalicelib.api import schemas, validation
    from chalicelib.services.dossiers import DossierService

    dossier, _ = portal_intake.receive_forward(_forward(portal), now())
    asked = validation.parse(schemas.RequestSupplement, {
        "items": [{"component_id": "application-form", "reason": "Bản khai chưa có chữ ký"}]})
    DossierService().request_supplement(officer(), dossier.id, asked, now())
    assert portal_sync.sync(dossier.id) == "synced"
    held = portal.portal.dossier(dossier.portal_code)
    assert held["statuses"] == [1, 5]
    assert held["record"]["NgayTiepNhan"] == "" and len(held["record"]["DanhSachHoSoBoSung"]) == 1


def test_a_failed_push_is_recorded_and_the_next_one_catches_up(portal):
    dossier, _ = _received(portal)
    portal.portal.add_fault({"service": "DongBoHoSoMC", "mode": "error", "count": 1})
    with pytest.raises(gateway.PortalUnavailable):
        portal_sync.sync(dossier.id)
    state = portal_store.get_state(dossier.id)
    assert state.attempts == 1 and "DongBoHoSoMC" in state.last_error
    assert portal_sync.sync(dossier.id) == "synced"
    assert portal_store.get_state(dossier.id).attempts == 0
    assert portal.portal.dossier(dossier.portal_code)["statuses"] == [1, 2]


def test_reconciliation_pushes_again_a_dossier_whose_update_the_portal_lost(portal):
    dossier, _ = portal_intake.receive_forward(_forward(portal), now())
    portal_sync.sync(dossier.id)
    _receive(dossier)
    portal.portal.add_fault({"service": "DongBoHoSoMC", "mode": "drop", "count": 1})
    assert portal_sync.sync(dossier.id) == "synced"  # acknowledged, but the portal kept nothing
    assert portal.portal.dossier(dossier.portal_code)["record"]["TrangThaiHoSo"] in (1, "1")
    result = portal_sync.reconcile(hours=1, settle_minutes=0)
    assert result == {"checked": 1, "repaired": 1, "failed": 0}
    assert portal.portal.dossier(dossier.portal_code)["statuses"] == [1, 2]
    assert portal_sync.reconcile(hours=1, settle_minutes=0)["repaired"] == 0


def test_the_first_acknowledgement_counts_the_dossier_as_synced_once(portal):
    from chalicelib.store import metrics as metric_store

    def synced_today(dossier) -> int:  # the metrics table outlives the tests of this module: compare
        day = dossier.submitted_at.astimezone(LOCAL_TZ).date()
        rows = metric_store.read(metric_store.active_generation(), dossier.agency_code, f"{day:%Y-%m}",
                                 f"procedure#{dossier.procedure_code}#{day}")
        return sum(r["counters"].get("portal_synced", 0) for r in rows)

    dossier, _ = _received(portal)
    before = synced_today(dossier)
    portal_sync.sync(dossier.id)
    portal_sync.sync(dossier.id, force=True)
    assert 0 in metric_store.read_mark(metric_store.active_generation(), dossier.id).seqs
    assert synced_today(dossier) == before + 1


def test_a_failed_push_is_held_back_longer_each_time_it_fails(portal):
    from chalicelib.store.dossiers import DossierStore

    assert [portal_sync.backoff_seconds(n) for n in (1, 2, 3, 6, 10)] == [30, 60, 120, 900, 900]
    dossier, _ = _received(portal)
    event = {**DossierStore().history(dossier.id)[-1], "dossier_id": dossier.id}
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=f"portal-backoff-{dossier.id.lower()}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"detail-type": event["type"], "detail": event}))
    message = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, AttributeNames=["All"])["Messages"][0]
    record = {"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
              "attributes": message["Attributes"], "eventSource": "aws:sqs", "eventSourceARN": arn}
    portal.portal.add_fault({"service": "DongBoHoSoMC", "mode": "error", "count": 1})
    answer = portal_sync.handle_batch({"Records": [record]})
    assert answer["batchItemFailures"] == [{"itemIdentifier": message["MessageId"]}]
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []  # held back: not visible again at once


def test_a_metrics_rebuild_keeps_the_dossiers_the_portal_acknowledged(portal):
    from chalicelib.services import metrics as metric_service
    from chalicelib.store import metrics as metric_store

    dossier, _ = _received(portal)
    portal_sync.sync(dossier.id)
    metric_service.rebuild()
    generation = metric_store.active_generation()
    assert 0 in metric_store.read_mark(generation, dossier.id).seqs  # a later acknowledgement is a duplicate
    day = dossier.submitted_at.astimezone(LOCAL_TZ).date()
    rows = [r for r in metric_store.read(generation, dossier.agency_code, f"{day:%Y-%m}", below="unit#")
            if r["dimension"] in ("all", "procedure") and r["day"] == day.isoformat()]  # the agency's total
    # The rebuild counts every acknowledged dossier of the (emptied) control table: this module's ones.
    synced = sum(r["counters"].get("portal_synced", 0) for r in rows)
    assert synced == len([s for s in portal_store.all_states() if s.first_synced_at])


def test_the_catalogue_check_reports_procedures_the_portal_does_not_know(portal, tmp_path):
    from chalicelib.domain.procedures import load_seed_catalogue

    catalogue = tmp_path / "portal-catalogue.json"  # the portal's list: ours, less the work permit
    catalogue.write_text(json.dumps([p.to_dict() for p in load_seed_catalogue() if p.code != WORK_PERMIT]))
    portal.config.catalogue = str(catalogue)
    report = portal_sync.catalogue_report(now().astimezone(LOCAL_TZ).date())
    assert report["unknown_to_portal"] == [WORK_PERMIT]
    assert report["field_code_differs"] == [] and report["mapped"] == report["procedures"] - 1
