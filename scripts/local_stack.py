"""The whole platform on one machine, no AWS account: `make run`.

Starts an embedded moto server, creates every resource from infra/resources.yaml (the same
definition production uses), seeds the catalogue and demo accounts, and serves the API with
Chalice's local server and the web client (web/, scripts/web_server.py). The stack's settings are written
to a state file so that other commands (`make token`, the end-to-end tests) can reach it.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STATE_FILE = REPO_ROOT / "build" / "local-stack.json"
DEFAULT_CONTROL_DIR = REPO_ROOT / "build" / "pump-control"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "local",
                    "AWS_DEFAULT_REGION": "ap-southeast-1", "AWS_REGION": "ap-southeast-1"}


def _stage_environment(stage: str) -> dict[str, str]:
    config = json.loads((REPO_ROOT / ".chalice" / "config.json").read_text())
    return dict(config["stages"].get(stage, {}).get("environment_variables", {}))


# Connections the kernel holds for a server of the stack until its accept loop (one thread, sharing the GIL with
# everything else in the process) takes them. Beyond it SYNs are dropped: a burst of clients waits 1, 3, 7 s... for
# the retransmission, or times out. socketserver's default (5, the API server's) lost connections to a few dozen
# clients; werkzeug's 128 (moto's) to a burst of 200. Linux caps it at net.core.somaxconn.
LISTEN_BACKLOG = 1024


def start_moto(host: str, port: int):
    import logging

    from moto.server import ThreadedMotoServer
    from werkzeug import serving

    from scripts.moto_fidelity import serialise_dynamodb_writes

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call drowns the banner
    serialise_dynamodb_writes()
    # ThreadedMotoServer builds werkzeug's threaded server itself, with no say in its backlog.
    serving.ThreadedWSGIServer.request_queue_size = LISTEN_BACKLOG

    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return server


def _match_greedy_paths() -> None:
    """API Gateway routes any path under `/{proxy+}`; chalice local only matches whole segments,
    and answers the rest itself (a 403 that echoes the Authorization header). Teach it the greedy
    match so unknown paths reach the app's catch-all route, as they do in AWS."""
    from urllib.parse import parse_qs, urlparse

    from chalice import local

    if getattr(local.RouteMatcher, "_greedy", False):
        return
    exact = local.RouteMatcher.match_route

    def match_route(self, url: str):
        try:
            return exact(self, url)
        except ValueError:
            parsed = urlparse(url)
            for route_url in self.route_urls:
                if route_url.endswith("+}"):
                    prefix, _, param = route_url.rpartition("/")
                    if parsed.path.startswith(prefix + "/"):
                        captured = {param[1:-2]: parsed.path[len(prefix) + 1:]}
                        return local.MatchResult(route_url, captured,
                                                 parse_qs(parsed.query, keep_blank_values=True))
            raise

    local.RouteMatcher.match_route = match_route
    local.RouteMatcher._greedy = True


def _local_server(app, config, host: str, port: int):
    """chalice.local.create_local_server, with a server class whose listen backlog takes a burst."""
    from chalice import local

    class BurstTolerantHTTPServer(local.ThreadedHTTPServer):
        request_queue_size = LISTEN_BACKLOG
        daemon_threads = True  # a request still being handled never holds up the stack's exit

    local.CustomLocalChalice.__bases__ = (local.LocalChalice, app.__class__)
    app.__class__ = local.CustomLocalChalice
    return local.LocalDevServer(app, config, host, port, server_cls=BurstTolerantHTTPServer)


def start_api(host: str, port: int, stage: str = "local"):
    """Chalice's local server in a thread, on the real app object."""
    from chalice.config import Config

    sys.path.insert(0, str(REPO_ROOT))
    from app import app

    _match_greedy_paths()
    config = Config.create(chalice_stage=stage, app_name="motcua", project_dir=str(REPO_ROOT),
                           config_from_disk=json.loads((REPO_ROOT / ".chalice" / "config.json").read_text()))
    server = _local_server(app, config, host, port)
    thread = threading.Thread(target=server.serve_forever, name="chalice-local", daemon=True)
    thread.start()
    return server


# Where the local web client is served by default: browsers there may call the local API (CORS). A client served
# on another port (--web-port) adds its own origins.
LOCAL_WEB_ORIGINS = ("http://127.0.0.1:8080", "http://localhost:8080")

