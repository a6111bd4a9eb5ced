"""What documents people can hold cost: the one-stop forms as PDF, the signed result, and the Lambda package.

    .venv/bin/python bench/documents.py [--runs 20] [--processes 20] [--skip-stack] [--skip-package] [--json-only]

1. Forms in process: for each form, a realistic dossier built by the rules as tests/unit/domain/test_forms.py
   builds it (receipt and control slip of a dossier returned at the desk after an apology, so the slip has all
   its hand-overs; the supplement request asked during processing; the refusal; the apology; the stop notice),
   then `render_form(form_view(...))`, once to warm up and `--runs` times measured. The one-off cost a fresh
   process pays is measured apart, in `--processes` fresh interpreters: `import chalicelib.documents.pdf`
   (fpdf2), then the first receipt (fonts parsed, segno imported), then a second one for comparison.
2. Forms over HTTP: the local stack started as tests/e2e/conftest.py's `running_stack` does (its own process,
   ports, state file and pump control directory, in a temp directory); citizen.an submits dossiers of the full
   online procedure 1.010833 and officer.hanoi receives one (then it is processed to its result, below, so
   its control slip has every hand-over), asks for a supplement on another and refuses a third. citizen.an
   then GETs /dossiers/{id}/forms/<form>.pdf with `Accept: application/pdf`: once (the stack process's first
   render of that form, reported as "first"; fpdf2 is imported by then, the result stamps use it) and `--runs`
   times measured.
3. Signing one result: (a) in process, under moto (mock_aws): an RSA_3072 KMS key (the template's
   ResultSigningKey) certified by a scripts.local_ca test CA, a `KmsSigner` with message_type="RAW" as the
   platform builds it, and the one-page result the e2e tests upload (tests.samples.PDF); the QR stamp
   (`stamp_verification`), the signature (`sign_pdf`) and both together, and the check of the signed file
   that issue-result also runs (`verify_pdf`). (b) on the stack, `--runs` approved dossiers (plus one to warm
   up): specialist.hanoi uploads the result (presigned POST, complete), then POST /dossiers/{id}/issue-result,
   the request alone timed; the stack signs every result (the response's record must carry signed_here).
4. The Lambda package: `python -m scripts.package --stage prod --out <temp dir>` (chalice package and
   cfn-lint), the size of deployment.zip, unzipped and zipped, and the share of what issue 13's libraries
   brought: the dependency closure of fpdf2, segno and pyHanko less that of the other requirements (read from
   the installed distributions' metadata; each distribution's files found through its RECORD in the zip), and
   chalicelib/documents/fonts. The stage is prod because `chalice package` wants a
   .chalice/policy-<stage>.json for any stage (autogen_policy is false); the zip is the same for every stage.

Times are medians and p90 in milliseconds. Prints a table and a last line of JSON; --json-only prints only the
JSON. The stack's log goes to stack.log in its temp directory, kept when the run fails.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

FORMS_IN_PROCESS = ("receipt", "supplement-request", "refusal", "apology", "stop-notice", "control-slip")
FORMS_OVER_HTTP = ("receipt", "control-slip", "supplement-request", "refusal")
FULL_ONLINE = "1.010833"
NEW_LIBRARIES = ("fpdf2", "segno", "pyHanko")
FONTS = "chalicelib/documents/fonts/"
PACKAGE_STAGE = "prod"
PDF_TYPE = "application/pdf"
# The stack's event pump shares the process (and its GIL) with the API: let it deliver the events of the set-up
# before a measured section, so the figures are the requests', not the consumers' backlog.
SETTLE_SECONDS = 3.0

FIRST_RENDER = """
import json, time
from tests.unit.domain import test_forms as forms
view = forms.view("receipt", forms.returned())
t0 = time.perf_counter()
from chalicelib.documents.pdf import render_form
t1 = time.perf_counter()
render_form(view)
t2 = time.perf_counter()
render_form(view)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "second": t3 - t2}))
"""


def spread(seconds: Iterable[float]) -> dict[str, float]:
    """Median and p90 in milliseconds (p90 interpolated between samples: there are few)."""
    ms = sorted(s * 1000 for s in seconds)
    p90 = statistics.quantiles(ms, n=10, method="inclusive")[8] if len(ms) > 1 else ms[0]
    return {"median": round(statistics.median(ms), 1), "p90": round(p90, 1), "n": len(ms)}


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def samples(action: Callable[[], Any], runs: int) -> list[float]:
    action()  # warm-up: imports and caches are the one-off figures', not these
    return [timed(action)[0] for _ in range(runs)]


# ---------------------------------------------------------------- 1. forms in process

def forms_in_process(runs: int) -> dict[str, dict[str, float]]:
    from chalicelib.documents.pdf import render_form
    from chalicelib.domain.forms import form_view
    from tests.unit.domain import test_forms as t

    dossiers = {"receipt": t.returned(), "supplement-request": t.asked_during_processing(), "refusal": t.refused(),
                "apology": t.apologised(), "stop-notice": t.stopped(), "control-slip": t.returned()}
    procedure = t.procedure()

    def render(slug: str) -> bytes:
        return render_form(form_view(slug, dossiers[slug], procedure, lookup_url=t.LOOKUP, agency=t.AGENCY_INFO))

    return {slug: spread(samples(lambda slug=slug: render(slug), runs)) for slug in FORMS_IN_PROCESS}


def first_render(processes: int) -> dict[str, dict[str, float]]:
    """The one-off costs, each in a fresh interpreter."""
    runs = []
    for _ in range(processes):
        out = subprocess.run([sys.executable, "-c", FIRST_RENDER], cwd=REPO_ROOT, check=True, capture_output=True,
                             text=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return {part: spread(run[part] for run in runs) for part in ("import", "first", "second")}


# ---------------------------------------------------------------- 3a. signing in process

def signing_in_process(runs: int) -> dict[str, dict[str, float]]:
    import boto3
    from moto import mock_aws

    from chalicelib.documents.signing import KmsSigner, load_certificates, sign_pdf, verify_pdf
    from chalicelib.documents.stamp import stamp_verification
    from scripts import local_ca
    from tests.samples import PDF

    code = "000.00.20.H26-260302-0007"
    url = "https://motcua.example.vn/#/verify/01JNSR00000000000000000001"
    where = "Sở Lao động - Thương binh và Xã hội thành phố Hà Nội"
    with mock_aws():
        kms = boto3.client("kms", region_name="ap-southeast-1")
        key_id = kms.create_key(KeySpec="RSA_3072", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        ca_key, ca_cert = local_ca.create_ca("MotCua Local Test CA")
        # A common name holds 64 bytes of UTF-8: the department's short name, as scripts/ops/signing.py cuts it.
        cert = local_ca.certify_kms_key(kms, key_id, ca_key, ca_cert, organisation="UBND thành phố Hà Nội",
                                        common_name="Sở LĐ-TB&XH Hà Nội", agency_code="000.00.20.H26", days=365)
        leaf, *chain = load_certificates(local_ca.certificate_pem(cert, ca_cert))
        roots = load_certificates(local_ca.certificate_pem(ca_cert))
        signer = KmsSigner(kms, key_id, leaf, chain, message_type="RAW")

        def stamp() -> bytes:
            return stamp_verification(PDF, url, code)

        def sign(pdf: bytes) -> bytes:
            return sign_pdf(pdf, signer, reason=f"Kết quả giải quyết hồ sơ {code}", location=where, name=where)

        stamped = stamp()
        signed = sign(stamped)
        if verify_pdf(signed, roots).verdict != "valid":
            raise RuntimeError("the signed result does not verify against the test CA")
        return {"stamp": spread(samples(stamp, runs)),
                "sign": spread(samples(lambda: sign(stamped), runs)),
                "stamp+sign": spread(samples(lambda: sign(stamp()), runs)),
                "verify": spread(samples(lambda: verify_pdf(signed, roots), runs))}


# ---------------------------------------------------------------- 2 and 3b. the local stack over HTTP

class Stack:
    """The running stack's API as the demo accounts, with the e2e suite's own helpers."""

    def __init__(self, state: dict[str, str]) -> None:
        import boto3

        from scripts.pool_sign_in import id_token
        from tests.e2e.conftest import PASSWORD, Api

        idp = boto3.client("cognito-idp", endpoint_url=state["MOTO_ENDPOINT"], region_name="ap-southeast-1",
                           aws_access_key_id="local", aws_secret_access_key="local")
        self.clients: dict[str, Api] = {}
        for user in ("citizen.an", "officer.hanoi", "leader.hanoi", "specialist.hanoi"):
            self.clients[user] = Api(state["API_URL"], id_token(idp, state, user, PASSWORD))

    def __call__(self, user: str):
        """The e2e helpers' `api(user)`."""
        return self.clients[user]

    def submitted(self) -> dict:
        from tests.e2e.test_results import submit_for

        return submit_for(self, FULL_ONLINE, {"method": "desk"})

    def act(self, user: str, dossier: dict, action: str, body: dict) -> dict:
        from tests.e2e.test_processing import act

        return act(self(user), dossier, action, body)

    def approved(self) -> dict:
        from tests.e2e.test_results import approved_for

        return approved_for(self, FULL_ONLINE)

    def issue_result(self, dossier: dict) -> float:
        """Upload the result, then the issue-result request alone, timed; the stack must have signed it."""
        from tests.e2e.test_results import result_upload

        specialist = self("specialist.hanoi")
        upload_id, _ = result_upload(specialist, dossier)
        seconds, answer = timed(lambda: specialist.post(f"/dossiers/{dossier['id']}/issue-result",
                                                        {"upload_ids": [upload_id], "note": "Ban hành kết quả"}))
        if answer.status_code != 200:
            raise RuntimeError(f"issue-result answered {answer.status_code}: {answer.text[:500]}")
        result = next(r for r in answer.json()["results"] if r["upload_id"] == upload_id)
        if not (result.get("signature") or {}).get("signed_here"):
            raise RuntimeError(f"the stack issued an unsigned result: {result}")
        return seconds

    def form(self, dossier: dict, slug: str) -> float:
        seconds, answer = timed(lambda: self("citizen.an").get(f"/dossiers/{dossier['id']}/forms/{slug}.pdf",
                                                               headers={"Accept": PDF_TYPE}))
        if answer.status_code != 200 or not answer.content.startswith(b"%PDF-"):
            raise RuntimeError(f"{slug}: {answer.status_code} {answer.text[:300]}")
        return seconds


