"""Package the app for CloudFormation: Chalice package + infra/resources.yaml merge + fix-ups + cfn-lint.

    python -m scripts.package --stage prod --out build/prod

The merge itself is Chalice's (`chalice package --merge-template`); this module only adds what a
static merge cannot express (see `finalize_template`) and refuses to hand a template that fails
cfn-lint to CloudFormation.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from scripts.template import load_template

REPO_ROOT = Path(__file__).resolve().parents[1]
MERGE_TEMPLATE = Path("infra") / "resources.yaml"
TEMPLATE_NAME = "sam.yaml"
APP_POLICY = "AppPolicy"
DEFAULT_REGION = "ap-southeast-1"

# cfn-lint findings that do not fail the build. Errors always fail; warnings fail too because in
# hand-written infra they are almost always real mistakes. Each entry needs a reason:
IGNORED_LINT_CHECKS: dict[str, str] = {
    # (none yet) Chalice's own output for routes, SQS, DynamoDB stream and schedule handlers lints
    # clean with cfn-lint 1.58; add a rule here only for findings in code Chalice generates.
}


class PackageError(RuntimeError):
    """Packaging or validation failed; the message says what to fix."""


class _NoAliasDumper(yaml.SafeDumper):
    """CloudFormation rejects YAML aliases, which PyYAML emits for shared objects.

    Chalice shares one AssumeRolePolicyDocument dict between all function roles, so its own YAML
    output contains `&id001`/`*id001` as soon as the app has two functions.
    """

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_template(template: dict[str, Any]) -> str:
    return yaml.dump(template, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False)


def _chalice_executable() -> str:
    # The venv's chalice, whichever python runs this module; PATH is the fallback.
    candidate = Path(sys.executable).parent / "chalice"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("chalice")
    if not found:
        raise PackageError("chalice executable not found; install requirements-dev.txt")
    return found


def function_roles(template: dict[str, Any]) -> list[str]:
    """Logical ids of the IAM roles Chalice attached to the template's Lambda functions."""
    resources = template.get("Resources", {})
    roles: set[str] = set()
    for resource in resources.values():
        if resource.get("Type") not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        role = resource.get("Properties", {}).get("Role")
        if isinstance(role, dict) and "Fn::GetAtt" in role:
            target = role["Fn::GetAtt"]
            name = target[0] if isinstance(target, list) else str(target).split(".", 1)[0]
            if resources.get(name, {}).get("Type") == "AWS::IAM::Role":
                roles.add(name)
    return sorted(roles)


def _functions_depend_on_app_policy(resources: dict[str, Any]) -> None:
    # Lambda checks the role's permissions when an SQS or DynamoDB-stream event source mapping is
    # created; nothing else orders the functions after the separately attached policy.
    for resource in resources.values():
        if resource.get("Type") not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        depends_on = resource.get("DependsOn", [])
        depends_on = [depends_on] if isinstance(depends_on, str) else list(depends_on)
        if APP_POLICY not in depends_on:
            resource["DependsOn"] = [*depends_on, APP_POLICY]


