"""What the platform's own authority costs per request, and what citizens' identity costs at national scale.

    python bench/identity.py [--requests 200] [--json-only]

1. Latency of the staff directory look-up that every request now makes (`chalicelib.services.staff.authority`),
   in process against moto's DynamoDB (mock_aws, the template's StaffTable): cached (the container read the entry
   within the last 60 s) and uncached (the first request of a caller in a container, or the first after 60 s),
   median and p90 of N each, next to a Cognito token verification with its JWKS already cached (what every
   request already paid). moto is slower than DynamoDB per call: the uncached figure is an upper bound.
2. Identity cost per 1,000 monthly active citizens: the design chosen (citizens sign in with the national identity;
   the platform verifies its ID tokens itself, keeps one small item per citizen and one per sign-in for the nonce)
   against a per-user pool (every monthly active citizen an active user of the platform's Cognito pool), at the
   list prices below, with the sign-ins per citizen per month as a parameter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

# USD, ap-southeast-1 list prices read on 2026-11-30 (bench/aws_prices.json has DynamoDB's).
COGNITO_MAU = {"lite": 0.0055, "essentials": 0.015}  # per monthly active user beyond the free tier
COGNITO_FREE_MAU = 10_000
# National scale (DOMAIN.md): about 180,000 dossiers a day; about 40% online; one dossier per citizen-month
# is the assumption here (a citizen with several dossiers only lowers the per-dossier figures).
NATIONAL_MONTHLY_CITIZENS = 180_000 * 30 * 0.4


def _spread(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 3),
            "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 3)}


def directory_latency(requests: int) -> dict:
    from moto import mock_aws

    with mock_aws():
        import os

        from scripts.provision import provision

        os.environ.update({k: v for k, v in provision(None, "bench").items() if k != "AWS_ENDPOINT_URL"})
        from chalicelib.services import staff
        from chalicelib.store.staff import StaffMember, StaffStore

        store = StaffStore()
        ids = [f"bench-{i:04d}" for i in range(requests)]
        for staff_id in ids:
            store.create(StaffMember(id=staff_id, username=staff_id, name="Cán bộ", email=None, roles=("officer",),
                                     agency_code="000.00.20.H26"), {"created": {}}, "2026-11-30T00:00:00Z", {})
        uncached, cached = [], []
        staff.forget()
        for staff_id in ids:
            started = time.perf_counter()
            staff.authority(staff_id)
            uncached.append(time.perf_counter() - started)
        for staff_id in ids:
            started = time.perf_counter()
            staff.authority(staff_id)
            cached.append(time.perf_counter() - started)
    return {"uncached": _spread(uncached), "cached": _spread(cached), "requests": requests}


def identity_cost(sign_ins_per_month: float) -> dict:
    prices = json.loads((REPO_ROOT / "bench" / "aws_prices.json").read_text())["prices"]
    wcu, rcu = prices["dynamodb_write_request_unit"], prices["dynamodb_read_request_unit"]
    # Per citizen and month, national sign-on: the nonce item of each sign-in (one write), the account item read
    # once per container (counted once per sign-in: an upper bound), the account item written once ever
    # (counted every month: an upper bound).
    chosen = 1000 * (sign_ins_per_month * (wcu + rcu) + wcu)
    per_user_pool = {tier: 1000 * price for tier, price in COGNITO_MAU.items()}
    national = NATIONAL_MONTHLY_CITIZENS
    return {
        "per_1000_monthly_citizens_usd": {"national_sign_on": round(chosen, 5),
                                          **{f"per_user_pool_{t}": round(v, 2) for t, v in per_user_pool.items()}},
        "national_monthly_citizens": int(national),
        "national_per_month_usd": {
            "national_sign_on": round(chosen * national / 1000, 2),
            **{f"per_user_pool_{t}": round((national - COGNITO_FREE_MAU) * p, 2) for t, p in COGNITO_MAU.items()}},
        "sign_ins_per_month": sign_ins_per_month,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--sign-ins", type=float, default=4, help="sign-ins per citizen per month")
    parser.add_argument("--json-only", action="store_true")
    args = parser.parse_args(argv)
    figures = {"directory": directory_latency(args.requests), "cost": identity_cost(args.sign_ins)}
    if not args.json_only:
        d, c = figures["directory"], figures["cost"]
        print(f"Directory look-up per request, {d['requests']} callers, in-process moto:")
        print(f"  uncached (a caller's first request in a container, or after 60 s): "
              f"{d['uncached']['median_ms']} ms median, {d['uncached']['p90_ms']} ms p90")
        print(f"  cached: {d['cached']['median_ms']} ms median, {d['cached']['p90_ms']} ms p90")
        print(f"Identity per 1,000 monthly active citizens ({c['sign_ins_per_month']} sign-ins each):")
        for name, value in c["per_1000_monthly_citizens_usd"].items():
            print(f"  {name:<28} ${value}")
        print(f"At national scale ({c['national_monthly_citizens']:,} citizens a month):")
        for name, value in c["national_per_month_usd"].items():
            print(f"  {name:<28} ${value:,.2f} a month")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
