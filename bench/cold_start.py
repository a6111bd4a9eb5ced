"""Cold-start cost of the Lambda handler: importing `app` with every route registered, against a
bare `import boto3`, each measured in fresh interpreter processes (median of N runs).

    python bench/cold_start.py [--runs 15]

Budget (issue: first slice): import app <= 1.6 x import boto3.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def measure(module: str, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", PROBE.format(module=module)], cwd=REPO_ROOT, check=True,
                             capture_output=True, text=True).stdout
        samples.append(float(out.strip().splitlines()[-1]))
    return samples


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
    return 0 if a / b <= 1.6 else 1


if __name__ == "__main__":
    raise SystemExit(main())