def over_http(runs: int, workdir: Path) -> dict[str, Any]:
    from tests.e2e.conftest import running_stack

    with running_stack(workdir) as state:
        stack = Stack(state)
        issued = [stack.approved() for _ in range(runs + 1)]
        time.sleep(SETTLE_SECONDS)
        first_issue = stack.issue_result(issued[0])
        issue_times = [stack.issue_result(dossier) for dossier in issued[1:]]

        asked = stack.submitted()
        first = asked["components"][0]["component_id"]
        stack.act("officer.hanoi", asked, "request-supplement", {
            "items": [{"component_id": first, "reason": "Bản chụp hộ chiếu không rõ nét"}],
            "note": "Bổ sung trong 10 ngày"})
        refused = stack.submitted()
        stack.act("officer.hanoi", refused, "refuse", {"reason": "Không thuộc thẩm quyền giải quyết của Sở"})
        holders = {"receipt": issued[0], "control-slip": issued[0], "supplement-request": asked, "refusal": refused}
        forms: dict[str, dict[str, float]] = {}
        time.sleep(SETTLE_SECONDS)
        for slug in FORMS_OVER_HTTP:
            cold = stack.form(holders[slug], slug)
            measured = spread(stack.form(holders[slug], slug) for _ in range(runs))
            forms[slug] = {**measured, "first": round(cold * 1000, 1)}
    return {"forms": forms, "issue_result": {**spread(issue_times), "first": round(first_issue * 1000, 1)}}


