"""Walk one dossier through its whole life against the running local stack: `make demo`.

Start the stack first (`make run` in another terminal). The walkthrough is an HTTP client and nothing
else: it signs in the demo accounts at the user pool, uploads the sample files of examples/files/,
submits examples/submission-person.json (or -business.json) and has each officer take the next step with
the body in examples/<action>.json, printing every call and what it changed. It reads no test file and
imports nothing from the platform, so it is also the worked example of a client.

Upload ids exist only at run time: the examples name them `<upload:COMPONENT_ID>` (and `<upload:result>`
for the result document), and the walkthrough puts in the ids the platform gave it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests

from scripts.demo import DEMO_PASSWORD
from scripts.local_stack import DEFAULT_STATE_FILE, REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"
FILES = EXAMPLES / "files"
PLACEHOLDER = re.compile(r"^<upload:([A-Za-z0-9._-]+)>$")
RESULT = "result"  # the placeholder name of the result document in examples/issue-result.json
# The demo accounts of the Hà Nội Department (scripts/demo.py), where both example procedures are handled.
# The specialist is whoever examples/assign.json names.
CITIZEN, DESK, LEADER = "citizen.an", "officer.hanoi", "leader.hanoi"
SAMPLES = {"application/pdf": FILES / "application-form.pdf", "image/jpeg": FILES / "photo.jpg"}
RESULT_FILE = FILES / "result.pdf"
# The applicant hears of a return last; once that message has gone, the story is complete.
LAST_NOTICE = "dossier.returned"
FINAL_DELIVERY = {"sent", "failed"}
VIETNAM = timezone(timedelta(hours=7), "ICT")
TIMEOUT = 30


class WalkFailed(Exception):
    """A step did not go as the walkthrough expects; the message says which and what the API answered."""


def load_example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def placeholders(body: Any) -> list[str]:
    """The upload names a body refers to, in order of appearance."""
    if isinstance(body, dict):
        return [name for value in body.values() for name in placeholders(value)]
    if isinstance(body, list):
        return [name for value in body for name in placeholders(value)]
    match = PLACEHOLDER.match(body) if isinstance(body, str) else None
    return [match.group(1)] if match else []


def fill(body: Any, upload_ids: dict[str, str]) -> Any:
    """`body` with every `<upload:NAME>` replaced by the id of the upload made for NAME."""
    if isinstance(body, dict):
        return {key: fill(value, upload_ids) for key, value in body.items()}
    if isinstance(body, list):
        return [fill(value, upload_ids) for value in body]
    match = PLACEHOLDER.match(body) if isinstance(body, str) else None
    if match is None:
        return body
    if match.group(1) not in upload_ids:
        raise WalkFailed(f"an example names <upload:{match.group(1)}>, which nothing was uploaded for")
    return upload_ids[match.group(1)]


def sample_for(accepted_types: list[str]) -> tuple[Path, str]:
    """A photo where the component takes one (as from a phone), the scanned PDF otherwise."""
    for content_type in ("image/jpeg", "application/pdf"):
        if content_type in accepted_types:
            return SAMPLES[content_type], content_type
    raise WalkFailed(f"no sample file of an accepted type ({', '.join(accepted_types)}) in {FILES}")


def sign_in(state: dict[str, str], username: str, password: str) -> str:
    """An ID token, asked of the pools as a web client does (InitiateAuth and its challenges are unsigned calls):
    staff answer the TOTP challenge with the secret STAFF_TOTP_SECRETS holds for them."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    from scripts.pool_sign_in import id_token

    idp = boto3.client("cognito-idp", endpoint_url=state.get("MOTO_ENDPOINT"),
                       region_name=state.get("AWS_DEFAULT_REGION", "ap-southeast-1"),
                       config=Config(signature_version=UNSIGNED))
    try:
        return id_token(idp, state, username, password)
    except (BotoCoreError, ClientError, RuntimeError) as error:
        raise WalkFailed(f"{username} could not sign in: {error}") from error