# The national portal stand-in's account for the platform, and the unit code it expects (docs/national-portal.md).
PORTAL_USERNAME, PORTAL_UNIT = "motcua-local", "000.00.00.G22"
# Short, so that a portal which does not answer (its fault injection) plays out in seconds; not so short that a busy
# machine's slow answer counts as none (the progress entries it carried would then be sent twice, section 5 of
# docs/national-portal.md): 3 s was, once, on a 2-core machine running the whole test suite.
PORTAL_TIMEOUT_SECONDS = "8"


def start_national_portal(host: str, port: int, platform_url: str, inbound_secret: str,
                          password: str) -> tuple[subprocess.Popen, str]:
    """The national portal stand-in, a separate process (as the real portal is a separate system): it logs the
    platform in, takes its updates, serves forwarded files and forwards dossiers to the platform, signed."""
    return _start_standin("national portal", [
        "-m", "scripts.standins.national_portal", "--host", host, "--port", str(port),
        "--platform-url", platform_url, "--inbound-secret", inbound_secret, "--username", PORTAL_USERNAME,
        "--password", password, "--madonvi", PORTAL_UNIT,
        "--catalogue", str(REPO_ROOT / "chalicelib" / "data" / "procedures.json")])


# The web client's client id at the national identity provider (docs/identity.md).
IDP_CLIENT_ID = "motcua-web"


def start_identity_provider(host: str, port: int) -> tuple[subprocess.Popen, str]:
    """The national identity provider stand-in (OpenID Connect, Authlib), a separate process: test citizens sign
    in there and the platform accepts its ID tokens as it would VNeID's."""
    return _start_standin("identity provider", [
        "-m", "scripts.standins.identity_provider", "--host", host, "--port", str(port),
        "--client-id", IDP_CLIENT_ID])


# The payment gateway stand-in's terminals are the agencies' receiving accounts (chalicelib/data/payment_accounts.json).
PAYMENT_ACCOUNTS = REPO_ROOT / "chalicelib" / "data" / "payment_accounts.json"
# Locally the reconciliation job asks the gateway within seconds (5 minutes in AWS), so a lost notification is
# settled while a person or a test waits.
PAYMENT_RECONCILE_SECONDS = 2.0
PAYMENT_CHECK_AFTER_SECONDS = "3"


def payment_terminals() -> dict[str, str]:
    """Every receiving account's terminal, with a fresh hash secret for this run."""
    data = json.loads(PAYMENT_ACCOUNTS.read_text(encoding="utf-8"))
    entries = [*data.get("agencies", {}).values(), *data.get("procedures", {}).values()]
    return {entry["terminal"]: secrets.token_hex(16) for entry in entries}


def start_payment_gateway(host: str, port: int, platform_url: str, terminals: dict[str, str]
                          ) -> tuple[subprocess.Popen, str]:
    """The payment gateway stand-in, a separate process: its payment page, signed IPNs to the platform, status
    queries, refunds and the daily statement (docs/payments.md §1)."""
    arguments = ["-m", "scripts.standins.payment_gateway", "--host", host, "--port", str(port),
                 "--ipn-url", f"{platform_url}/integrations/payments/vnpay/notifications"]
    for terminal, secret in terminals.items():
        arguments += ["--terminal", f"{terminal}:{secret}"]
    return _start_standin("payment gateway", arguments)


def _start_standin(name: str, arguments: list[str]) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, *arguments, "--parent-pid", str(os.getpid())], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, text=True)
    atexit.register(_stop, process)
    line = process.stdout.readline() if process.stdout else ""
    try:
        ready = json.loads(line)
    except ValueError:
        process.kill()
        raise RuntimeError(f"the {name} stand-in did not start: {line!r}") from None
    # Keep reading what it prints, so that a full pipe never blocks it.
    threading.Thread(target=lambda: [None for _ in process.stdout], name=f"{name}-stdout", daemon=True).start()
    return process, ready["url"]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)


