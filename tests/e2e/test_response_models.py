"""Every JSON body the API answers conforms to its response model (chalicelib/api/responses.py), checked on the
local stack while dossiers go through their whole lives: one online to the applicant's evaluation (supplement,
inter-agency step, fee, apology letter, decision, result), one rejected and posted, one refused, one withdrawn,
and the problems met on the way (400, 401, 403, 404, 409, 422).

Each client (signed in or not) carries a response hook: whatever it is asked (by this module or by the helpers it
borrows), the body is validated with the route's model (pydantic, strict JSON mode) and with that model's JSON Schema
(what a schema-driven tester checks), and every error must be an `application/problem+json` ProblemDetails."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from urllib.parse import urlparse

import pytest
import requests
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from chalicelib.api import responses as models
from chalicelib.services.dossiers import working_calendar

from .conftest import PDF, Api, edit_stored_dossier
from .test_dossier_flow import submission, upload_for
from .test_events import wait_for
from .test_processing import HANOI, UNIT, local_today
from .test_results import ADDRESS, FULL_ONLINE

pytestmark = pytest.mark.e2e

BHXH = "000.00.31.H26"  # the demo partner agency for inter-agency steps (officer.bhxh)
SMALL_PERMIT = "1.014200"  # Hà Nội, business applicants, two required components
ACTION_ROUTES = ("receive", "request-supplement", "refuse", "resubmit", "transfer", "assign", "propose",
                 "send-back", "approve", "reject", "stop", "withdraw", "request-fee", "record-payment",
                 "issue-result", "return-online", "return-at-desk", "send-by-post", "record-delivery", "apologise",
                 "allow-apology", "send-to-agency", "return-from-agency", "forward")
ROUTES: dict[tuple[str, str], type[BaseModel]] = {
    ("GET", "/health"): models.Health,
    ("GET", "/procedures"): models.ProcedurePage,
    ("POST", "/procedures"): models.Procedure,
    ("GET", "/procedures/{code}"): models.Procedure,
    ("GET", "/agencies"): models.AgencyList,
    ("POST", "/uploads"): models.UploadTicket,
    ("GET", "/uploads/{id}"): models.UploadRecord,
    ("POST", "/uploads/{id}/complete"): models.UploadRecord,
    ("POST", "/dossiers"): models.Dossier,
    ("GET", "/dossiers"): models.DossierPage,
    ("GET", "/dossiers/{id}"): models.Dossier,
    ("GET", "/dossiers/{id}/history"): models.History,
    ("GET", "/dossiers/{id}/notifications"): models.NotificationList,
    ("GET", "/dossiers/{id}/control-slip"): models.ControlSlip,
    ("POST", "/dossiers/{id}/results/uploads"): models.UploadTicket,
    ("GET", "/dossiers/{id}/results/{upload_id}"): models.ResultLink,
    ("GET", "/dossiers/{id}/files/{upload_id}"): models.ResultLink,
    ("GET", "/dossiers/{id}/access-log"): models.AccessLogPage,
    ("GET", "/admin/access-log"): models.StaffAccessLog,
    ("PUT", "/dossiers/{id}/evaluation"): models.Dossier,
    **{("POST", f"/dossiers/{{id}}/{action}"): models.Dossier for action in ACTION_ROUTES},
    ("GET", "/desk/dossiers"): models.DeskQueue,
    ("GET", "/public/dossiers/{code}"): models.PublicDossier,
    ("GET", "/metrics/scorecard"): models.Scorecard,
    ("GET", "/metrics/indicators/{id}"): models.IndicatorDetail,
    ("POST", "/integrations/national-portal/dossiers"): models.PortalForwardResult,
    ("POST", "/public/verifications"): models.Verification,
    ("GET", "/public/verifications/{id}"): models.Verification,
    ("GET", "/admin/staff"): models.StaffPage,
    ("POST", "/admin/staff"): models.StaffMember,
    ("GET", "/admin/staff/{id}"): models.StaffDetail,
    ("PATCH", "/admin/staff/{id}"): models.StaffMember,
    ("POST", "/admin/staff/{id}/disable"): models.StaffMember,
    ("POST", "/admin/staff/{id}/enable"): models.StaffMember,
    ("GET", "/me"): models.Me,
    ("GET", "/me/profile"): models.Profile,
    ("PUT", "/me/profile"): models.Profile,
    ("POST", "/dossiers/{id}/payments"): models.PaymentOrder,
    ("GET", "/dossiers/{id}/payments"): models.PaymentList,
    ("POST", "/integrations/payments/{provider}/notifications"): models.GatewayAnswer,
    ("GET", "/desk/payments/reconciliation"): models.Reconciliation,
    ("GET", "/queue/services"): models.DeskServices,
    ("POST", "/queue/tickets"): models.QueueTicket,
    ("GET", "/queue/tickets/{id}"): models.QueueTicket,
    ("GET", "/queue/display"): models.QueueDisplay,
    ("GET", "/desk/queue"): models.TicketQueue,
    ("POST", "/desk/queue/call-next"): models.DeskTicket,
    **{("POST", f"/desk/queue/tickets/{{id}}/{step}"): models.DeskTicket
       for step in ("recall", "serve", "done", "no-show")},
    ("POST", "/feedback"): models.FeedbackFiled,
    ("GET", "/feedback/{code}"): models.FeedbackItem,
    **{("POST", f"/feedback/{{code}}/{step}"): models.FeedbackItem for step in ("info", "rating")},
    ("GET", "/me/feedback"): models.FeedbackPage,
    ("GET", "/public/feedback"): models.FeedbackPage,
    ("GET", "/desk/feedback"): models.FeedbackPage,
    **{("POST", f"/desk/feedback/{{code}}/{step}"): models.FeedbackItem
       for step in ("refuse", "request-info", "answer", "publish")},
    ("GET", "/me/papers"): models.PaperPage,
    ("GET", "/me/papers/{paper_id}/file"): models.ResultLink,
    ("GET", "/desk/applicants/{id_number}/papers"): models.PaperPage,
    ("GET", "/desk/applicants/{id_number}/papers/{paper_id}/file"): models.ResultLink,
}
_PATTERNS = [(method, template, re.compile(re.sub(r"\{[a-z_]+\}", "[^/]+", template)))
             for method, template in ROUTES]
_VALIDATORS: dict[type[BaseModel], Draft202012Validator] = {}


def route_of(method: str, path: str) -> str:
    # The longest template first: /dossiers/{id}/history is not /dossiers/{id}.
    for m, template, pattern in sorted(_PATTERNS, key=lambda p: -len(p[1])):
        if m == method and pattern.fullmatch(path):
            return template
    raise AssertionError(f"no response model for {method} {path}")


def schema_errors(model: type[BaseModel], body) -> list[str]:
    if model not in _VALIDATORS:
        _VALIDATORS[model] = Draft202012Validator(model.model_json_schema(mode="serialization"),
                                                  format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _VALIDATORS[model].iter_errors(body)]


class Conformance:
    """Validates every response of the clients it hooks, and remembers which (method, route, status) it saw."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str, int]] = set()

    def __call__(self, response: requests.Response, *args, **kwargs) -> None:
        method, path = response.request.method, urlparse(response.request.url).path
        content_type = response.headers.get("Content-Type", "")
        if response.status_code >= 400:
            assert content_type.startswith("application/problem+json"), (method, path, content_type)
            model, route = models.ProblemDetails, path
        else:
            route = route_of(method, path)
            model = ROUTES[(method, route)]
            assert content_type.startswith("application/json"), (method, path, content_type)
        try:
            model.model_validate_json(response.content, strict=True)
        except ValueError as error:
            raise AssertionError(f"{method} {path} {response.status_code} is not a {model.__name__}: {error}\n"
                                 f"{response.text[:3000]}") from error
        problems = schema_errors(model, response.json())
        assert problems == [], f"{method} {path} {response.status_code} against {model.__name__}'s schema: {problems}"
        self.seen.add((method, route, response.status_code))

    def statuses(self) -> set[int]:
        return {status for _, _, status in self.seen}

    def routes(self) -> set[tuple[str, str]]:
        return {(method, route) for method, route, status in self.seen if status < 400}


