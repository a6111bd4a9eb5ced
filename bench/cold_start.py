"""Cold-start cost of the Lambda handler, each figure the median over fresh interpreter processes.

    python bench/cold_start.py [--runs 15]

1. Import: `import app` (every route registered) against a bare `import boto3`. Budget: app <= 1.6 x boto3.
2. First request: import plus one `GET /procedures/{code}` through the Lambda handler (an API Gateway proxy
   event, as Lambda delivers it) against a moto server, next to a bare boto3 client doing one `GetItem` on the
   same table. Both pay the import of boto3 and one DynamoDB round trip; the difference is the platform's own
   cost of a cold first request (pydantic-settings, PynamoDB, the routing, the response).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
CODE = "1.014199"
FIRST_REQUEST = f"""
import time, json
t = time.perf_counter()
import app
event = {{"resource": "/procedures/{{code}}", "path": "/procedures/{CODE}", "httpMethod": "GET",
         "headers": {{"Accept": "application/json"}}, "multiValueHeaders": {{}}, "queryStringParameters": None,
         "multiValueQueryStringParameters": None, "pathParameters": {{"code": "{CODE}"}},
         "stageVariables": None, "body": None, "isBase64Encoded": False,
         "requestContext": {{"resourcePath": "/procedures/{{code}}", "httpMethod": "GET",
                            "path": "/api/procedures/{CODE}", "requestId": "bench-cold-start-0001", "stage": "api",
                            "identity": {{"sourceIp": "127.0.0.1"}}}}}}
response = app.app(event, None)
elapsed = time.perf_counter() - t
assert response["statusCode"] == 200, response
assert json.loads(response["body"])["code"] == "{CODE}"
print(elapsed)
"""
BARE_GET_ITEM = """
import time, os
t = time.perf_counter()
import boto3
client = boto3.client("dynamodb")
found = client.get_item(TableName=os.environ["PROCEDURES_TABLE"], Key={"code": {"S": "%s"}, "version": {"N": "1"}})
elapsed = time.perf_counter() - t
assert "Item" in found, found
print(elapsed)
"""


def _run(source: str, runs: int, env: dict | None = None) -> list[float]:
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", source], cwd=REPO_ROOT, check=True, capture_output=True,
                             text=True, env=env).stdout
        samples.append(float(out.strip().splitlines()[-1]))
    return samples


def measure(module: str, runs: int) -> list[float]:
    return _run(PROBE.format(module=module), runs)


def _local_stack_env() -> tuple[dict, object]:
    """A moto server with the stack's resources and the seed catalogue; the environment a function gets."""
    from scripts.local_stack import FAKE_CREDENTIALS, start_moto

    for key, value in FAKE_CREDENTIALS.items():
        os.environ[key] = value
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = start_moto("127.0.0.1", port)
    from scripts.demo import seed_catalogue
    from scripts.provision import provision_stack

    provisioned = provision_stack(f"http://127.0.0.1:{port}", "local")
    os.environ.update(provisioned.env)
    seed_catalogue()
    env = {**os.environ, **FAKE_CREDENTIALS, **provisioned.env, "MOTCUA_STAGE": "local",
           "POWERTOOLS_LOG_LEVEL": "WARNING"}
    return env, server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    # Interleave a warm-up of both so the OS file cache treats them alike.
    measure("boto3", 1), measure("app", 1)
    boto3_times = measure("boto3", args.runs)
    app_times = measure("app", args.runs)
    b, a = statistics.median(boto3_times), statistics.median(app_times)
    print(f"import boto3: median {b * 1000:.1f} ms over {args.runs} fresh processes")
    print(f"import app:   median {a * 1000:.1f} ms over {args.runs} fresh processes")
    print(f"ratio app/boto3: {a / b:.2f} (budget 1.60)")

    env, server = _local_stack_env()
    try:
        bare = BARE_GET_ITEM % CODE
        _run(FIRST_REQUEST, 1, env), _run(bare, 1, env)
        first = statistics.median(_run(FIRST_REQUEST, args.runs, env))
        baseline = statistics.median(_run(bare, args.runs, env))
    finally:
        server.stop()
    print(f"first request (import + GET /procedures/{CODE} via the handler): median {first * 1000:.1f} ms")
    print(f"bare boto3 client, one GetItem:                           median {baseline * 1000:.1f} ms")
    print(f"ratio first request/bare GetItem: {first / baseline:.2f}")
    print(json.dumps({"import_boto3_ms": round(b * 1000, 1), "import_app_ms": round(a * 1000, 1),
                      "first_request_ms": round(first * 1000, 1), "bare_get_item_ms": round(baseline * 1000, 1)}))
    return 0 if a / b <= 1.6 else 1


if __name__ == "__main__":
    raise SystemExit(main())
