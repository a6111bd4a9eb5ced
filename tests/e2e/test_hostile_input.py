"""Hostile and malformed requests over real HTTP: every one is answered with a 4xx RFC 9457 problem
(`application/problem+json`, `type`/`title`/`status`/`detail`, per-field `errors` for validation)
and an `X-Correlation-Id`, never a 500. Also the public catalogue: anonymous access, search without
diacritics, filters and cursor pagination."""

from __future__ import annotations

import base64
import copy
import json
import time
import uuid

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.domain.identity import normalise_text_for_search

from .conftest import Api
from .test_dossier_flow import BUSINESS, PERSON

pytestmark = pytest.mark.e2e

# Hà Nội, people with merit: a person's procedure with two small components and online delivery.
# Cheap to submit, and not used by the other end-to-end modules.
KIN_CERTIFICATE = "1.010833"
SOCIAL_ASSISTANCE = "1.001310"  # accepts businesses, so a tax code gets checked
WORK_PERMIT_CODES = {"1.014199", "1.014200", "1.014201", "1.014196"}
PROBLEM_JSON = "application/problem+json"


def assert_problem(response: requests.Response, status: int, code: str | None = None) -> dict:
    """The response is an RFC 9457 problem with the given status (and `code`), never a bare error."""
    assert response.status_code == status, response.text
    assert response.headers.get("Content-Type", "").startswith(PROBLEM_JSON), response.headers
    assert response.headers.get("X-Correlation-Id"), "every response carries a correlation id"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == status
    assert body["type"].startswith("urn:motcua:problem:")
    assert body["title"].strip() and body["detail"].strip()
    if code is not None:
        assert body["code"] == code, body
    for error in body.get("errors", []):
        assert error["field"] and error["code"] and error["message"], error
    return body


def field_errors(response: requests.Response) -> list[tuple[str, str]]:
    body = assert_problem(response, 422, "validation_detail")
    assert body["type"].endswith(":validation_failed")
    assert body["errors"], "a validation problem lists what is wrong, field by field"
    return [(e["field"], e["code"]) for e in body["errors"]]


def submit(client: Api, body, key: str | None = None) -> requests.Response:
    return client.post("/dossiers", body, headers={"Idempotency-Key": key or str(uuid.uuid4())})


def b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture(scope="module")
def citizen(make_user) -> str:
    return make_user("citizen")


@pytest.fixture(scope="module")
def valid_body(api, citizen) -> dict:
    """A complete, valid submission of KIN_CERTIFICATE whose uploads are verified but never attached
    (every test below makes it fail, so the uploads stay free for the next one)."""
    client = api(citizen)
    form = client.uploaded(KIN_CERTIFICATE, "application-form")
    proof = client.uploaded(KIN_CERTIFICATE, "relationship-proof")
    return {"procedure_code": KIN_CERTIFICATE, "applicant": dict(PERSON), "summary": "Xin cấp giấy xác nhận",
            "components": [{"component_id": "application-form", "upload_ids": [form]},
                           {"component_id": "relationship-proof", "upload_ids": [proof]}],
            "delivery": {"method": "online"}}


@pytest.fixture(scope="module")
def foreign_upload(api, make_user) -> str:
    """A verified upload of another citizen, for the same procedure and component."""
    return api(make_user("citizen")).uploaded(KIN_CERTIFICATE, "application-form")


# ------------------------------------------------------------------------------------------ body