@pytest.fixture
def conformance() -> Conformance:
    return Conformance()


@pytest.fixture
def api(stack, sign_in, conformance):
    """Clients whose every response is checked (shadows conftest's `api` so borrowed helpers are checked too)."""

    def for_user(username: str | None = None, language: str | None = None) -> Api:
        client = Api(stack["API_URL"], sign_in(username) if username else None, language)
        client.session.hooks["response"].append(conformance)
        return client

    return for_user


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_the_models_checked_here_are_those_the_contract_declares():
    import app  # noqa: F401 - importing the app declares every operation
    from chalicelib.api.contract import OPERATIONS

    declared = {(op.method, _shape(op.path)): op.response.resolve() for op in OPERATIONS if op.response}
    checked = {(method, _shape(path)): model for (method, path), model in ROUTES.items()}
    assert set(declared) - set(checked) == set(), "a route with a response model this module does not check"
    assert {key: model for key, model in checked.items() if key in declared} == {
        key: model for key, model in declared.items() if key in checked}


# --------------------------------------------------------------------------- helpers


def ok(response: requests.Response, status: int = 200) -> dict:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json()


def problem(response: requests.Response, status: int, code: str) -> dict:
    body = ok(response, status)
    assert body["code"] == code, body
    return body


def act(client: Api, dossier: dict, action: str, body: dict, status: int = 200) -> dict:
    return ok(client.post(f"/dossiers/{dossier['id']}/{action}", body), status)


