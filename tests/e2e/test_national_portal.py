"""The national portal link over HTTP, against the portal stand-in the local stack starts: a dossier forwarded by
the portal is processed at the desk and returned, and the portal ends up holding every status in order — also
when its gateway fails or does not answer for a while, and when it loses an update (the reconciliation repairs it).
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time

import pytest
import requests

from .conftest import PDF, PNG, REPO_ROOT, running_stack
from .test_processing import UNIT, act
from .test_results import issue, result_upload

pytestmark = pytest.mark.e2e

WORK_PERMIT = "1.014199"  # Hà Nội; business applicants
COMPONENTS = (("application-form", PDF, "application/pdf"), ("health-certificate", PDF, "application/pdf"),
              ("criminal-record", PDF, "application/pdf"), ("qualification-proof", PDF, "application/pdf"),
              ("passport-copy", PDF, "application/pdf"), ("photos", PNG, "image/png"))
BUSINESS = {"type": "business", "name": "Công ty TNHH Cổng Quốc Gia", "tax_code": "0100109106",
            "address": "1 Tràng Tiền, Hà Nội", "phone": "0912345678", "email": "nhansu@example.vn",
            "representative": {"full_name": "Trần Văn Bình", "position": "Giám đốc"}}
WAIT = 40  # seconds for the portal to hold what the platform did (retries after faults included)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """This module's own local stack: its faults hit the next calls of a service, whichever dossier makes them,
    so no other module's dossiers may be syncing meanwhile."""
    with running_stack(tmp_path_factory.mktemp("portal-stack")) as state:
        yield state


def sim(stack, method: str, path: str, body: dict | None = None) -> requests.Response:
    return requests.request(method, stack["NATIONAL_PORTAL_URL"] + path, json=body, timeout=60)


def forward(stack, expect: int = 201, **changes) -> dict:
    """A citizen submits on the portal (the stand-in), which forwards the dossier to the platform."""
    files = [{"component_id": c, "file_name": f"{c}.{'png' if t == 'image/png' else 'pdf'}", "content_type": t,
              "content_base64": base64.b64encode(content).decode()} for c, content, t in COMPONENTS]
    body = {"procedure_code": WORK_PERMIT, "applicant": BUSINESS, "summary": "Cấp giấy phép lao động",
            "files": files, "delivery": {"method": "desk"}, **changes}
    answer = sim(stack, "POST", "/_sim/submit", body)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["platform_status"] == expect, found
    return found


def held(stack, code: str) -> dict | None:
    answer = sim(stack, "GET", f"/_sim/dossiers/{code}")
    return answer.json() if answer.status_code == 200 else None


def wait_for(stack, code: str, check, what: str) -> dict:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = held(stack, code)
        if found and check(found):
            return found
        time.sleep(0.3)
    raise AssertionError(f"the portal never held {what}: {held(stack, code)}")


def process_to_the_end(api, dossier: dict) -> None:
    act(api("officer.hanoi"), dossier, "receive", {"note": "Đủ thành phần"})
    act(api("officer.hanoi"), dossier, "transfer", {"unit": UNIT})
    act(api("leader.hanoi"), dossier, "assign", {"specialist": "specialist.hanoi"})
    act(api("specialist.hanoi"), dossier, "propose", {"assessment": "Đủ điều kiện", "proposal": "approve"})
    act(api("leader.hanoi"), dossier, "approve", {"note": "Đồng ý"})
    upload_id, _ = result_upload(api("specialist.hanoi"), dossier)
    issue(api, dossier, upload_id)
    act(api("officer.hanoi"), dossier, "return-at-desk", {"received_by": "Trần Văn Bình"})


def never_backwards(statuses: list[int]) -> bool:
    final = {3, 7, 8, 10}
    for old, new in zip(statuses, statuses[1:], strict=False):
        if old == new or old in final or new == 1 or (old == 9 and new != 10):
            return False
    return True


def test_a_forwarded_dossier_is_received_processed_and_returned_and_the_portal_holds_every_status_in_order(
        api, stack):
    found = forward(stack)
    code, dossier = found["MaHoSo"], {"id": found["platform_body"]["dossier_id"]}
    desk = api("officer.hanoi").get("/desk/dossiers", params={"code": found["platform_body"]["dossier_code"]})
    assert [d["id"] for d in desk.json()["items"]] == [dossier["id"]]  # in the desk's queue like any other
    first = desk.json()["items"][0]
    assert (first["origin"], first["portal_code"], first["channel"]) == ("national_portal", code, 2)

    process_to_the_end(api, dossier)
    portal = wait_for(stack, code, lambda d: d["statuses"][-1:] == [10] and len(d["progress"]) == 8, "status 10")
    assert portal["statuses"] == [1, 2, 4, 9, 10]
    assert [p["TrangThai"] for p in portal["progress"]] == [1, 2, 4, 4, 4, 9, 9, 10]
    record = portal["record"]
    assert (record["MaTTHC"], record["SoBienNhan"]) == (WORK_PERMIT, found["platform_body"]["dossier_code"])
    assert record["NgayTra"] and record["DanhSachGiayToKetQua"]
    seen = api("officer.hanoi").get(f"/dossiers/{dossier['id']}").json()["national_portal_sync"]
    assert seen["in_sync"] and seen["portal_status"] == 10 and seen["attempts"] == 0