def start(host: str = "127.0.0.1", moto_port: int = 5000, api_port: int = 8000, stage: str = "local",
          state_file: Path | None = DEFAULT_STATE_FILE, control_dir: Path = DEFAULT_CONTROL_DIR,
          retry_delay: float = 1.0, portal_port: int = 0, web_port: int = 0, idp_port: int = 0,
          pay_port: int = 0) -> dict[str, str]:
    for key, value in FAKE_CREDENTIALS.items():
        os.environ.setdefault(key, value)
    # The moto server plays AWS; nothing here may reach a real account by accident.
    os.environ.pop("AWS_PROFILE", None)
    endpoint = f"http://{host}:{moto_port}"
    # Staff sign in with a TOTP code: moto checks it only when told to.
    os.environ["MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP"] = "true"
    start_moto(host, moto_port)

    from scripts.demo import seed_accounts, seed_catalogue
    from scripts.event_pump import EventPump
    from scripts.provision import provision_stack
    from scripts.web_server import serve_stack, web_origins

    provisioned = provision_stack(endpoint, stage)
    api_url = f"http://{host}:{api_port}"
    portal_password, inbound_secret = secrets.token_hex(16), secrets.token_hex(32)
    _, portal_url = start_national_portal(host, portal_port, api_url, inbound_secret, portal_password)
    _, idp_url = start_identity_provider(host, idp_port)
    terminals = payment_terminals()
    _, pay_url = start_payment_gateway(host, pay_port, api_url, terminals)
    # Bound now, served once the API is up: its address (web_port 0: any free one) goes into the API's CORS.
    web = serve_stack({**provisioned.env, "API_URL": api_url, "MOTO_ENDPOINT": endpoint, "CITIZEN_IDP_URL": idp_url,
                       "CITIZEN_IDP_CLIENT_ID": IDP_CLIENT_ID}, host, web_port)
    origins = (os.environ.get("CORS_ALLOWED_ORIGINS") or ",".join(LOCAL_WEB_ORIGINS)).split(",")
    origins += [o for o in web_origins(web) if o not in origins]
    env = {**FAKE_CREDENTIALS, **_stage_environment(stage), **provisioned.env,
           "CORS_ALLOWED_ORIGINS": ",".join(origins), "WEB_BASE_URL": web_origins(web)[0],
           # A signed result's QR code opens the web client's verification page.
           "RESULT_VERIFY_URL": web_origins(web)[0] + "/#/verify/{id}",
           "CITIZEN_ISSUERS": f"{idp_url}|{IDP_CLIENT_ID}",
           "NATIONAL_PORTAL_URL": portal_url, "NATIONAL_PORTAL_USERNAME": PORTAL_USERNAME,
           "NATIONAL_PORTAL_MADONVI": PORTAL_UNIT, "NATIONAL_PORTAL_TIMEOUT_SECONDS": PORTAL_TIMEOUT_SECONDS,
           "PAYMENT_GATEWAY_URL": pay_url, "PAYMENT_CHECK_AFTER_SECONDS": PAYMENT_CHECK_AFTER_SECONDS}
    os.environ.update(env)
    # The credentials live in Secrets Manager, as in AWS: the provisioner made the secret, the stand-in was
    # given the same values.
    import boto3

    boto3.client("secretsmanager", endpoint_url=endpoint, region_name=env["AWS_DEFAULT_REGION"]).put_secret_value(
        SecretId=env["NATIONAL_PORTAL_SECRET_ID"],
        SecretString=json.dumps({"password": portal_password, "inbound_secret": inbound_secret}))
    boto3.client("secretsmanager", endpoint_url=endpoint, region_name=env["AWS_DEFAULT_REGION"]).put_secret_value(
        SecretId=env["PAYMENT_GATEWAY_SECRET_ID"], SecretString=json.dumps(terminals))
    seed_catalogue()
    totp_secrets = seed_accounts()
    from scripts.ops.signing import setup_local_signing

    # Results are signed as in AWS (the key in KMS, here moto's), certified by a local test CA.
    ca_file = setup_local_signing(control_dir / "ca")
    start_api(host, api_port, stage)
    web.start()
    from app import app

    control_dir.mkdir(parents=True, exist_ok=True)
    EventPump(app, provisioned.resources, env["AWS_DEFAULT_REGION"], endpoint, retry_delay=retry_delay,
              control_dir=control_dir,
              schedule_intervals={"payments-reconcile": PAYMENT_RECONCILE_SECONDS}).start()
    state = {**env, "API_URL": api_url, "MOTO_ENDPOINT": endpoint, "WEB_URL": web.url,
             "MOTCUA_STAGE": stage, "PUMP_CONTROL_DIR": str(control_dir), "LOCAL_CA_FILE": str(ca_file),
             "CITIZEN_IDP_URL": idp_url, "STAFF_TOTP_SECRETS": json.dumps(totp_secrets)}
    if state_file:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        state_file.write_text(json.dumps(state, indent=2))
    return state