def working_day(n: int) -> str:
    return working_calendar().add_working_days(local_today(), n).isoformat()


def submit(api, code: str, delivery: dict | None = None, citizen: str = "citizen.an") -> dict:
    body = submission(api, citizen, code)
    if delivery:
        body["delivery"] = delivery
    return ok(api(citizen).post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())}), 201)


def result_upload(client: Api, dossier: dict) -> str:
    """Staff side of a result document: the presigned POST, the file to S3, verification; its upload id."""
    ticket = ok(client.post(f"/dossiers/{dossier['id']}/results/uploads",
                            {"file_name": "ket-qua.pdf", "content_type": "application/pdf", "size": len(PDF)}), 201)
    stored = requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"],
                           files={"file": ("ket-qua.pdf", PDF, "application/pdf")}, timeout=30)
    assert stored.status_code in (200, 201, 204), stored.text
    assert ok(client.post(f"/uploads/{ticket['id']}/complete"))["status"] == "verified"
    return ticket["id"]


def flag_overdue(aws, stack, dossier: dict) -> None:
    """What the hourly deadline watch records on a late dossier, for this dossier alone (a scan would flag
    every late dossier of the agency, including other modules')."""
    edit_stored_dossier(aws, stack, dossier["id"], lambda record: record.update(deadline_alert="overdue"))


def notified(client: Api, dossier: dict, channel: str, event_type: str) -> list[dict]:
    def probe():
        items = ok(client.get(f"/dossiers/{dossier['id']}/notifications"))["items"]
        return items if any((n["channel"], n["event_type"]) == (channel, event_type) for n in items) else None

    return wait_for(probe, what=f"a {channel} notification of {event_type}")


# --------------------------------------------------------------------------- the whole life, online


