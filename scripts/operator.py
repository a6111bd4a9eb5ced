"""`python -m scripts.operator ...`: the operator commands of scripts/ops (dead letters, replays, emails,
metrics rebuild); `--help` lists them."""

from scripts.ops.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
