"""Importing the Lambda handler must not pull in the heavy libraries: they load on first use."""

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_importing_app_registers_every_route_without_loading_aws_or_validation_libraries():
    probe = ("import sys, app; heavy = [m for m in ('boto3', 'botocore', 'pynamodb', 'pydantic', 'jwt', 'holidays',"
             " 'aws_lambda_powertools.logging') if m in sys.modules]; print(len(app.app.routes), heavy)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, check=True, capture_output=True,
                         text=True).stdout.strip()
    routes, heavy = out.split(" ", 1)
    assert int(routes) >= 10
    assert heavy == "[]"