def test_an_online_dossier_conforms_at_every_step_from_the_catalogue_to_the_evaluation(api, aws, stack, conformance):
    public, citizen, officer = api(), api("citizen.an"), api("officer.hanoi")
    leader, specialist, partner, admin = api("leader.hanoi"), api("specialist.hanoi"), api("officer.bhxh"), api("admin")

    assert ok(public.get("/health")) == {"status": "ok"}
    assert ok(public.get("/procedures", params={"field": "people-with-merit", "limit": 2}))["items"]
    procedure = ok(public.get(f"/procedures/{FULL_ONLINE}"))
    assert any(a["code"] == BHXH for a in ok(public.get("/agencies"))["items"])
    problem(public.get("/procedures/9.999999"), 404, "procedure_not_found")
    problem(public.get("/dossiers"), 401, "token_missing")
    problem(public.get("/no/such/route"), 404, "route_not_found")

    # Submission, and its idempotent replay.
    body = submission(api, "citizen.an", FULL_ONLINE)
    key = str(uuid.uuid4())
    dossier = ok(citizen.post("/dossiers", body, headers={"Idempotency-Key": key}), 201)
    replay = citizen.post("/dossiers", body, headers={"Idempotency-Key": key})
    assert ok(replay, 201)["id"] == dossier["id"] and replay.headers["Idempotent-Replayed"] == "true"
    first_upload = dossier["components"][0]["files"][0]["upload_id"]
    assert ok(citizen.get(f"/uploads/{first_upload}"))["status"] == "attached"

    # Supplement: form 02, a 409 meanwhile, the resubmission.
    component = dossier["components"][0]["component_id"]
    got = act(officer, dossier, "request-supplement", {
        "items": [{"component_id": component, "reason": "Đơn chưa có chữ ký của người đề nghị"}],
        "note": "Đề nghị bổ sung trong 05 ngày làm việc"})
    assert got["supplement_requests"][0]["form"] == "02"
    conflict = problem(officer.post(f"/dossiers/{dossier['id']}/receive", {}), 409, "transition_not_allowed")
    assert conflict["allowed_actions"] == []
    got = act(citizen, dossier, "resubmit", {"components": [
        {"component_id": component, "upload_ids": [upload_for(citizen, procedure, component)]}],
        "note": "Đã ký bổ sung"})
    assert got["supplement_requests"][0]["resolved_at"] is not None

    # Reception (form 01), transfer, assignment.
    problem(officer.post(f"/dossiers/{dossier['id']}/refuse", {"reason": "  "}), 422, "validation_detail")
    assert act(officer, dossier, "receive", {"note": "Đủ thành phần"})["receipt"]["form"] == "01"
    act(officer, dossier, "transfer", {"unit": UNIT, "note": "Chuyển phòng chuyên môn"})
    act(leader, dossier, "assign", {"specialist": "specialist.hanoi", "note": "Xử lý trong tuần"})

    # The inter-agency step, seen from the partner's incoming queue.
    got = act(specialist, dossier, "send-to-agency", {
        "to_agency": BHXH, "request": "Đề nghị xác nhận quá trình đóng bảo hiểm xã hội", "step_due": working_day(3)})
    assert got["inter_agency"][0]["reply"] is None
    incoming = ok(partner.get("/desk/dossiers", params={"incoming": "true",
                                                         "id_number": dossier["applicant"]["citizen_id"]}))
    assert dossier["id"] in [d["id"] for d in incoming["items"]]
    got = act(partner, dossier, "return-from-agency", {"reply": "Đã đóng bảo hiểm xã hội đủ 24 tháng"})
    assert got["inter_agency"][0]["on_time"] is True

    # The fee: a wrong amount is a 422 with the amount asked, then the payment.
    act(specialist, dossier, "request-fee", {"amount_vnd": 50_000, "purpose": "Phí sao lục hồ sơ gốc"})
    # The applicant starts paying online, then pays at the desk instead (the open order simply ends).
    order = ok(citizen.post(f"/dossiers/{dossier['id']}/payments", {"locale": "vi"}), 201)
    assert ok(citizen.get(f"/dossiers/{dossier['id']}/payments"))["items"][0]["id"] == order["payment_id"]
    forged = public.session.post(f"{stack['API_URL']}/integrations/payments/vnpay/notifications",
                                 data=f"vnp_TmnCode=MCHN0001&vnp_TxnRef={order['payment_id']}&vnp_SecureHash=00",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert ok(forged)["RspCode"] == "97"
    mismatch = problem(officer.post(f"/dossiers/{dossier['id']}/record-payment",
                                    {"amount_vnd": 40_000, "method": "cash"}), 422, "validation_detail")
    assert mismatch["errors"][0]["params"] == {"requested": 50_000}
    got = act(officer, dossier, "record-payment", {"amount_vnd": 50_000, "method": "bank_transfer",
                                                   "receipt_number": "BL-2026-000777", "note": "Đã nộp"})
    assert got["fee"]["payment"]["receipt_number"] == "BL-2026-000777"
    report = ok(officer.get("/desk/payments/reconciliation", params={"date": local_today().isoformat()}))
    assert set(report["summary"]) == {"matched", "missing_here", "missing_there", "amount_differs"}

    # An apology letter (form 04) for a late dossier, and an admin allowing another.
    flag_overdue(aws, stack, dossier)
    got = act(officer, dossier, "apologise", {"new_due_date": working_day(20),
                                              "reason": "Hồ sơ phải chờ xác minh liên thông"})
    assert got["apologies"][0]["form"] == "04"
    assert act(admin, dossier, "allow-apology", {"reason": "Chờ kết quả xác minh"})["apology_allowance"] == 2

    # Decision, the result document, its return online, who may download it when.
    act(specialist, dossier, "propose", {"assessment": "Đủ điều kiện cấp giấy xác nhận", "proposal": "approve"})
    act(leader, dossier, "approve", {"note": "Đồng ý"})
    upload_id = result_upload(specialist, dossier)
    assert ok(specialist.get(f"/uploads/{upload_id}"))["status"] == "verified"
    act(specialist, dossier, "issue-result", {"upload_ids": [upload_id], "note": "Ban hành kết quả"})
    problem(citizen.get(f"/dossiers/{dossier['id']}/results/{upload_id}"), 403, "result_not_available")
    assert ok(officer.get(f"/dossiers/{dossier['id']}/results/{upload_id}"))["expires_in"] > 0
    got = act(officer, dossier, "return-online", {"note": "Đã trả trên Cổng dịch vụ công"})
    assert (got["status"], got["returned"]["method"]) == ("returned", "online")
    assert ok(citizen.get(f"/dossiers/{dossier['id']}/results/{upload_id}"))["url"]

    # The evaluation, then its amendment to "not satisfied".
    rating = {"satisfied": True, "criteria": {"timeliness": "satisfied", "attitude": "satisfied", "visits": 1},
              "comment": "Cán bộ hướng dẫn tận tình"}
    assert ok(citizen.request("PUT", f"/dossiers/{dossier['id']}/evaluation", json=rating))["evaluation"]["satisfied"]
    amended = ok(citizen.request("PUT", f"/dossiers/{dossier['id']}/evaluation", json={
        "satisfied": False, "criteria": {"timeliness": "not_satisfied"}, "comment": "Trả kết quả chậm"}))
    assert amended["evaluation"]["amendments"] == 1

    # What everyone reads afterwards.
    events = ok(citizen.get(f"/dossiers/{dossier['id']}/history"))["events"]
    assert events[-1]["type"] == "dossier.rated_not_satisfied"
    slip = ok(officer.get(f"/dossiers/{dossier['id']}/control-slip"))
    assert [s["action"] for s in slip["steps"]][:4] == ["receive", "transfer", "assign", "send_to_agency"]
    # Who read it: the applicant's view and the agency's, and one officer's reads for an administrator.
    assert ok(citizen.get(f"/dossiers/{dossier['id']}/access-log"))["items"]
    assert ok(officer.get(f"/dossiers/{dossier['id']}/access-log", params={"limit": 1}))["next_cursor"]
    assert ok(admin.get("/admin/access-log", params={"staff": "officer.hanoi", "limit": 5}))["items"]
    assert dossier["id"] in [d["id"] for d in ok(citizen.get("/dossiers", params={"limit": 5}))["items"]]
    queue = ok(officer.get("/desk/dossiers", params={"status": "returned", "procedure": FULL_ONLINE,
                                                     "id_number": dossier["applicant"]["citizen_id"]}))
    assert dossier["id"] in [d["id"] for d in queue["items"]]
    by_code = ok(officer.get("/desk/dossiers", params={"code": dossier["code"]}))
    assert [d["id"] for d in by_code["items"]] == [dossier["id"]]
    assert ok(public.get(f"/public/dossiers/{dossier['code']}"))["national_status"] == 10
    problem(public.get("/public/dossiers/000.00.20.H26-200101-9999"), 404, "dossier_not_found")
    notified(citizen, dossier, "email", "dossier.returned")
    notified(officer, dossier, "staff_email", "dossier.rated_not_satisfied")
    problem(citizen.get("/dossiers/01JNSR7Q4K8M2V5X9A3B6C1D0E"), 404, "dossier_not_found")
    problem(officer.get("/desk/dossiers", params={"status": "lost"}), 400, "bad_query")

    # The scorecard and an indicator, day by day and per procedure.
    card = ok(public.get("/metrics/scorecard", params={"agency": HANOI, "period": "rolling-30d"}))
    indicator = card["groups"][0]["indicators"][0]["id"]
    for group_by in ("day", "procedure"):
        detail = ok(officer.get(f"/metrics/indicators/{indicator}", params={"group_by": group_by}))
        assert detail["rows"]
    problem(officer.get("/metrics/indicators/no-such-indicator"), 404, "indicator_not_found")

    # A new procedure version, published by an admin to take effect next year (a code no other test uses).
    next_year = (local_today() + timedelta(days=400)).isoformat()
    new = {**{k: v for k, v in procedure.items() if k not in ("version", "code_source")},
           "code": f"9.{uuid.uuid4().int % 10**6:06d}", "effective_date": next_year}
    published = ok(admin.post("/procedures", new), 201)
    assert (published["version"], published["code_source"]) == (1, "assumed")

    expected = {("GET", "/health"), ("GET", "/procedures"), ("GET", "/procedures/{code}"), ("POST", "/procedures"),
                ("GET", "/agencies"), ("POST", "/uploads"), ("GET", "/uploads/{id}"),
                ("POST", "/uploads/{id}/complete"), ("POST", "/dossiers"), ("GET", "/dossiers"),
                ("GET", "/dossiers/{id}/history"), ("GET", "/dossiers/{id}/notifications"),
                ("GET", "/dossiers/{id}/control-slip"), ("POST", "/dossiers/{id}/results/uploads"),
                ("GET", "/dossiers/{id}/access-log"), ("GET", "/admin/access-log"),
                ("GET", "/dossiers/{id}/results/{upload_id}"), ("PUT", "/dossiers/{id}/evaluation"),
                ("GET", "/desk/dossiers"), ("GET", "/public/dossiers/{code}"), ("GET", "/metrics/scorecard"),
                ("GET", "/metrics/indicators/{id}"),
                *{("POST", f"/dossiers/{{id}}/{a}") for a in (
                    "request-supplement", "resubmit", "receive", "transfer", "assign", "send-to-agency",
                    "return-from-agency", "request-fee", "record-payment", "apologise", "allow-apology", "propose",
                    "approve", "issue-result", "return-online")}}
    assert expected - conformance.routes() == set()
    assert {200, 201, 400, 401, 403, 404, 409, 422} <= conformance.statuses()


# --------------------------------------------------------------------------- the national portal's forward


def test_a_forward_from_the_national_portal_conforms(api, aws, stack, conformance):
    """The stand-in forwards a dossier; the same forward, signed again and sent through a checked client, is
    answered as a replay (200) with the same model; an unsigned one is a problem."""
    import base64
    import json
    import time

    from scripts.standins.national_portal import sign

    from .test_national_portal import forward

    first = forward(stack)
    secret = json.loads(aws("secretsmanager").get_secret_value(
        SecretId=stack["NATIONAL_PORTAL_SECRET_ID"])["SecretString"])["inbound_secret"]
    raw = json.dumps(first["forward"], ensure_ascii=False).encode()
    client, url = api(), stack["API_URL"] + "/integrations/national-portal/dossiers"
    stamp = int(time.time()) + 1  # not the second the stand-in signed in: the same signature would be a replay
    again = client.session.post(url, data=raw, timeout=60, headers={
        "Content-Type": "application/json", "X-DVCQG-Timestamp": str(stamp),
        "X-DVCQG-Signature": sign(secret, stamp, raw)})
    assert again.status_code == 200 and again.json()["dossier_id"] == first["platform_body"]["dossier_id"]
    unsigned = client.session.post(url, data=base64.b64encode(raw), timeout=60)
    assert unsigned.status_code == 401
    assert ("POST", "/integrations/national-portal/dossiers") in conformance.routes()


# --------------------------------------------------------------------------- other endings


def test_a_rejected_dossier_whose_result_goes_by_post_conforms_to_delivery(api, conformance):
    officer, leader, specialist = api("officer.hanoi"), api("leader.hanoi"), api("specialist.hanoi")
    dossier = submit(api, SMALL_PERMIT, {"method": "post", "address": ADDRESS})
    assert dossier["applicant"]["type"] == "business"
    act(officer, dossier, "receive", {})
    act(officer, dossier, "transfer", {"unit": UNIT, "step_due": working_day(2)})
    act(leader, dossier, "assign", {"specialist": "specialist.hanoi"})
    act(specialist, dossier, "propose", {"assessment": "Thiếu hợp đồng lao động", "proposal": "reject"})
    act(leader, dossier, "send-back", {"reason": "Cần xác minh thêm với doanh nghiệp"})
    act(specialist, dossier, "propose", {"assessment": "Đã xác minh: không có hợp đồng", "proposal": "reject"})
    got = act(leader, dossier, "reject", {"reason": "Người lao động chưa có hợp đồng lao động hợp lệ"})
    assert got["decision"]["outcome"] == "reject"
    upload_id = result_upload(specialist, dossier)
    act(specialist, dossier, "issue-result", {"upload_ids": [upload_id]})
    act(officer, dossier, "send-by-post", {"tracking_number": f"EE{uuid.uuid4().int % 10**9:09d}VN"})
    got = act(officer, dossier, "record-delivery", {"delivered_on": local_today().isoformat(), "note": "Đã phát"})
    assert (got["returned"]["method"], got["returned"]["delivered"]["delivered_on"]) == ("post",
                                                                                        local_today().isoformat())
    ok(officer.get(f"/dossiers/{dossier['id']}/control-slip"))
    assert {("POST", f"/dossiers/{{id}}/{a}") for a in ("send-back", "reject", "send-by-post", "record-delivery")} \
        <= conformance.routes()


def test_a_refused_dossier_conforms_with_its_form_03_and_an_empty_control_slip(api, conformance):
    officer = api("officer.hanoi")
    dossier = submit(api, SMALL_PERMIT)
    got = act(officer, dossier, "refuse", {"reason": "Không thuộc thẩm quyền giải quyết của Sở"})
    assert (got["status"], got["refusal"]["form"], got["allowed_actions"]) == ("refused", "03", [])
    slip = ok(officer.get(f"/dossiers/{dossier['id']}/control-slip"))
    assert (slip["steps"], slip["due_date"]) == ([], None)
    assert [e["type"] for e in ok(api("citizen.an").get(f"/dossiers/{dossier['id']}/history"))["events"]] == [
        "dossier.submitted", "dossier.refused"]
    problem(officer.post(f"/dossiers/{dossier['id']}/receive", {}), 409, "transition_not_allowed")


def test_a_dossier_received_at_another_agencys_desk_and_forwarded_conforms_from_both_desks(api, conformance):
    hanoi, hcm = api("officer.hanoi"), api("officer.hcm")
    body = submission(api, "officer.hanoi", "1.014196")  # Hồ Chí Minh City's, received regardless of boundaries
    dossier = ok(hanoi.post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())}), 201)
    act(hanoi, dossier, "receive", {})
    got = act(hanoi, dossier, "forward", {"note": "Bản gốc gửi qua bưu điện", "paper_tracking_number": "EB1VN"})
    assert (got["receiving_agency"], got["forwarded"]["to_agency"]) == ("000.00.20.H26", "000.00.20.H29")
    assert got["receipt"]["receiving_agency"]["code"] == "000.00.20.H26"
    act(hcm, dossier, "transfer", {"unit": UNIT})
    for desk in (hanoi, hcm):
        ok(desk.get(f"/dossiers/{dossier['id']}"))
        assert [s["action"] for s in ok(desk.get(f"/dossiers/{dossier['id']}/control-slip"))["steps"]] == [
            "receive", "forward", "transfer"]
    assert ("POST", "/dossiers/{id}/forward") in conformance.routes()


