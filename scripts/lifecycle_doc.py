"""Write docs/lifecycle.md from the state machine table (chalicelib/domain/states.py) and the registry of
actions (chalicelib/domain/actions.py).

    python -m scripts.lifecycle_doc          # rewrite the file
    python -m scripts.lifecycle_doc --check  # exit 1 if the file is out of date (the tests do this)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chalicelib.domain.actions import ACTIONS
from chalicelib.domain.states import NOT_SATISFIED_EVENT, STATUSES, TRANSITIONS, Action, Status, find_transition

DOC = Path(__file__).resolve().parents[1] / "docs" / "lifecycle.md"


def render() -> str:
    lines = [
        "# Dossier lifecycle",
        "",
        "Generated from `chalicelib/domain/states.py` and `chalicelib/domain/actions.py` by",
        "`python -m scripts.lifecycle_doc`; do not edit by hand (a test fails when this file and the tables disagree).",
        "",
        "```mermaid",
        "stateDiagram-v2",
        "    [*] --> submitted: submit (citizen)",
    ]
    for t in TRANSITIONS:
        if t.source is None:
            continue
        roles = ", ".join(sorted(r.value for r in t.roles))
        lines.append(f"    {t.source.value} --> {t.target.value}: {t.action.value} ({roles})")
    leaving = {t.source for t in TRANSITIONS}
    for status in STATUSES:
        if status not in leaving:
            lines.append(f"    {status.value} --> [*]")
    lines += ["```", "", "## Statuses", "",
              "| status | national status (`TrangThaiHoSo`) | statutory clock | Vietnamese | English |",
              "|---|---|---|---|---|"]
    for status, info in STATUSES.items():
        lines.append(f"| `{status.value}` | {info.national_status} | {info.clock} | {info.name_vi} | {info.name_en} |")
    lines += ["", "## Transitions", "",
              "| from | action | to | who | event | control slip |", "|---|---|---|---|---|---|"]
    for t in TRANSITIONS:
        source = f"`{t.source.value}`" if t.source else "—"
        roles = ", ".join(sorted(r.value for r in t.roles))
        lines.append(f"| {source} | `{t.action.value}` | `{t.target.value}` | {roles} | `{t.event_type}` | "
                     f"{'hand-over' if t.handover else ''} |")
    lines += ["", "## Actions", "",
              "Each action is one entry of the registry: its route (the request body is the named model in",
              "`/openapi.json`), who may take it, the events it records and who is told of them.", "",
              "| action | route | request model | who | events | tells |", "|---|---|---|---|---|---|"]
    for spec in ACTIONS:
        route = f"`{spec.method} {spec.path}`" if spec.path else "scheduled"
        model = f"`{spec.request.name}`" if spec.request else "—"
        roles = ", ".join(sorted(r.value for r in spec.roles))
        events = ", ".join(f"`{e.value}`" for e in sorted(spec.event_types))
        told = ", ".join(f"{audience.value} of `{kind.value}`" for kind, audience in spec.notifies) or "—"
        lines.append(f"| `{spec.action.value}` | {route} | {model} | {roles} | {events} | {told} |")
    lines += ["", "Any other action from a status answers `409` with the caller's allowed actions; a role that can",
              "never take an action answers `403`. Within an agency, a leader acts on the dossiers of their unit",
              "and a specialist on those assigned to them; staff of another agency act only to return an",
              "inter-agency step sent to their agency.",
              f"An evaluation of \"not satisfied\" is published as `{NOT_SATISFIED_EVENT}` instead of",
              f"`{find_transition(Status.RETURNED, Action.EVALUATE).event_type}`.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC} is out of date: run python -m scripts.lifecycle_doc", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