def local_time(at: str) -> str:
    return datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M:%S")


def _explain(response: requests.Response) -> str:
    """The problem the API answered, in a line or a few."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    if not isinstance(body, dict):
        return json.dumps(body, ensure_ascii=False)[:500]
    lines = [f"{body.get('title', '')}: {body.get('detail', '')} ({body.get('code', '?')})"]
    lines += [f"  {e.get('field')}: {e.get('code')} {e.get('message', '')}" for e in body.get("errors") or []]
    return "\n".join(lines)


class Walkthrough:
    def __init__(self, state: dict[str, str], password: str = DEMO_PASSWORD,
                 out: Callable[[str], None] = print) -> None:
        self.state, self.password, self.out = state, password, out
        self.api_url = state["API_URL"].rstrip("/")
        self.http = requests.Session()
        self.tokens: dict[str, str] = {}
        self.upload_ids: dict[str, str] = {}  # placeholder name -> the upload id the platform gave
        self.steps = 0

    # ------------------------------------------------------------------ plumbing

    def step(self, title: str) -> None:
        self.steps += 1
        self.out(f"\n[{self.steps}] {title}")

    def say(self, text: str, indent: int = 4) -> None:
        self.out(" " * indent + text)

    def token(self, username: str) -> str:
        if username not in self.tokens:
            self.tokens[username] = sign_in(self.state, username, self.password)
        return self.tokens[username]

    def call(self, who: str, method: str, path: str, body: Any = None, expect: int = 200,
             headers: dict[str, str] | None = None, quiet: bool = False) -> requests.Response:
        response = self.http.request(method, self.api_url + path, json=body, timeout=TIMEOUT,
                                     headers={"Authorization": f"Bearer {self.token(who)}", **(headers or {})})
        if not quiet:
            self.say(f"{method} {path} -> {response.status_code}")
        if response.status_code != expect:
            raise WalkFailed(f"{method} {path} answered {response.status_code}, expected {expect}:\n"
                             + _explain(response))
        return response

    def act(self, who: str, dossier: dict, action: str, example: str, method: str = "POST") -> dict:
        """One officer (or applicant) action with its body from examples/<example>.json."""
        body = fill(load_example(example), self.upload_ids)
        self.say(f"body: examples/{example}.json {json.dumps(body, ensure_ascii=False)}")
        got = self.call(who, method, f"/dossiers/{dossier['id']}/{action}", body).json()
        self.say(f"status {got['status']} (national status {got['national_status']}), "
                 f"next: {', '.join(got['allowed_actions']) or 'nothing for ' + who}")
        return got

    def upload(self, who: str, create_path: str, create_body: dict, path: Path, content_type: str) -> str:
        """Ask for a presigned POST, send the file to S3 with every field it came with, have it verified."""
        content = path.read_bytes()
        created = self.call(who, "POST", create_path, {**create_body, "file_name": path.name,
                                                      "content_type": content_type, "size": len(content)},
                            expect=201).json()
        target = created["upload"]
        stored = requests.post(target["url"], data=target["fields"], timeout=TIMEOUT,
                               files={"file": (path.name, content, content_type)})
        self.say(f"POST {target['url']} (S3: the {len(target['fields'])} presigned fields + the file) "
                 f"-> {stored.status_code}")
        if stored.status_code not in (200, 201, 204):
            raise WalkFailed(f"S3 refused the file: {stored.status_code} {stored.text[:300]}")
        verified = self.call(who, "POST", f"/uploads/{created['id']}/complete").json()
        # Not compared with the file sent: the platform stores images re-encoded (trailing bytes gone).
        self.say(f"upload {created['id']} {verified['status']}: {verified['content_type']}, {verified['size']} "
                 f"bytes, sha256 {verified['sha256'][:16]}…")
        return created["id"]

    # ------------------------------------------------------------------ the story

    def run(self, example: str = "person", notice_wait: float = 20) -> dict:
        submission = load_example(f"submission-{example}")
        assign = load_example("assign")
        specialist = assign["specialist"]
        code = submission["procedure_code"]
        self.out(f"MotCua walkthrough: one dossier from submission to evaluation\n"
                 f"  API      {self.api_url}\n  example  examples/submission-{example}.json (procedure {code})")

        self.step(f"{CITIZEN} signs in at the user pool")
        self.token(CITIZEN)
        self.say("Cognito InitiateAuth (USER_PASSWORD_AUTH) -> an ID token, sent as 'Authorization: Bearer …'")

        self.step(f"{CITIZEN} reads procedure {code} in the public catalogue")
        procedure = self.call(CITIZEN, "GET", f"/procedures/{code}").json()
        self.say(f"{procedure['name_vi']} ({procedure['agency_name_vi']}), online level {procedure['online_level']}")
        components = {c["id"]: c for c in procedure["components"]}

        for name in placeholders(submission):
            spec = components.get(name)
            if spec is None:
                raise WalkFailed(f"examples/submission-{example}.json names component {name}, "
                                 f"which procedure {code} does not have")
            path, content_type = sample_for(spec["accepted_types"])
            self.step(f"{CITIZEN} uploads '{spec['name_vi']}' ({name}): examples/files/{path.name}")
            self.upload_ids[name] = self.upload(CITIZEN, "/uploads", {"procedure_code": code, "component_id": name},
                                                path, content_type)

        self.step(f"{CITIZEN} submits examples/submission-{example}.json with the upload ids filled in")
        body, key = fill(submission, self.upload_ids), str(uuid.uuid4())
        self.say(f"Idempotency-Key: {key}")
        dossier = self.call(CITIZEN, "POST", "/dossiers", body, expect=201, headers={"Idempotency-Key": key}).json()
        self.say(f"dossier {dossier['id']}, code {dossier['code']}, status {dossier['status']} "
                 f"(national status {dossier['national_status']})")
        again = self.call(CITIZEN, "POST", "/dossiers", body, expect=201, headers={"Idempotency-Key": key})
        if again.json()["id"] != dossier["id"]:
            raise WalkFailed("a retry with the same Idempotency-Key made a second dossier")
        self.say(f"the same request again (a retry) -> the same dossier, "
                 f"Idempotent-Replayed: {again.headers.get('Idempotent-Replayed')}")

        self.step(f"{DESK} (one-stop desk) receives it")
        got = self.act(DESK, dossier, "receive", "receive")
        self.say(f"receipt form {got['receipt']['form']}, appointment date {got['receipt']['appointment_date']}")

        self.step(f"{DESK} transfers it to the competent unit")
        self.act(DESK, dossier, "transfer", "transfer")

        self.step(f"{LEADER} (the unit's leader) assigns it to {specialist}")
        self.act(LEADER, dossier, "assign", "assign")

        self.step(f"{specialist} examines it and proposes a decision")
        self.act(specialist, dossier, "propose", "propose")

        self.step(f"{LEADER} approves")
        self.act(LEADER, dossier, "approve", "approve")

        self.step(f"{specialist} uploads the electronic result: examples/files/{RESULT_FILE.name}")
        self.upload_ids[RESULT] = self.upload(specialist, f"/dossiers/{dossier['id']}/results/uploads", {},
                                              RESULT_FILE, "application/pdf")

        self.step(f"{specialist} issues the result")
        issued = self.act(specialist, dossier, "issue-result", "issue-result")
        recorded = next(r["sha256"] for r in issued["results"] if r["upload_id"] == self.upload_ids[RESULT])

        method = submission["delivery"]["method"]
        if method not in ("online", "desk"):
            raise WalkFailed(f"the walkthrough returns results online or at the desk, not by {method}")
        self.step(f"{DESK} returns the result ({'online' if method == 'online' else 'at the desk'}, "
                  f"as the applicant chose)")
        got = self.act(DESK, dossier, f"return-{'online' if method == 'online' else 'at-desk'}",
                       f"return-{'online' if method == 'online' else 'at-desk'}")

        self.step(f"{CITIZEN} downloads the result")
        link = self.call(CITIZEN, "GET", f"/dossiers/{dossier['id']}/results/{self.upload_ids[RESULT]}").json()
        fetched = requests.get(link["url"], timeout=TIMEOUT)
        same = hashlib.sha256(fetched.content).hexdigest() == recorded
        self.say(f"GET <link valid {link['expires_in']} s> -> {fetched.status_code}, {len(fetched.content)} bytes, "
                 f"SHA-256 {'equal to' if same else 'DIFFERENT from'} the one recorded when it was issued")
        if fetched.status_code != 200 or not same:
            raise WalkFailed("the downloaded result is not the document issued")

        self.step(f"{CITIZEN} evaluates the handling")
        got = self.act(CITIZEN, dossier, "evaluation", "evaluation", method="PUT")
        rating = got["evaluation"]
        self.say(f"satisfied: {rating['satisfied']}, may amend until {local_time(rating['amend_until'])}")

        self.step("the history: every event, with who and when")
        events = self.call(CITIZEN, "GET", f"/dossiers/{dossier['id']}/history").json()["events"]
        for event in events:
            actor = event.get("actor") or {}
            self.say(f"{event['seq']:>2}  {local_time(event['at'])}  {event['type']:<24} "
                     f"{actor.get('username') or '-'} ({actor.get('role') or 'system'})", indent=6)

        self.step("the notifications the applicant was sent (they go out within seconds, from the event bus)")
        notices, settled = self.notifications(dossier["id"], notice_wait)
        for notice in notices:
            about = notice.get("subject") or (notice.get("body") or "").splitlines()[0][:70]
            self.say(f"{notice['event_type']:<24} {notice['channel']:<6} {notice['recipient']:<22} "
                     f"{notice['status']:<7} {about}", indent=6)
        if not settled:
            self.say(f"(still waiting for some after {notice_wait:.0f} s; `make emails` shows what went out)")

        final = self.call(CITIZEN, "GET", f"/dossiers/{dossier['id']}", quiet=True).json()
        self.out(f"\nDossier {final['code']} (id {final['id']}) is {final['status']} "
                 f"(national status {final['national_status']}) and evaluated "
                 f"{'satisfied' if final['evaluation']['satisfied'] else 'not satisfied'}.")
        return final

    def notifications(self, dossier_id: str, wait: float) -> tuple[list[dict], bool]:
        """What the applicant was sent, once the last message has gone out (or `wait` seconds have passed)."""
        deadline = time.monotonic() + wait
        while True:
            items = self.call(CITIZEN, "GET", f"/dossiers/{dossier_id}/notifications", quiet=True).json()["items"]
            settled = (any(n["event_type"] == LAST_NOTICE for n in items)
                       and all(n["status"] in FINAL_DELIVERY for n in items))
            if settled or time.monotonic() > deadline:
                return items, settled
            time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example", choices=("person", "business"), default="person",
                        help="which examples/submission-*.json to walk (default: person)")
    parser.add_argument("--state-file", default=str(DEFAULT_STATE_FILE),
                        help="the running stack's state, written by `make run`")
    parser.add_argument("--api-url", help="the API's address, if not the one in the state file")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="the demo accounts' password")
    parser.add_argument("--wait", type=float, default=20, help="seconds to wait for the notifications")
    args = parser.parse_args(argv)
    try:
        state = json.loads(Path(args.state_file).read_text())
    except FileNotFoundError:
        print(f"No local stack state in {args.state_file}: start the stack first with `make run`.", file=sys.stderr)
        return 1
    if args.api_url:
        state["API_URL"] = args.api_url
    try:
        Walkthrough(state, args.password).run(args.example, args.wait)
    except WalkFailed as failure:
        print(f"\nThe walkthrough stopped: {failure}", file=sys.stderr)
        return 1
    except requests.ConnectionError as error:
        print(f"\nCannot reach the stack ({error.request.url if error.request else ''}): is `make run` still "
              f"running?", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