def test_with_the_gateway_failing_and_not_answering_the_portal_still_ends_in_the_same_state(api, stack):
    found = forward(stack)
    code, dossier = found["MaHoSo"], {"id": found["platform_body"]["dossier_id"]}
    wait_for(stack, code, lambda d: d["statuses"] == [1], "the new dossier")
    for fault in ({"service": "DongBoHoSoMC", "mode": "error", "count": 2},
                  {"service": "DongBoHoSoMC", "mode": "timeout", "count": 1, "delay_seconds": 9},
                  {"service": "CapNhatTienDoHoSoMC", "mode": "error", "count": 1}):
        assert sim(stack, "POST", "/_sim/faults", fault).status_code == 200
    process_to_the_end(api, dossier)
    portal = wait_for(stack, code, lambda d: d["statuses"][-1:] == [10] and len(d["progress"]) == 8, "status 10")
    assert portal["statuses"] == [1, 2, 4, 9, 10] and never_backwards(portal["statuses"])
    entries = [json.dumps(p, sort_keys=True) for p in portal["progress"]]
    assert len(entries) == len(set(entries)) == 8  # no progress entry twice
    sim(stack, "DELETE", "/_sim/faults")


def test_the_reconciliation_repairs_a_dossier_whose_update_the_portal_lost(api, stack):
    found = forward(stack)
    code, dossier = found["MaHoSo"], {"id": found["platform_body"]["dossier_id"]}
    wait_for(stack, code, lambda d: d["statuses"] == [1], "the new dossier")
    sim(stack, "POST", "/_sim/faults", {"service": "DongBoHoSoMC", "mode": "drop", "count": 1})
    act(api("officer.hanoi"), dossier, "receive", {"note": "Đủ thành phần"})
    deadline = time.monotonic() + WAIT
    while not api("officer.hanoi").get(f"/dossiers/{dossier['id']}").json()["national_portal_sync"]["in_sync"]:
        assert time.monotonic() < deadline, "the push was never acknowledged"
        time.sleep(0.3)
    assert held(stack, code)["statuses"] == [1]  # acknowledged, yet lost
    status = subprocess.run([sys.executable, "-m", "scripts.operator", "portal", "status", "--json",
                             "--state-file", stack["STATE_FILE"]], cwd=REPO_ROOT, capture_output=True, text=True)
    assert status.returncode in (0, 1), status.stderr  # 1: some dossier of another test is not in sync yet
    behind = [row["dossier_id"] for row in json.loads(status.stdout)["not_in_sync"]]
    assert dossier["id"] not in behind  # the platform's side is in sync: only asking the portal tells
    repaired = subprocess.run([sys.executable, "-m", "scripts.operator", "portal", "reconcile", "--days", "1",
                               "--json", "--state-file", stack["STATE_FILE"]], cwd=REPO_ROOT, capture_output=True,
                              text=True)
    assert repaired.returncode == 0, repaired.stderr
    assert json.loads(repaired.stdout)["repaired"] >= 1
    assert held(stack, code)["statuses"] == [1, 2]


def test_a_forward_is_idempotent_on_its_code_and_refused_clearly_when_a_file_is_wrong(stack):
    first = forward(stack)
    time.sleep(1.1)  # a resend within the same second would carry the very same signature: refused as a replay
    again = forward(stack, MaHoSo=first["MaHoSo"], expect=200)
    assert again["platform_body"]["dossier_id"] == first["platform_body"]["dossier_id"]
    assert again["platform_headers"].get("Idempotent-Replayed") == "true"

    tampered = forward(stack, tamper={"hash": True}, expect=422)
    problem = tampered["platform_body"]
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("TaiLieuNop[0].MaHash", "portal.hash_mismatch")]
    assert held(stack, tampered["MaHoSo"]) is None  # nothing was created, so nothing was synced

    unreachable = forward(stack, tamper={"unreachable": True}, expect=422)
    assert ("TaiLieuNop[0].DuongDanTaiTepTin", "portal.file_unreachable") in [
        (e["field"], e["code"]) for e in unreachable["platform_body"]["errors"]]


def test_an_unsigned_forward_or_one_signed_with_another_secret_is_refused_before_its_body_is_read(stack):
    from scripts.standins.national_portal import sign

    url = stack["API_URL"] + "/integrations/national-portal/dossiers"
    body = json.dumps({"MaHoSo": "DVCQG-000000-000001"}).encode()
    unsigned = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "portal.signature_missing"
    stamp = int(time.time())
    forged = requests.post(url, data=body, timeout=30, headers={
        "Content-Type": "application/json", "X-DVCQG-Timestamp": str(stamp),
        "X-DVCQG-Signature": sign("not-the-secret", stamp, body)})
    assert (forged.status_code, forged.json()["code"]) == (401, "portal.signature_invalid")  # not a 422 on the body
    assert forged.headers["Content-Type"].startswith("application/problem+json")