def finalize_template(template: dict[str, Any]) -> list[str]:
    """Fix-ups after Chalice's merge, in place. Returns human-readable notes.

    - Resources without `Type` are patches to Chalice resources that this build does not have
      (e.g. the RestAPI authorizer patch while app.py has no routes): dropped, not shipped broken.
    - Every security definition must be complete: a patch whose name matches no authorizer in
      app.py would otherwise produce an API Gateway body that only fails at deploy time.
    - AppPolicy is attached to every function role. With autogen_policy false Chalice creates one
      role per function (<Function>Role); the merge cannot enumerate them, so it is done here.
      Functions then depend on AppPolicy so event source mappings see the permissions.
    - Each consumer's EventBridge rule gets the event types the consumer acts on (`detail-type`), from
      the code's one declaration (chalicelib/consumers/sources.py `rule_event_types`).
    """
    from chalicelib.consumers.sources import route_event_types

    notes: list[str] = []
    resources: dict[str, Any] = template.setdefault("Resources", {})
    try:
        notes += route_event_types(resources)
    except ValueError as error:
        raise PackageError(str(error)) from error

    for name in [n for n, r in resources.items() if isinstance(r, dict) and "Type" not in r]:
        del resources[name]
        notes.append(f"dropped patch for {name}: Chalice generated no such resource for this app")

    rest_api = resources.get("RestAPI")
    if rest_api:
        body = rest_api.get("Properties", {}).get("DefinitionBody", {})
        for auth_name, definition in body.get("securityDefinitions", {}).items():
            if "type" not in definition:
                raise PackageError(
                    f"infra/resources.yaml patches authorizer {auth_name!r} but app.py defines no "
                    f"authorizer with that name (securityDefinitions: {sorted(body['securityDefinitions'])})"
                )

    if APP_POLICY in resources:
        roles = function_roles(template)
        if roles:
            resources[APP_POLICY].setdefault("Properties", {})["Roles"] = [{"Ref": r} for r in roles]
            _functions_depend_on_app_policy(resources)
            notes.append(f"{APP_POLICY} attached to {', '.join(roles)}")
        else:
            del resources[APP_POLICY]
            notes.append(f"dropped {APP_POLICY}: the app has no Lambda functions yet")
    return notes


def lint(template_path: Path, region: str) -> tuple[list[str], list[str]]:
    """Run cfn-lint; returns (failures, ignored) as printable lines."""
    from cfnlint.api import ManualArgs, lint_file

    matches = lint_file(template_path, config=ManualArgs(regions=[region]))
    failures: list[str] = []
    ignored: list[str] = []
    for match in matches:
        rule_id = match.rule.id
        line = f"{rule_id} {match.message}\n{template_path}:{match.linenumber}:{match.columnnumber}"
        if rule_id.startswith("I"):
            continue
        (ignored if rule_id in IGNORED_LINT_CHECKS else failures).append(line)
    return failures, ignored


def package(
    stage: str,
    out_dir: str | Path,
    project_dir: str | Path = REPO_ROOT,
    region: str | None = None,
) -> Path:
    """Build `<out_dir>/sam.yaml` (+ deployment.zip when the app has functions); returns the template path.

    Raises PackageError with the Chalice or cfn-lint output when anything is wrong.
    """
    project = Path(project_dir).resolve()
    out = Path(out_dir).resolve()
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    # Chalice only adds what the app has: a stale zip from a previous build must not be deployed.
    for stale in (TEMPLATE_NAME, "deployment.zip", "layer-deployment.zip"):
        (out / stale).unlink(missing_ok=True)

    env = dict(os.environ)
    # chalice package refuses to run without a region even though it calls no AWS API.
    env.setdefault("AWS_DEFAULT_REGION", region)
    cmd = [
        _chalice_executable(), "package",
        "--stage", stage,
        "--merge-template", str(MERGE_TEMPLATE),
        "--template-format", "yaml",
        str(out),
    ]
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise PackageError(f"chalice package failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")

    template_path = out / TEMPLATE_NAME
    template = load_template(template_path)
    notes = finalize_template(template)
    template_path.write_text(dump_template(template), encoding="utf-8")
    for note in notes:
        print(f"package: {note}", file=sys.stderr)

    failures, ignored = lint(template_path, region)
    for line in ignored:
        print(f"package: ignored lint finding: {line}", file=sys.stderr)
    if failures:
        raise PackageError("cfn-lint found problems:\n" + "\n\n".join(failures))
    return template_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--out", default=None, help="output directory (default build/<stage>)")
    parser.add_argument("--region", default=None)
    args = parser.parse_args(argv)
    try:
        path = package(args.stage, args.out or REPO_ROOT / "build" / args.stage, region=args.region)
    except PackageError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
