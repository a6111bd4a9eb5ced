"""The local stack (moto server + chalice local) started as its own process, exactly as `make run`
does, and driven over real HTTP with tokens from moto's Cognito pool."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import boto3
import pytest
import requests

from scripts.pool_sign_in import id_token
from tests.samples import JPEG, PDF, PNG  # noqa: F401 - the e2e modules import them from here

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Demo-Passw0rd!"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_stack(workdir: Path):
    """The local stack as `make run` starts it, in its own process, with its own ports, state file and
    pump control directory; yields its state (API_URL, WEB_URL, MOTO_ENDPOINT, resource names, STATE_FILE)."""
    state_file = workdir / "state.json"
    # The server logs a line per request: stderr goes to a file (nobody has to keep reading a pipe,
    # which would otherwise fill up and block the server), stdout is drained once the stack is ready.
    log = open(workdir / "stack.log", "w")  # noqa: SIM115 - closed below
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = [sys.executable, "-m", "scripts.local_stack", "--quiet", "--moto-port", str(_free_port()),
               "--api-port", str(_free_port()), "--portal-port", "0", "--web-port", "0", "--idp-port", "0",
               "--pay-port", "0",
               "--state-file", str(state_file), "--control-dir", str(workdir / "pump-control")]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        deadline, state = time.monotonic() + 120, None
        while state is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.startswith("{"):
                state = json.loads(line)
            elif not line and process.poll() is not None:
                raise RuntimeError(f"local stack exited: {(workdir / 'stack.log').read_text()[-4000:]}")
        if state is None:
            raise RuntimeError("local stack did not become ready")
        threading.Thread(target=lambda: [None for _ in process.stdout], name="stack-stdout", daemon=True).start()
        yield {**state, "STATE_FILE": str(state_file)}
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("stack")) as state:
        yield state


@pytest.fixture(scope="module")
def aws(stack):
    """boto3 clients on the stack's moto server, for looking behind the API."""

    def client(service: str):
        return boto3.client(service, endpoint_url=stack["MOTO_ENDPOINT"], region_name="ap-southeast-1",
                            aws_access_key_id="local", aws_secret_access_key="local")

    return client


class Api:
    """A signed-in (or anonymous) client of the HTTP API."""

    def __init__(self, base_url: str, token: str | None = None, language: str | None = None) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        if language:
            self.session.headers["Accept-Language"] = language

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.base_url + path, timeout=30, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body=None, **kwargs) -> requests.Response:
        return self.request("POST", path, json=body, **kwargs)

    def upload(self, procedure_code: str, component_id: str, content: bytes = PDF,
               content_type: str = "application/pdf", declared_size: int | None = None) -> requests.Response:
        """The client side of an upload: ask for a presigned POST, send the file to S3, ask to verify."""
        created = self.post("/uploads", {"procedure_code": procedure_code, "component_id": component_id,
                                         "file_name": f"{component_id}.pdf", "content_type": content_type,
                                         "size": declared_size or len(content)})
        assert created.status_code == 201, created.text
        target = created.json()["upload"]
        stored = requests.post(target["url"], data=target["fields"],
                               files={"file": (f"{component_id}.bin", content, content_type)}, timeout=30)
        assert stored.status_code in (200, 201, 204), stored.text
        return self.post(f"/uploads/{created.json()['id']}/complete")

    def uploaded(self, procedure_code: str, component_id: str, **kwargs) -> str:
        verified = self.upload(procedure_code, component_id, **kwargs)
        assert verified.status_code == 200, verified.text
        return verified.json()["id"]


@pytest.fixture(scope="module")
def sign_in(stack, aws):
    tokens: dict[str, str] = {}
    idp = aws("cognito-idp")

    def token(username: str) -> str:
        if username not in tokens:
            tokens[username] = id_token(idp, stack, username, PASSWORD)
        return tokens[username]

    return token


def add_user(stack, aws, group: str, agency: str | None = None, unit: str | None = None) -> str:
    """A fresh account no other test touches: a citizen in the citizens' pool; staff are invited by the demo
    administrator through /admin/staff (the staff pool's account, the directory's authority), then given the test
    password."""
    username = f"{group}-{uuid.uuid4().hex[:8]}"
    idp = aws("cognito-idp")
    if group == "citizen":
        idp.admin_create_user(UserPoolId=stack["USER_POOL_ID"], Username=username, TemporaryPassword=PASSWORD,
                              MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": f"{username}@example.vn"},
                                              {"Name": "name", "Value": username}])
    else:
        admin = Api(stack["API_URL"], _id_token(aws, stack, "admin"))
        invited = admin.post("/admin/staff", {"username": username, "name": username, "email": f"{username}@example.vn",
                                              "roles": [group], "agency_code": agency, "unit": unit})
        assert invited.status_code == 201, invited.text
    pool = stack["USER_POOL_ID"] if group == "citizen" else stack["STAFF_POOL_ID"]
    idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=PASSWORD, Permanent=True)
    return username


def _id_token(aws, stack, username: str) -> str:
    return id_token(aws("cognito-idp"), stack, username, PASSWORD)


@pytest.fixture(scope="module")
def make_user(stack, aws):
    """A fresh account in the pool, for tests that need someone no other test touches."""

    def create(group: str, agency: str | None = None, unit: str | None = None) -> str:
        return add_user(stack, aws, group, agency, unit)

    return create


@pytest.fixture(scope="module")
def api(stack, sign_in):
    def for_user(username: str | None = None, language: str | None = None) -> Api:
        return Api(stack["API_URL"], sign_in(username) if username else None, language)

    return for_user


def edit_stored_dossier(aws, stack, dossier_id: str, change, **attributes: str) -> None:
    """Behind the API, as the passing of time would: `change(record)` edits the stored dossier's record (kept
    compressed, chalicelib.store.packing.pack_doc), and `attributes` set top-level key attributes (e.g. the
    `due_date` the deadline index reads)."""
    from chalicelib.store.packing import pack_doc, unpack_doc

    ddb = aws("dynamodb")
    key = {"id": {"S": dossier_id}}
    item = ddb.get_item(TableName=stack["DOSSIERS_TABLE"], Key=key, ConsistentRead=True)["Item"]
    record = unpack_doc(item["doc_z"]["B"])
    change(record)
    names = {"#z": "doc_z", **{f"#a{i}": name for i, name in enumerate(attributes)}}
    values = {":z": {"B": pack_doc(record)}, **{f":a{i}": {"S": v} for i, v in enumerate(attributes.values())}}
    sets = ["#z = :z"] + [f"#a{i} = :a{i}" for i in range(len(attributes))]
    ddb.update_item(TableName=stack["DOSSIERS_TABLE"], Key=key, UpdateExpression="SET " + ", ".join(sets),
                    ExpressionAttributeNames=names, ExpressionAttributeValues=values)
