"""The command line of the operator commands (`python -m scripts.operator ...`): flags, and which command runs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import scripts.ops
from scripts.ops.consumers import discover_consumers
from scripts.ops.dlq import dlq_list, redrive
from scripts.ops.emails import emails
from scripts.ops.errors import OperatorError
from scripts.ops.metrics_rebuild import metrics_rebuild
from scripts.ops.portal import portal
from scripts.ops.replay import parse_moment, replay
from scripts.ops.signing import signing_command
from scripts.ops.stack import DEFAULT_STATE_FILE, REPO_ROOT, TEMPLATE, Stack
from scripts.ops.staff import staff_command


def parser() -> argparse.ArgumentParser:
    where = argparse.ArgumentParser(add_help=False)
    target = where.add_argument_group("which stack")
    target.add_argument("--state-file", type=Path, default=None,
                        help=f"local stack state (default {DEFAULT_STATE_FILE.relative_to(REPO_ROOT)})")
    target.add_argument("--stage", help="a deployed stack, motcua-<STAGE>, with the AWS credentials of the environment")
    target.add_argument("--region", help="region of the deployed stack (default: the environment's)")

    root = argparse.ArgumentParser(prog="python -m scripts.operator", description=scripts.ops.__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = root.add_subparsers(dest="command", required=True)

    dlq = commands.add_parser("dlq", help="dead-letter queues").add_subparsers(dest="action", required=True)
    listing = dlq.add_parser("list", parents=[where], help="messages waiting in the DLQs, left in place")
    listing.add_argument("consumer", nargs="?", help="one consumer (or relay); default every DLQ")
    listing.add_argument("--limit", type=int, default=1000, help="stop listing after this many per DLQ")
    listing.add_argument("--json", action="store_true")
    moving = dlq.add_parser("redrive", parents=[where], help="move a consumer's DLQ back to its queue")
    moving.add_argument("consumer")
    moving.add_argument("--limit", type=int, default=100_000)

    again = commands.add_parser("replay", parents=[where],
                                help="re-deliver stored events to one consumer's queue")
    again.add_argument("consumer")
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("--dossier", help="every event of this dossier (its id)")
    which.add_argument("--since", help="events at or after this ISO 8601 instant (UTC unless a zone is given)")
    again.add_argument("--until", help="events at or before this instant (default now); with --since")
    again.add_argument("--dry-run", action="store_true", help="count what would be re-delivered, send nothing")
    again.add_argument("-v", "--verbose", action="store_true", help="one line per re-delivered event")

    sent = commands.add_parser("emails", parents=[where], help="local stack: emails and SMS moto accepted")
    sent.add_argument("--to", help="only those to this email address or phone number")
    sent.add_argument("--lines", type=int, default=8, help="body lines shown per email")
    sent.add_argument("--json", action="store_true")
    rebuilt = commands.add_parser("metrics-rebuild", parents=[where],
                                  help="recount every service-quality metric from the event log")
    rebuilt.add_argument("--settle-seconds", type=float, default=None,
                         help="wait after pausing the consumer (default 2 locally, 65 deployed)")
    linked = commands.add_parser("portal", help="the national portal link").add_subparsers(dest="action",
                                                                                         required=True)
    for action, text in (("status", "dossiers changed lately that the portal has not acknowledged as they are"),
                         ("reconcile", "ask the portal for the dossiers changed lately, push again what differs"),
                         ("catalogue", "the procedures against the portal's list (LayDanhSachTTHC)")):
        sub = linked.add_parser(action, parents=[where], help=text)
        sub.add_argument("--days", type=float, default=7, help="how far back (default 7 days)")
        sub.add_argument("--json", action="store_true")
    signs = commands.add_parser("signing", help="the agencies' result-signing certificates").add_subparsers(
        dest="action", required=True)
    for action, text in (("status", "which agencies sign results, with which certificate"),
                         ("csr", "a certificate signing request for the stage's KMS key, for one agency"),
                         ("install", "install an agency's certificate chain (PEM) issued for the KMS key"),
                         ("trust", "install the root certificates signatures must chain to")):
        sub = signs.add_parser(action, parents=[where], help=text)
        sub.add_argument("--agency", help="the agency's code")
        sub.add_argument("--chain", "--roots", dest="file", type=Path, help="a PEM file")
        sub.add_argument("--key-id", help="a KMS key other than the stage's RESULT_SIGNING_KEY_ID")
        sub.add_argument("--json", action="store_true")
    people = commands.add_parser("staff", help="the staff directory").add_subparsers(dest="action", required=True)
    for action, text in (("disable", "refuse a staff member at once (tokens they hold within 60 s)"),
                         ("enable", "let a disabled staff member work again"),
                         ("show", "a staff member and every recorded change")):
        sub = people.add_parser(action, parents=[where], help=text)
        sub.add_argument("username")
        sub.add_argument("--json", action="store_true")
    return root


def main(argv: Iterable[str] | None = None) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    args = parser().parse_args(list(argv) if argv is not None else None)
    try:
        from scripts.template import load_template

        if args.stage and args.state_file:
            raise OperatorError("--stage (a deployed stack) and --state-file (a local one) exclude each other")
        template = load_template(TEMPLATE)
        stack = (Stack.deployed(args.stage, template, args.region) if args.stage
                 else Stack.local(args.state_file or DEFAULT_STATE_FILE, template))
        if args.command == "emails":
            return emails(stack, args.to, args.lines, args.json)
        if args.command == "portal":
            return portal(stack, args.action, args.days, args.json)
        if args.command == "staff":
            return staff_command(stack, args.action, args.username, args.json)
        if args.command == "signing":
            return signing_command(stack, args.action, args.agency, args.file, args.key_id, args.json)
        if args.command == "metrics-rebuild":
            settle = args.settle_seconds if args.settle_seconds is not None else (2 if stack.is_local else 65)
            return metrics_rebuild(stack, settle)
        consumers = discover_consumers(template=template)
        if args.command == "dlq" and args.action == "list":
            return dlq_list(stack, consumers, args.consumer, args.limit, args.json)
        if args.command == "dlq":
            return redrive(stack, consumers, args.consumer, args.limit)
        if args.until and not args.since:
            raise OperatorError("--until goes with --since")
        since = parse_moment(args.since) if args.since else None
        until = (parse_moment(args.until) if args.until else datetime.now(UTC)) if since else None
        if since and until < since:
            raise OperatorError("--until is before --since")
        return replay(stack, consumers, args.consumer, args.dossier, since, until, args.dry_run, args.verbose)
    except OperatorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:  # no credentials, stack down, access denied...
        print(f"error: AWS: {error}", file=sys.stderr)
        return 1