def test_a_withdrawn_dossier_conforms_and_answers_later_actions_with_problems(api, conformance):
    citizen, officer = api("citizen.an", "en"), api("officer.hanoi", "en")
    dossier = act(officer, submit(api, SMALL_PERMIT), "receive", {"note": "Đủ thành phần"})
    got = act(citizen, dossier, "withdraw", {"reason": "Doanh nghiệp không còn nhu cầu tuyển dụng"})
    assert (got["status"], got["national_status"], got["ended"]["action"]) == ("withdrawn", 7, "withdraw")
    assert got["status_name"] == "Withdrawn by the applicant"
    assert problem(officer.post(f"/dossiers/{dossier['id']}/transfer", {"unit": UNIT}), 409,
                   "transition_not_allowed")["allowed_actions"] == []
    problem(citizen.post(f"/dossiers/{dossier['id']}/transfer", {"unit": UNIT}), 403, "role_not_allowed")
    problem(citizen.post(f"/dossiers/{dossier['id']}/withdraw", {}), 422, "validation_detail")
    assert {409, 403, 422} <= conformance.statuses()


def test_papers_given_once_conform_in_the_store_the_reuse_and_the_desks_look_up(api, conformance):
    citizen, officer = api("citizen.an"), api("officer.hanoi")
    dossier = submit(api, SMALL_PERMIT)
    photo = next(c for c in dossier["components"] if c["component_id"] == "photos")["files"][0]["upload_id"]
    assert ok(citizen.get("/me/papers", params={"limit": 5}))["items"]
    assert photo in {p["id"] for p in ok(citizen.get("/me/papers", params={"procedure": SMALL_PERMIT}))["items"]}
    ok(citizen.get(f"/me/papers/{photo}/file"))
    body = submission(api, "citizen.an", SMALL_PERMIT, skip=("photos",))
    body["components"].append({"component_id": "photos", "papers": [photo]})
    reused = ok(citizen.post("/dossiers", body, headers={"Idempotency-Key": str(uuid.uuid4())}), 201)
    assert photo in {f.get("paper_id") for c in reused["components"] for f in c["files"]}
    assert ok(officer.get("/desk/applicants/0100109106/papers", params={"procedure": SMALL_PERMIT}))["owner"] == \
        "id_number"
    problem(officer.get(f"/desk/applicants/0100109106/papers/{photo}/file"), 404, "paper_not_found")
    problem(citizen.get("/me/papers", params={"procedure": SMALL_PERMIT, "type": "photos"}), 400, "bad_query")
    assert {("GET", "/me/papers"), ("GET", "/me/papers/{paper_id}/file"),
            ("GET", "/desk/applicants/{id_number}/papers")} <= conformance.routes()