# ---------------------------------------------------------------- 4. the Lambda package

def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(requirements: Iterable[str]) -> set[str]:
    """The distributions `requirements` (PEP 508 strings, extras honoured) pull in, as installed here."""
    from importlib import metadata

    from packaging.requirements import Requirement

    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        name = _canonical(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.requires(name) or []:
            dependency = Requirement(line)
            wanted = {"", *requirement.extras}
            if dependency.marker and not any(dependency.marker.evaluate({"extra": e}) for e in wanted):
                continue
            todo.append(dependency)
    return seen


def new_distributions() -> set[str]:
    """What fpdf2, segno and pyHanko bring that the other requirements do not."""
    lines = [line.split("#")[0].strip() for line in (REPO_ROOT / "requirements.in").read_text().splitlines()]
    lines = [line for line in lines if line]
    new = {_canonical(n) for n in NEW_LIBRARIES}
    mine = [line for line in lines if _canonical(re.split(r"[\s\[<>=!~;]", line)[0]) in new]
    others = [line for line in lines if line not in mine]
    return _closure(mine) - _closure(others)


def zip_shares(path: Path, distributions: set[str]) -> dict[str, Any]:
    """Sizes of the zip, and of each of `distributions` and of the fonts in it (bytes: unzipped, zipped)."""
    with zipfile.ZipFile(path) as archive:
        entries = {info.filename: info for info in archive.infolist()}
        owner: dict[str, str] = {}
        for name in entries:
            found = re.fullmatch(r"([^/]+)-[^-/]+\.dist-info/RECORD", name)
            if found:
                record = archive.read(name).decode()
                for line in record.splitlines():
                    owner[line.split(",")[0]] = _canonical(found.group(1))
    share: dict[str, list[int]] = {}
    for name, info in entries.items():
        group = FONTS if name.startswith(FONTS) else owner.get(name)
        if group in distributions or group == FONTS:
            sizes = share.setdefault(group, [0, 0])
            sizes[0] += info.file_size
            sizes[1] += info.compress_size
    return {"unzipped": sum(i.file_size for i in entries.values()),
            "zipped_entries": sum(i.compress_size for i in entries.values()),
            "by_library": dict(sorted(share.items(), key=lambda kv: -kv[1][0]))}


def package_size(workdir: Path) -> dict[str, Any]:
    out = workdir / "package"
    seconds, run = timed(lambda: subprocess.run(
        [sys.executable, "-m", "scripts.package", "--stage", PACKAGE_STAGE, "--out", str(out)], cwd=REPO_ROOT,
        capture_output=True, text=True, check=False))
    if run.returncode != 0:
        raise RuntimeError(f"scripts.package failed:\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}")
    path = out / "deployment.zip"
    shares = zip_shares(path, new_distributions())
    new_unzipped = sum(v[0] for v in shares["by_library"].values())
    new_zipped = sum(v[1] for v in shares["by_library"].values())
    return {"stage": PACKAGE_STAGE, "seconds": round(seconds, 1), "zip_bytes": path.stat().st_size, **shares,
            "new_unzipped": new_unzipped, "new_zipped": new_zipped}


# ---------------------------------------------------------------- report

def _rows(table: dict[str, dict[str, float]], extra: str | None = None) -> list[str]:
    lines = []
    for name, row in table.items():
        tail = f" {row[extra]:>9.1f}" if extra else ""
        lines.append(f"  {name:<20} {row['median']:>8.1f} {row['p90']:>8.1f}{tail}")
    return lines


def _mb(count: int) -> str:
    return f"{count / 1e6:7.2f} MB"


def report(figures: dict[str, Any]) -> str:
    lines = [f"{figures['cpus']} CPUs, load average {figures['load_average_1m']} at the start",
             f"1. Form rendered in process, render_form(form_view(...)), ms over {figures['runs']} runs (warm)",
             f"  {'form':<20} {'median':>8} {'p90':>8}", *_rows(figures["render"])]
    lines += [f"   one-off in a fresh process, ms over {figures['processes']} processes",
              *_rows({"import pdf (fpdf2)": figures["first_render"]["import"],
                      "first receipt": figures["first_render"]["first"],
                      "second receipt": figures["first_render"]["second"]})]
    http = figures.get("http")
    if http:
        lines += [f"2. Form over HTTP on the local stack, GET .../forms/<form>.pdf, ms over {figures['runs']} requests",
                  f"  {'form':<20} {'median':>8} {'p90':>8} {'first':>9}", *_rows(http["forms"], "first")]
    lines += [f"3a. Signing one result in process (moto KMS RSA_3072, RAW), ms over {figures['runs']} runs",
              f"  {'step':<20} {'median':>8} {'p90':>8}", *_rows(figures["signing"])]
    if http:
        lines += [f"3b. POST /dossiers/{{id}}/issue-result on the local stack (signed), ms over {figures['runs']} "
                  "dossiers", f"  {'request':<20} {'median':>8} {'p90':>8} {'first':>9}",
                  *_rows({"issue-result": http["issue_result"]}, "first")]
    package = figures.get("package")
    if package:
        lines += [f"4. Lambda package (scripts.package --stage {package['stage']}, {package['seconds']:.0f} s)",
                  f"  deployment.zip {_mb(package['zip_bytes'])}   unzipped {_mb(package['unzipped'])}",
                  f"  issue 13's libraries and fonts: unzipped {_mb(package['new_unzipped'])} "
                  f"({package['new_unzipped'] / package['unzipped']:.0%}), zipped {_mb(package['new_zipped'])} "
                  f"({package['new_zipped'] / package['zipped_entries']:.0%})",
                  f"  {'library':<24} {'unzipped':>10} {'zipped':>10}"]
        lines += [f"  {name:<24} {_mb(u)} {_mb(z)}" for name, (u, z) in package["by_library"].items()]
    return "\n".join(lines)


def measure(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    # The machine's load when the run began: the figures are wall-clock times on a shared host.
    figures: dict[str, Any] = {"runs": args.runs, "processes": args.processes, "cpus": os.cpu_count(),
                               "load_average_1m": round(os.getloadavg()[0], 2)}
    if not args.skip_package:  # first: a failing package should not wait for the rest
        figures["package"] = package_size(workdir)
    figures["render"] = forms_in_process(args.runs)
    figures["first_render"] = first_render(args.processes)
    figures["signing"] = signing_in_process(args.runs)
    if not args.skip_stack:
        figures["http"] = over_http(args.runs, workdir)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="measured runs of each figure")
    parser.add_argument("--processes", type=int, default=20, help="fresh processes for the one-off first render")
    parser.add_argument("--skip-stack", action="store_true", help="no local stack: figures 2 and 3b left out")
    parser.add_argument("--skip-package", action="store_true", help="no chalice package: figure 4 left out")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.processes < 1:
        parser.error("--runs and --processes must be at least 1")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    logging.disable(logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="documents-bench-"))
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            figures = measure(args, workdir)
    except Exception:
        traceback.print_exc()
        print(f"kept for a look: {workdir}", file=sys.stderr)
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    if not args.json_only:
        print(report(figures))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