@pytest.mark.parametrize(("raw", "status", "code"), [
    pytest.param(b'{"procedure_code": "1.010833",', 400, "malformed_json", id="truncated-json"),
    pytest.param(b"{'single': 'quotes'}", 400, "malformed_json", id="not-json"),
    pytest.param(b'{"summary": "\xc3\x28"}', 400, "malformed_json", id="not-utf8"),
    pytest.param(b"1" * 5000, 400, "malformed_json", id="integer-too-long-to-parse"),
    pytest.param(b'[{"procedure_code": "1.010833"}]', 400, "body_not_object", id="json-array"),
    pytest.param(b'"a string"', 400, "body_not_object", id="json-string"),
    pytest.param(b"null", 400, "body_not_object", id="json-null"),
    pytest.param(b"", 400, "body_not_object", id="empty-body"),
    pytest.param(b"  \n ", 400, "body_not_object", id="whitespace-body"),
    # 413 carries detail "malformed_json" ("not valid JSON"), which misdescribes the problem: code not pinned.
    pytest.param(b'{"summary": "' + b"x" * (256 * 1024) + b'"}', 413, None, id="over-256-kib"),
])
def test_unusable_bodies_are_problems(api, citizen, raw, status, code):
    response = api(citizen).request("POST", "/dossiers", data=raw, headers={
        "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
    body = assert_problem(response, status, code)
    assert body["type"].endswith(":malformed_request")


def test_deeply_nested_json_is_a_400_not_a_500(api, citizen):
    response = api(citizen).request("POST", "/dossiers", data=b"[" * 100_000, headers={
        "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
    assert_problem(response, 400, "malformed_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_a_body_that_is_not_json_by_content_type_is_415(api, citizen, content_type):
    response = api(citizen).request("POST", "/dossiers", data=b"{}", headers={
        "Content-Type": content_type, "Idempotency-Key": str(uuid.uuid4())})
    assert_problem(response, 415, "unsupported_media_type")


# ---------------------------------------------------------------------------------- routing


@pytest.mark.parametrize(("method", "path"), [("DELETE", "/dossiers"), ("PUT", "/procedures"),
                                              ("PATCH", "/dossiers/01ANYTHING"), ("POST", "/health"),
                                              ("GET", "/dossiers/01ANYTHING/receive")])
def test_a_wrong_method_is_405_with_allow(api, citizen, method, path):
    response = api(citizen).request(method, path)
    assert_problem(response, 405, "method_not_allowed")
    assert response.headers.get("Allow")


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "with-token"])
def test_an_unknown_route_is_a_problem(api, citizen, signed_in):
    client = api(citizen) if signed_in else api()
    response = client.get("/no-such-route")
    assert 400 <= response.status_code < 500
    assert_problem(response, response.status_code)
    assert "Bearer" not in response.text, "the token must never be echoed back"


# ------------------------------------------------------------------------------------- tokens


def test_no_token_is_401_with_www_authenticate(api):
    anonymous = api()
    for response in (anonymous.get("/dossiers"), anonymous.post("/dossiers", {}),
                     anonymous.get("/uploads/01ANYTHING"), anonymous.get("/desk/dossiers"),
                     anonymous.post("/procedures", {}),
                     anonymous.request("GET", "/dossiers", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}),
                     anonymous.request("GET", "/dossiers", headers={"Authorization": "Bearer "})):
        assert_problem(response, 401, "token_missing")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def _tampered(token: str) -> str:
    header, _, signature = token.split(".")
    return ".".join([header, b64url({**claims_of(token), "cognito:groups": ["admin"]}), signature])


def _foreign_key(token: str) -> str:
    """Same claims, signed by a key the pool never had, under moto's kid."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims_of(token), key, algorithm="RS256", headers={"kid": "dummy"})


def _alg_none(token: str) -> str:
    return f"{b64url({'alg': 'none', 'typ': 'JWT', 'kid': 'dummy'})}.{b64url(claims_of(token))}."


def _hmac(token: str) -> str:
    return jwt.encode(claims_of(token), "x" * 32, algorithm="HS256", headers={"kid": "dummy"})


@pytest.mark.parametrize("forge", [
    pytest.param(lambda _t: "garbage", id="garbage"),
    pytest.param(lambda _t: "a.b.c", id="three-garbage-parts"),
    pytest.param(_tampered, id="tampered-payload"),
    pytest.param(lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"), id="tampered-signature"),
    pytest.param(_foreign_key, id="foreign-key-same-kid"),
    pytest.param(_alg_none, id="alg-none"),
    pytest.param(_hmac, id="hs256-confusion"),
])
def test_forged_tokens_are_401(api, sign_in, citizen, stack, forge):
    token = forge(sign_in(citizen))
    response = Api(stack["API_URL"], token).get("/dossiers")
    assert_problem(response, 401, "token_invalid")
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def _moto_signed(claims: dict) -> str:
    """A token signed with moto's own pool key: valid signature, whatever claims we choose."""
    from jwt.algorithms import RSAAlgorithm
    from moto.utilities.utils import load_resource

    key = RSAAlgorithm.from_jwk(json.dumps(load_resource("cognitoidp/resources/jwks-private.json")))
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


@pytest.mark.parametrize(("change", "accepted"), [
    pytest.param({}, True, id="control-unchanged-claims"),
    pytest.param({"exp": -3600, "iat": -7200}, False, id="expired"),  # seconds from now
    pytest.param({"iat": 3600}, False, id="issued-in-the-future"),
    pytest.param({"aud": "another-client"}, False, id="wrong-audience"),
    pytest.param({"iss": "https://cognito-idp.ap-southeast-1.amazonaws.com/other-pool"}, False, id="wrong-issuer"),
    pytest.param({"token_use": "access"}, False, id="access-token-use"),
])
def test_validly_signed_tokens_with_bad_claims_are_401(api, sign_in, citizen, stack, change, accepted):
    now = int(time.time())
    relative = {name: now + offset for name, offset in change.items() if name in ("exp", "iat")}
    token = _moto_signed({**claims_of(sign_in(citizen)), **change, **relative})
    response = Api(stack["API_URL"], token).get("/dossiers")
    if accepted:
        assert response.status_code == 200, response.text
    else:
        assert_problem(response, 401, "token_invalid")


def test_a_real_access_token_is_not_accepted(stack, aws, citizen):
    from .conftest import PASSWORD

    result = aws("cognito-idp").initiate_auth(
        ClientId=stack["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": citizen, "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert_problem(Api(stack["API_URL"], result["AccessToken"]).get("/dossiers"), 401, "token_invalid")


# ------------------------------------------------------------------------------ idempotency key


@pytest.mark.parametrize("key", [None, "", "k" * 129, "key\x01with-a-control-character"],
                         ids=["missing", "empty", "too-long", "not-printable"])
def test_submission_needs_a_usable_idempotency_key(api, citizen, valid_body, key):
    headers = {} if key is None else {"Idempotency-Key": key}
    response = api(citizen).post("/dossiers", valid_body, headers=headers)
    assert_problem(response, 400, "idempotency_key_required")


# ------------------------------------------------------------------------------ submissions


def _without(body: dict, name: str) -> dict:
    return {k: v for k, v in body.items() if k != name}


def _applicant(**changes) -> dict:
    return {**PERSON, **changes}


def _first_upload(body: dict, upload_id: str) -> dict:
    changed = copy.deepcopy(body)
    changed["components"][0]["upload_ids"] = [upload_id]
    return changed


def _first_component(body: dict, component_id: str) -> dict:
    changed = copy.deepcopy(body)
    changed["components"][0]["component_id"] = component_id
    return changed


# (mutation of the valid body, expected (field, code), whether it is the only error)
SUBMISSION_CASES = [
    pytest.param(lambda b, _: _without(b, "summary"), ("summary", "field.required"), True, id="missing-summary"),
    pytest.param(lambda b, _: _without(b, "applicant"), ("applicant", "field.required"), True,
                 id="missing-applicant"),
    pytest.param(lambda b, _: {**b, "applicant": _without(PERSON, "citizen_id")},
                 ("applicant.citizen_id", "field.required"), True, id="missing-citizen-id"),
    pytest.param(lambda b, _: {**b, "priority": "urgent"}, ("priority", "field.unknown"), True,
                 id="unknown-top-level-field"),
    pytest.param(lambda b, _: {**b, "applicant": _applicant(nickname="An")}, ("applicant.nickname", "field.unknown"),
                 True, id="unknown-nested-field"),
    pytest.param(lambda b, _: {**b, "applicant": _applicant(citizen_id="123")},
                 ("applicant.citizen_id", "citizen_id.format"), True, id="citizen-id-too-short"),
    pytest.param(lambda b, _: {**b, "applicant": _applicant(citizen_id="00109001234５")},
                 ("applicant.citizen_id", "citizen_id.format"), True, id="citizen-id-fullwidth-digit"),
    pytest.param(lambda b, _: {**b, "applicant": _applicant(citizen_id="001085012345")},
                 ("applicant.citizen_id", "citizen_id.birth_mismatch"), True, id="citizen-id-birth-year-mismatch"),
    pytest.param(lambda b, _: {**b, "applicant": _applicant(citizen_id="003090012345")},
                 ("applicant.citizen_id", "citizen_id.province"), True, id="citizen-id-unknown-province"),
    pytest.param(lambda b, _: {**b, "applicant": _applicant(date_of_birth="1990-02-30")},
                 ("applicant.date_of_birth", "field.date"), True, id="impossible-date"),
    pytest.param(lambda b, _: {**b, "applicant": _applicant(phone="0123")}, ("applicant.phone", "phone.format"), True,
                 id="bad-phone"),
    pytest.param(lambda b, _: {**b, "applicant": _applicant(type="alien")}, ("applicant", "field.choice"), True,
                 id="unknown-applicant-type"),
    pytest.param(lambda b, _: {**b, "applicant": BUSINESS}, ("applicant.type", "applicant.type_not_accepted"), True,
                 id="business-for-a-person-procedure"),
    pytest.param(lambda b, _: {**b, "procedure_code": SOCIAL_ASSISTANCE, "delivery": {"method": "desk"},
                               "applicant": {**BUSINESS, "tax_code": "0100109107"}},
                 ("applicant.tax_code", "tax_code.checksum"), False, id="tax-code-checksum"),
    pytest.param(lambda b, _: _first_component(b, "no-such-component"),
                 ("components[0].component_id", "component.unknown"), False, id="unknown-component"),
    pytest.param(lambda b, _: _first_upload(b, "01NOSUCHUPLOAD0000000000000"),
                 ("components[0].upload_ids[0]", "upload.not_found"), True, id="upload-does-not-exist"),
    pytest.param(lambda b, ctx: _first_upload(b, ctx["foreign_upload"]),
                 ("components[0].upload_ids[0]", "upload.not_found"), True, id="upload-of-another-citizen"),
    pytest.param(lambda b, _: _first_upload(b, "../../etc/passwd"),
                 ("components[0].upload_ids[0]", "field.invalid"), True, id="upload-id-path-traversal"),
    pytest.param(lambda b, _: {**b, "procedure_code": "9.999999"}, ("procedure_code", "procedure.not_effective"), True,
                 id="procedure-does-not-exist"),
    pytest.param(lambda b, _: {**b, "procedure_code": "1.01' OR '1'='1"}, ("procedure_code", "field.invalid"), True,
                 id="procedure-code-sql-injection"),
    pytest.param(lambda b, _: {**b, "procedure_code": {"$ne": None}}, ("procedure_code", "field.type"), True,
                 id="procedure-code-nosql-operator"),
    pytest.param(lambda b, _: {**b, "summary": "x" * 100_000}, ("summary", "field.too_long"), True, id="huge-summary"),
    pytest.param(lambda b, _: {**b, "applicant": _applicant(full_name="Nguyễn 😀 " * 5_000)},
                 ("applicant.full_name", "field.too_long"), True, id="huge-emoji-name"),
    pytest.param(lambda b, _: {**b, "components": "all of them"}, ("components", "field.type"), True,
                 id="components-not-a-list"),
    pytest.param(lambda b, _: {**b, "delivery": {"method": "pigeon"}}, ("delivery.method", "field.choice"), True,
                 id="unknown-delivery-method"),
]


@pytest.mark.parametrize(("mutate", "expected", "only"), SUBMISSION_CASES)
def test_invalid_submissions_are_422_with_the_field_and_code(api, citizen, valid_body, foreign_upload, mutate,
                                                              expected, only):
    response = submit(api(citizen), mutate(copy.deepcopy(valid_body), {"foreign_upload": foreign_upload}))
    errors = field_errors(response)
    if only:
        assert errors == [expected]
    else:
        assert expected in errors


def test_every_problem_of_a_submission_is_reported_at_once(api, citizen, valid_body):
    body = _first_component(valid_body, "no-such-component")
    body["applicant"] = _applicant(citizen_id="001085012345", email="not an email")
    errors = field_errors(submit(api(citizen), body))
    assert {("applicant.citizen_id", "citizen_id.birth_mismatch"), ("applicant.email", "email.format"),
            ("components[0].component_id", "component.unknown"), ("components", "component.missing")} <= set(errors)


def test_control_characters_in_names_are_refused(api, make_user):
    citizen = make_user("citizen")
    client = api(citizen)
    body = {"procedure_code": KIN_CERTIFICATE, "applicant": _applicant(full_name="Nguyễn Văn\x00 An"),
            "summary": "Có ký tự NUL", "delivery": {"method": "online"},
            "components": [{"component_id": "application-form",
                            "upload_ids": [client.uploaded(KIN_CERTIFICATE, "application-form")]},
                           {"component_id": "relationship-proof",
                            "upload_ids": [client.uploaded(KIN_CERTIFICATE, "relationship-proof")]}]}
    assert ("applicant.full_name", "field.control_characters") in field_errors(submit(client, body))


def test_unicode_and_injection_looking_text_is_stored_verbatim_and_pages_stay_private(api, make_user):
    citizen, other = make_user("citizen"), make_user("citizen")
    client = api(citizen)
    texts = ["Hồ sơ 🚀✨ 中文 ‏עברית‎ — Ω", "'; DROP TABLE dossiers; -- {\"$ne\": null} ../../etc/passwd"]
    created = []
    for text in texts:
        body = {"procedure_code": KIN_CERTIFICATE, "summary": text, "delivery": {"method": "online"},
                "applicant": _applicant(address=text),
                "components": [{"component_id": "application-form",
                                "upload_ids": [client.uploaded(KIN_CERTIFICATE, "application-form")]},
                               {"component_id": "relationship-proof",
                                "upload_ids": [client.uploaded(KIN_CERTIFICATE, "relationship-proof")]}]}
        response = submit(client, body)
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])
    for dossier_id, text in zip(created, texts, strict=True):
        stored = client.get(f"/dossiers/{dossier_id}").json()
        assert stored["summary"] == text and stored["applicant"]["address"] == text

    first = client.get("/dossiers?limit=1").json()
    assert first["next_cursor"]
    second = client.get(f"/dossiers?limit=1&cursor={first['next_cursor']}").json()
    assert {first["items"][0]["id"], second["items"][0]["id"]} == set(created)
    # Someone else's cursor does not open their list.
    assert_problem(api(other).get(f"/dossiers?limit=1&cursor={first['next_cursor']}"), 400, "bad_cursor")


# ------------------------------------------------------------------------------ path parameters


@pytest.mark.parametrize("path", [
    "/dossiers/..%2F..%2Fetc%2Fpasswd",
    "/dossiers/..%2F..%2Fetc/history",
    "/dossiers/' OR 1=1",
    "/dossiers/%27%20OR%20%271%27%3D%271",
    "/dossiers/%7B%22%24ne%22%3Anull%7D",
    "/dossiers/%00",
    "/dossiers/%F0%9F%98%80",
    "/dossiers/x%0d%0aSet-Cookie:%20a=b",
    "/dossiers/" + "A" * 6000,
    "/uploads/..%2F..%2Fetc%2Fpasswd",
    "/uploads/%00",
    "/uploads/' OR 1=1",
    "/procedures/%00",
    "/procedures/1.014199%00",
    "/procedures/..%2F..%2Fetc%2Fpasswd",
    "/procedures/%FF%FE",
    "/procedures/" + "9" * 6000,
])
def test_hostile_path_parameters_are_4xx_problems(api, citizen, path):
    response = api(citizen).get(path)
    body = assert_problem(response, 404)
    assert body["code"] in {"dossier_not_found", "upload_not_found", "procedure_not_found"}


@pytest.mark.parametrize("path", ["/dossiers/..%2F..%2Fetc/receive", "/dossiers/' OR 1=1/refuse",
                                  "/uploads/%00/complete"])
def test_hostile_path_parameters_in_actions_are_4xx_problems(api, citizen, path):
    response = api(citizen).post(path, {"reason": "x"})
    assert 400 <= response.status_code < 500
    assert_problem(response, response.status_code)


# ------------------------------------------------------------------------------ query strings


@pytest.mark.parametrize("query", ["cursor=not-a-cursor!", "cursor=%00", "cursor=eyJhIjoxfQ", "cursor=" + "A" * 3000,
                                   "cursor=W10"])
@pytest.mark.parametrize(("user", "path"), [("citizen", "/dossiers"), ("officer.hanoi", "/desk/dossiers")])
def test_bad_cursors_are_400(api, citizen, user, path, query):
    client = api(citizen if user == "citizen" else user)
    assert_problem(client.get(f"{path}?{query}"), 400, "bad_cursor")


def test_a_bad_catalogue_cursor_is_400(api):
    assert_problem(api().get("/procedures?cursor=____"), 400, "bad_cursor")


@pytest.mark.parametrize("limit", ["0", "abc", "-1", "101", "1.5", "1e3", ""])
@pytest.mark.parametrize(("user", "path"), [(None, "/procedures"), ("citizen", "/dossiers"),
                                            ("officer.hanoi", "/desk/dossiers")])
def test_bad_limits_are_400(api, citizen, user, path, limit):
    client = api(citizen if user == "citizen" else user)
    body = assert_problem(client.get(f"{path}?limit={limit}"), 400, "bad_query")
    code = "field.range" if limit.isdigit() else "field.number"  # a number out of range, or not a number
    assert body["errors"] == [{"field": "limit", "code": code, "message": body["errors"][0]["message"]}]


def test_an_unknown_desk_status_is_400(api):
    body = assert_problem(api("officer.hanoi").get("/desk/dossiers?status=bogus"), 400, "bad_query")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("status", "field.choice")]
    assert "submitted" in body["errors"][0]["params"]["choices"]


def test_unknown_catalogue_filters_are_400(api):
    body = assert_problem(api().get("/procedures?field%5B%24ne%5D=x&sort=name"), 400, "bad_query")
    assert {(e["field"], e["code"]) for e in body["errors"]} == {("field[$ne]", "field.unknown"),
                                                                 ("sort", "field.unknown")}


def test_a_non_numeric_procedure_version_is_400(api):
    assert_problem(api().get("/procedures/1.014199?version=1%20OR%201"), 400, "bad_query")


# ------------------------------------------------------------------------------ language, correlation


def test_problems_are_in_vietnamese_by_default_and_english_on_request(api, citizen, valid_body):
    vi = api(citizen).get("/dossiers/01NOSUCHDOSSIER")
    assert assert_problem(vi, 404)["detail"] == "Không tìm thấy hồ sơ."
    assert vi.headers["Content-Language"] == "vi"

    en = api(citizen, language="en-GB,en;q=0.9,vi;q=0.5").get("/dossiers/01NOSUCHDOSSIER")
    body = assert_problem(en, 404)
    assert (body["title"], body["detail"]) == ("Not found", "No such dossier.")
    assert en.headers["Content-Language"] == "en"

    bad_id = {**valid_body, "applicant": _applicant(citizen_id="123")}
    english = assert_problem(submit(api(citizen, language="en"), bad_id), 422)
    assert english["detail"] == "The request has 1 invalid field(s)."
    assert english["errors"][0]["message"] == "The citizen ID number must be exactly 12 digits."
    vietnamese = assert_problem(submit(api(citizen), bad_id), 422)
    assert vietnamese["detail"] == "Có 1 lỗi trong dữ liệu gửi lên."
    assert vietnamese["errors"][0]["message"] == "Số định danh cá nhân phải gồm đúng 12 chữ số."


def test_a_safe_client_correlation_id_is_echoed_and_an_unsafe_one_replaced(api, citizen):
    client = api(citizen)
    mine = f"test-{uuid.uuid4()}"
    assert client.get("/dossiers/nope", headers={"X-Correlation-Id": mine}).headers["X-Correlation-Id"] == mine
    hostile = "bad id\twith spaces and <script>" + "x" * 200
    replaced = client.get("/dossiers/nope", headers={"X-Correlation-Id": hostile}).headers["X-Correlation-Id"]
    assert replaced and replaced != hostile and " " not in replaced


# ------------------------------------------------------------------------------ public catalogue


def _all_pages(client: Api, query: str = "", limit: int = 2) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        response = client.get(f"/procedures?limit={limit}{'&' + query if query else ''}{suffix}")
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor, pages = page["next_cursor"], pages + 1
        assert pages < 200, "pagination does not end"
        if not cursor:
            return items


def test_the_catalogue_is_public(stack):
    response = requests.get(stack["API_URL"] + "/procedures", timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers.get("X-Correlation-Id")
    assert response.json()["items"]
    assert requests.get(stack["API_URL"] + "/procedures/1.014199", timeout=30).status_code == 200


@pytest.mark.parametrize("query", ["giay phep lao dong", "GIẤY PHÉP LAO ĐỘNG", "  giay   phep  lao dong "])
def test_search_ignores_diacritics_case_and_spacing(api, query):
    items = _all_pages(api(), f"q={requests.utils.quote(query)}", limit=100)
    codes = {p["code"] for p in items}
    assert codes >= WORK_PERMIT_CODES
    for procedure in items:
        assert "giay phep lao dong" in normalise_text_for_search(
            f"{procedure['code']} {procedure['name_vi']} {procedure['name_en']} {procedure['field_vi']}")


def test_filters_and_pagination_return_every_procedure_exactly_once(api):
    client = api()
    everything = _all_pages(client, limit=100)
    codes = [p["code"] for p in everything]
    assert len(codes) == len(set(codes)) and codes == sorted(codes)
    assert len(codes) >= 17, "the seed catalogue"

    paged = [p["code"] for p in _all_pages(client, limit=3)]
    assert paged == codes, "small pages return each procedure once, in order"

    for name, key in (("field", "field_code"), ("agency", "agency_code"), ("online_level", "online_level")):
        seen: list[str] = []
        for value in sorted({p[key] for p in everything}):
            page_items = _all_pages(client, f"{name}={value}", limit=2)
            assert page_items and all(p[key] == value for p in page_items)
            seen += [p["code"] for p in page_items]
        assert sorted(seen) == codes, f"filtering by {name} partitions the catalogue"

    combined = _all_pages(client, "field=foreign-workers&agency=000.00.20.H29&online_level=partial", limit=1)
    assert {p["code"] for p in combined} == {"1.014201", "1.014196"}
    assert _all_pages(client, "field=no-such-field") == []