def test_feedback_conforms_from_filing_to_the_rating_and_on_every_list(api, conformance):
    from .test_feedback import file

    filed = file(api)
    code, person = filed["code"], {"Feedback-Key": filed["key"]}
    officer = api("officer.hanoi")
    officer.get("/desk/feedback")
    officer.post(f"/desk/feedback/{code}/request-info", {"question": "Số biên nhận?"})
    api().post(f"/feedback/{code}/info", {"text": "Không có biên nhận."}, headers=person)
    officer.post(f"/desk/feedback/{code}/answer", {"text": "Đã kiểm tra."})
    officer.post(f"/desk/feedback/{code}/publish", {"title": "Về việc hẹn trả kết quả"})
    api().post(f"/feedback/{code}/rating", {"satisfied": False, "comment": "Chưa rõ"}, headers=person)
    api().get(f"/feedback/{code}")
    api().get("/public/feedback", params={"agency": HANOI})
    refused = file(api, kind="petition")
    officer.post(f"/desk/feedback/{refused['code']}/refuse", {"reason": "Trùng nội dung"})
    api("citizen.an").get("/me/feedback")
    assert {(m, f"/feedback{p}") for m, p in (("POST", ""), ("GET", "/{code}"), ("POST", "/{code}/info"),
                                                ("POST", "/{code}/rating"))} <= conformance.routes()
    assert {("GET", "/public/feedback"), ("GET", "/desk/feedback"), ("GET", "/me/feedback"),
            ("POST", "/desk/feedback/{code}/publish"), ("POST", "/desk/feedback/{code}/refuse")} <= conformance.routes()
