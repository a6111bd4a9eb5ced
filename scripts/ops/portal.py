"""`portal`: the national portal link seen from the operator's desk (docs/national-portal.md, docs/operations.md).

- `portal status`: the dossiers changed in the last days that the portal has not acknowledged as they are now;
- `portal reconcile`: what the hourly reconciliation does, now (ask the portal, push again what it lacks);
- `portal catalogue`: the platform's procedures against the portal's list (LayDanhSachTTHC).

They run the platform's own code with the settings of the stack's functions: the local state file, or the
deployed sync function's environment (its credentials stay in Secrets Manager and are read from there).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from datetime import UTC, datetime, timedelta

from scripts.ops.errors import OperatorError
from scripts.ops.stack import Stack

_SETTINGS_PREFIXES = ("NATIONAL_PORTAL_", "AWS_", "PUBLIC_BASE_URL")
_TABLES = ("PROCEDURES_TABLE", "DOSSIERS_TABLE", "EVENTS_TABLE", "CONTROL_TABLE", "METRICS_TABLE", "MOTCUA_STAGE")


def _environment(stack: Stack) -> dict[str, str]:
    if stack.is_local:
        return {k: v for k, v in stack.state.items() if k.startswith(_SETTINGS_PREFIXES) or k in _TABLES}
    function = stack.physical_id("PortalSync")
    config = stack.client("lambda").get_function_configuration(FunctionName=function)
    env = dict(config.get("Environment", {}).get("Variables", {}))
    env.update({"AWS_DEFAULT_REGION": stack.region, "AWS_REGION": stack.region})
    return env


def portal(stack: Stack, action: str, days: float, as_json: bool) -> int:
    os.environ.update(_environment(stack))
    if not os.environ.get("NATIONAL_PORTAL_URL"):
        raise OperatorError("this stack has no national portal address (parameter NationalPortalUrl)")
    if action == "status":
        return _status(days, as_json)
    if action == "reconcile":
        from chalicelib.services.portal_sync import reconcile

        with contextlib.redirect_stdout(sys.stderr):  # the platform's metric lines (EMF) are not the answer
            result = reconcile(hours=int(days * 24), settle_minutes=0)
        print(json.dumps(result) if as_json else
              f"Checked {result['checked']} dossiers against the portal: {result['repaired']} pushed again, "
              f"{result['failed']} failed (see `portal status`).")
        return 1 if result["failed"] else 0
    if action == "catalogue":
        from chalicelib.domain.calendar import LOCAL_TZ
        from chalicelib.services.portal_sync import catalogue_report

        report = catalogue_report(datetime.now(UTC).astimezone(LOCAL_TZ).date())
        if as_json:
            print(json.dumps(report, ensure_ascii=False))
        else:
            print(f"{report['mapped']} of {report['procedures']} procedures are known to the portal.")
            for code in report["unknown_to_portal"]:
                print(f"  not on the portal's list: {code} (set national_code if the portal knows it otherwise)")
            for item in report["field_code_differs"]:
                print(f"  field code differs: {item['code']} ours {item['ours']}, portal {', '.join(item['portal'])}")
            for code in report["portal_procedures_not_offered"]:
                print(f"  on the portal for our agencies, not offered here: {code}")
        return 0 if not report["unknown_to_portal"] and not report["field_code_differs"] else 1
    raise OperatorError(f"unknown portal action {action!r}")


def _status(days: float, as_json: bool) -> int:
    from chalicelib.store import portal as portal_store
    from chalicelib.store.dossiers import DossierStore

    now = datetime.now(UTC)
    ids = sorted(portal_store.changed_dossiers(now - timedelta(days=days), now))
    dossiers = DossierStore().get_many(ids)
    states = portal_store.get_states(ids)
    behind = []
    for dossier_id in ids:
        dossier, state = dossiers.get(dossier_id), states.get(dossier_id)
        if dossier is None:
            continue
        acknowledged = min(state.record_version, state.progress_version) if state else 0
        if acknowledged < dossier.version or (state and state.last_error):
            behind.append({"dossier_id": dossier_id, "code": dossier.code, "version": dossier.version,
                           "acknowledged": acknowledged, "attempts": state.attempts if state else 0,
                           "last_error": state.last_error if state else None,
                           "last_attempt_at": state.last_attempt_at if state else None})
    if as_json:
        print(json.dumps({"checked": len(dossiers), "not_in_sync": behind}))
    else:
        print(f"{len(dossiers)} dossiers changed in the last {days:g} days; {len(behind)} not in sync with the portal.")
        for row in behind:
            print(f"  {row['code']}  version {row['version']}, acknowledged {row['acknowledged']}, "
                  f"{row['attempts']} failed attempts  {row['last_error'] or ''}")
    return 1 if behind else 0