def banner(state: dict[str, str]) -> str:
    from scripts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    lines = [
        "",
        "MotCua local stack is running (Ctrl-C to stop)",
        f"  web client     {state['WEB_URL']}   (sign in with a demo account below)",
        f"  API            {state['API_URL']}   (reference: {state['API_URL']}/docs, {state['API_URL']}/openapi.json)",
        f"  moto endpoint  {state['MOTO_ENDPOINT']}   (AWS_ENDPOINT_URL for the AWS CLI or boto3)",
        f"  user pools     citizens {state['USER_POOL_ID']} (client {state['USER_POOL_CLIENT_ID']}), "
        f"staff {state['STAFF_POOL_ID']} (client {state['STAFF_POOL_CLIENT_ID']}, TOTP required)",
        f"  national portal stand-in  {state['NATIONAL_PORTAL_URL']}   (POST /_sim/submit forwards a dossier; "
        "GET /_sim/dossiers/<MaHoSo> shows what it holds)",
        f"  signed results   certified by the local test CA {state['LOCAL_CA_FILE']}   (make signer-status)",
        f"  national identity stand-in  {state['CITIZEN_IDP_URL']}   (OpenID Connect; test citizens at "
        "/_sim/citizens)",
        f"  payment gateway stand-in  {state['PAYMENT_GATEWAY_URL']}   (pay or cancel on its page; "
        "POST /_sim/orders/<id>/pay, /_sim/faults; GET /_sim/orders)",
        "",
        f"Demo accounts (password {DEMO_PASSWORD}):",
    ]
    for account in DEMO_ACCOUNTS:
        where = f"  agency {account.agency}" if account.agency else ""
        where += f" unit {account.unit}" if account.unit else ""
        lines.append(f"  {account.username:<18} {account.group:<9} {account.name}{where}")
    # Authenticator apps take base32 in capitals (moto's secret is lower case).
    totp = sorted({secret.upper() for secret in json.loads(state.get("STAFF_TOTP_SECRETS") or "{}").values()})
    if totp:
        lines += [
            "Staff sign in with a TOTP code as well (the staff pool requires it): add the secret to an authenticator",
            f"app ({', '.join(totp)}), or `make -s totp USER=officer.hanoi` prints the current code.",
        ]
    lines += [
        "",
        "Events flow: stream -> relay -> EventBridge -> SQS -> consumers (the local event pump).",
        "  make emails        # what the notifications consumer sent (moto SES and SNS)",
        "  make dlq           # what waits in the dead-letter queues",
        "  make rebuild-metrics  # recount the service-quality metrics from the event log",
        "",
        "Get a token and call the API:",
        "  TOKEN=$(make -s token USER=citizen.an)",
        f"  curl -H \"Authorization: Bearer $TOKEN\" {state['API_URL']}/dossiers",
        f"  curl {state['API_URL']}/procedures",
        f"  curl '{state['API_URL']}/metrics/scorecard?agency=000.00.20.H26&period=rolling-30d'   # public scorecard",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5000")))
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("API_PORT", "8000")))
    parser.add_argument("--portal-port", type=int, default=int(os.environ.get("PORTAL_PORT", "8100")),
                        help="the national portal stand-in's port (0: any free one)")
    parser.add_argument("--web-port", type=int, default=int(os.environ.get("WEB_PORT", "8080")),
                        help="the web client's port (0: any free one; the API's CORS allows it)")
    parser.add_argument("--pay-port", type=int, default=int(os.environ.get("PAY_PORT", "8300")),
                        help="the payment gateway stand-in's port (0: any free one)")
    parser.add_argument("--idp-port", type=int, default=int(os.environ.get("IDP_PORT", "8200")),
                        help="the national identity provider stand-in's port (0: any free one)")
    parser.add_argument("--state-file", default=str(DEFAULT_STATE_FILE))
    parser.add_argument("--control-dir", default=str(DEFAULT_CONTROL_DIR),
                        help="create pause-<consumer> here to pause that consumer")
    parser.add_argument("--retry-delay", type=float, default=1.0,
                        help="seconds before a failed message is retried (the queue's visibility timeout in AWS)")
    parser.add_argument("--quiet", action="store_true", help="print only a JSON line when ready")
    parser.add_argument("--demo-quarter", action="store_true",
                        help="once ready, fill the Hà Nội department with a quarter of work (scripts/demo_quarter.py)")
    args = parser.parse_args(argv)
    if args.quiet:
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    state = start(args.host, args.moto_port, args.api_port, state_file=Path(args.state_file),
                  control_dir=Path(args.control_dir), retry_delay=args.retry_delay, portal_port=args.portal_port,
                  web_port=args.web_port, idp_port=args.idp_port, pay_port=args.pay_port)
    print(json.dumps({"ready": True, **state}) if args.quiet else banner(state), flush=True)
    if args.demo_quarter:
        from scripts.demo_quarter import fill

        # In the background: the stack is usable at once, and the scorecard fills as the consumers count.
        threading.Thread(target=fill, kwargs={"say": lambda line: print(line, flush=True)}, name="demo-quarter",
                         daemon=True).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
