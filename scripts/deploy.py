"""One-command deploy to a real AWS account with boto3 only (no AWS CLI, no SAM CLI).

    python -m scripts.deploy --stage prod [--artifacts-bucket NAME] [--region ap-southeast-1]

Steps: package + lint (scripts.package) -> upload deployment.zip and the template to the artifacts
bucket (created, private and encrypted, if missing) -> point CodeUri at the upload -> CloudFormation
change set on stack `motcua-<stage>` -> execute -> wait -> publish the web client (web/ to the stack's
web bucket, config.js written from the stack's outputs, the distribution invalidated) -> print outputs.

Never run from tests (there is no account here); the pure parts below are what the tests cover.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError, WaiterError

from scripts.package import DEFAULT_REGION, REPO_ROOT, dump_template, package
from scripts.template import load_template
from scripts.web_server import CONFIG_NAME, CONTENT_TYPES, WEB_ROOT, client_config, config_script, content_type

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]

# Which property of which SAM resource points at a local artifact.
_ARTIFACT_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}

# A failed first creation leaves a stack that can only be deleted; REVIEW_IN_PROGRESS is a stack
# that only ever had a CREATE change set and takes another CREATE.
_DEAD_STATUSES = {"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED"}


class DeployError(RuntimeError):
    pass


def stack_name(stage: str) -> str:
    return f"motcua-{stage}"


def artifact_key(stage: str, path: Path) -> str:
    """Content-addressed: an unchanged zip keeps its key, so CloudFormation sees no code change."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return f"motcua/{stage}/{digest}-{path.name}"


def local_artifacts(template: dict[str, Any]) -> set[str]:
    """Local file names (./deployment.zip ...) the template's functions and layers point at."""
    found = set()
    for resource in template.get("Resources", {}).values():
        prop = _ARTIFACT_PROPERTIES.get(resource.get("Type", ""))
        value = resource.get("Properties", {}).get(prop) if prop else None
        if isinstance(value, str) and not value.startswith("s3://"):
            found.add(value)
    return found


def rewrite_code_uris(template: dict[str, Any], uploaded: dict[str, str]) -> dict[str, Any]:
    """Return a copy of the template whose local CodeUri/ContentUri values point at S3 URIs.

    `uploaded` maps the local value as Chalice wrote it ("./deployment.zip") to "s3://bucket/key".
    Raises DeployError for a local path without an upload: CloudFormation would reject it anyway,
    but only after the change set has been created.
    """
    result = copy.deepcopy(template)
    for logical_id, resource in result.get("Resources", {}).items():
        prop = _ARTIFACT_PROPERTIES.get(resource.get("Type", ""))
        props = resource.get("Properties", {})
        value = props.get(prop) if prop else None
        if not isinstance(value, str) or value.startswith("s3://"):
            continue
        if value not in uploaded:
            raise DeployError(f"{logical_id}.{prop} points at {value!r}, which was not uploaded")
        props[prop] = uploaded[value]
    return result


def change_set_type(stack_status: str | None) -> str:
    """CREATE or UPDATE for a stack in the given status (None: no such stack)."""
    if stack_status is None or stack_status == "REVIEW_IN_PROGRESS":
        return "CREATE"
    if stack_status in _DEAD_STATUSES:
        raise DeployError(f"stack is {stack_status}: delete it before deploying again")
    if stack_status.endswith("_IN_PROGRESS"):
        raise DeployError(f"stack is busy ({stack_status}); wait for it to finish")
    return "UPDATE"


def stack_parameters(declared: Iterable[str], given: dict[str, str], kind: str) -> list[dict[str, Any]]:
    """The change set's parameters: those given on the command line; on an update every other one keeps the
    value the stack has (a deploy must not reset the national portal's address to its empty default)."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise DeployError(f"the template has no parameter {', '.join(unknown)}")
    found = []
    for name in declared:
        if name in given:
            found.append({"ParameterKey": name, "ParameterValue": given[name]})
        elif kind == "UPDATE":
            found.append({"ParameterKey": name, "UsePreviousValue": True})
    return found


def parse_parameters(pairs: Iterable[str]) -> dict[str, str]:
    """`Key=Value` pairs (the value may contain `=`)."""
    found = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise DeployError(f"a parameter is Key=Value, not {pair!r}")
        found[key] = value
    return found


def is_empty_change_set(status_reason: str) -> bool:
    return "didn't contain changes" in status_reason or "No updates are to be performed" in status_reason


def ensure_bucket(s3: Any, bucket: str, region: str) -> None:
    """Create the artifacts bucket if missing: private, encrypted, versioned."""
    try:
        s3.head_bucket(Bucket=bucket)
        return
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code not in ("404", "NoSuchBucket", "NotFound"):
            raise DeployError(f"artifacts bucket {bucket} is not usable ({code}); pick another name") from exc
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**kwargs)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


def upload_artifacts(
    s3: Any, bucket: str, stage: str, out_dir: Path, template: dict[str, Any]
) -> dict[str, str]:
    """Upload every local artifact the template names; returns local value -> s3:// URI."""
    uploaded: dict[str, str] = {}
    for local in sorted(local_artifacts(template)):
        path = (out_dir / local).resolve()
        if not path.is_file():
            raise DeployError(f"the template points at {local}, but {path} does not exist")
        key = artifact_key(stage, path)
        s3.upload_file(str(path), bucket, key)
        uploaded[local] = f"s3://{bucket}/{key}"
    return uploaded


def _stack_status(cfn: Any, name: str) -> str | None:
    try:
        return cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise


def deploy(stage: str, artifacts_bucket: str | None = None, region: str | None = None,
           out_dir: str | Path | None = None, parameters: dict[str, str] | None = None) -> dict[str, str]:
    """Package, upload, create and execute a change set; returns the stack outputs."""
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    session = boto3.session.Session(region_name=region)
    if artifacts_bucket is None:
        account = session.client("sts").get_caller_identity()["Account"]
        artifacts_bucket = f"motcua-artifacts-{account}-{region}"
    out = Path(out_dir) if out_dir else REPO_ROOT / "build" / stage
    web_files(WEB_ROOT)  # a client that cannot be published stops the deploy before the stack changes
    template_path = package(stage, out, region=region)

    s3 = session.client("s3")
    ensure_bucket(s3, artifacts_bucket, region)
    template = load_template(template_path)
    final = rewrite_code_uris(template, upload_artifacts(s3, artifacts_bucket, stage, out, template))
    deployed_path = out / "deployed.yaml"
    deployed_path.write_text(dump_template(final), encoding="utf-8")
    # Uploaded rather than inlined: TemplateBody is capped at 51,200 bytes and the API definition
    # alone grows past that.
    template_key = artifact_key(stage, deployed_path)
    s3.upload_file(str(deployed_path), artifacts_bucket, template_key)
    template_url = f"https://{artifacts_bucket}.s3.{region}.amazonaws.com/{template_key}"

    cfn = session.client("cloudformation")
    name = stack_name(stage)
    kind = change_set_type(_stack_status(cfn, name))
    change_set = f"{name}-{time.strftime('%Y%m%d%H%M%S')}"
    print(f"deploy: {kind} change set {change_set} for stack {name} in {region}", file=sys.stderr)
    cfn.create_change_set(StackName=name, ChangeSetName=change_set, ChangeSetType=kind,
                          TemplateURL=template_url, Capabilities=CAPABILITIES,
                          Parameters=stack_parameters(final.get("Parameters", {}), parameters or {}, kind),
                          Tags=[{"Key": "app", "Value": "motcua"}, {"Key": "stage", "Value": stage}])
    try:
        cfn.get_waiter("change_set_create_complete").wait(
            StackName=name, ChangeSetName=change_set, WaiterConfig={"Delay": 5, "MaxAttempts": 120})
    except WaiterError as exc:  # the reason is on the change set, not in the waiter error
        described = cfn.describe_change_set(StackName=name, ChangeSetName=change_set)
        reason = described.get("StatusReason", "")
        if is_empty_change_set(reason):
            cfn.delete_change_set(StackName=name, ChangeSetName=change_set)
            print("deploy: no changes", file=sys.stderr)
            outputs = _outputs(cfn, name)
            publish_web(session, outputs, region)  # the client may have changed all the same
            return outputs
        raise DeployError(f"change set failed: {reason}") from exc

    for change in cfn.describe_change_set(StackName=name, ChangeSetName=change_set)["Changes"]:
        rc = change["ResourceChange"]
        print(f"deploy:   {rc['Action']:<7} {rc['LogicalResourceId']} ({rc['ResourceType']})"
              f"{'  REPLACEMENT' if rc.get('Replacement') == 'True' else ''}", file=sys.stderr)
    cfn.execute_change_set(StackName=name, ChangeSetName=change_set)
    waiter = "stack_create_complete" if kind == "CREATE" else "stack_update_complete"
    try:
        cfn.get_waiter(waiter).wait(StackName=name, WaiterConfig={"Delay": 10, "MaxAttempts": 360})
    except WaiterError as exc:
        events = cfn.describe_stack_events(StackName=name)["StackEvents"]
        failed = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}" for e in events
                  if e["ResourceStatus"].endswith("_FAILED")][:10]
        raise DeployError("stack deployment failed:\n" + "\n".join(failed)) from exc
    outputs = _outputs(cfn, name)
    publish_web(session, outputs, region)
    return outputs


# ---------------------------------------------------------------- the web client

# No build step, so no content-hashed file names a browser could keep for ever: browsers revalidate every file
# (a 304 when unchanged), CloudFront keeps them for a day and each publish invalidates them.
WEB_CACHE_CONTROL = "public, max-age=0, must-revalidate, s-maxage=86400"
_WEB_OUTPUTS = ("EndpointURL", "UserPoolClientId", "StaffUserPoolClientId", "WebBucketName", "WebDistributionId")


@dataclass(frozen=True)
class WebObject:
    """One object of the web bucket: a file of web/ (`path`), or one the deploy writes (`body`)."""

    key: str
    content_type: str
    cache_control: str = WEB_CACHE_CONTROL
    path: Path | None = None
    body: bytes | None = None

    def content(self) -> bytes:
        return self.body if self.body is not None else Path(self.path or "").read_bytes()


def web_config(outputs: dict[str, str], region: str) -> dict[str, str]:
    """window.MOTCUA_CONFIG for the deployed client: the stack's API and pool client, the region's user pool API."""
    missing = [key for key in _WEB_OUTPUTS if not outputs.get(key)]
    if missing:
        raise DeployError(f"the stack has no output {', '.join(missing)}: is infra/resources.yaml's web client in it?")
    return client_config(outputs["EndpointURL"], f"https://cognito-idp.{region}.amazonaws.com",
                         outputs["UserPoolClientId"], region,
                         citizen_idp_url=outputs.get("CitizenIdentityProviderUrl") or None,
                         citizen_idp_client_id=outputs.get("CitizenIdentityProviderClientId") or None,
                         staff_pool_client_id=outputs["StaffUserPoolClientId"])


def web_files(root: Path) -> list[WebObject]:
    """The client's files under `root` with their content types: a local config.js and dotfiles left out, a file of
    a type the client does not ship refused."""
    if not (root / "index.html").is_file():
        raise DeployError(f"{root}/index.html is missing: nothing to publish")
    objects: list[WebObject] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in key.split("/")) or key == CONFIG_NAME:
            continue
        kind = content_type(key)
        if kind is None:
            raise DeployError(f"web/{key}: no content type for {path.suffix or 'a file without suffix'} "
                              "(scripts/web_server.py CONTENT_TYPES lists what the client may ship)")
        objects.append(WebObject(key, kind, path=path))
    return objects


def web_upload_plan(root: Path, outputs: dict[str, str], region: str) -> list[WebObject]:
    """What goes into the web bucket: the client's files, then config.js written for this stack."""
    config = config_script(web_config(outputs, region)).encode()
    return [*web_files(root), WebObject(CONFIG_NAME, CONTENT_TYPES[".js"], body=config)]


def stale_web_keys(existing: Iterable[str], plan: Iterable[WebObject]) -> list[str]:
    """Keys of the bucket the plan no longer has (files removed from web/): deleted, the bucket keeps versions."""
    wanted = {o.key for o in plan}
    return sorted(k for k in set(existing) if k not in wanted)


def invalidation_batch(reference: str) -> dict[str, Any]:
    # One wildcard path: a single invalidation path in CloudFront's count, however many files changed.
    return {"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": reference}


def publish_web(session: Any, outputs: dict[str, str], region: str, root: Path = WEB_ROOT) -> list[WebObject]:
    """Upload the client to the stack's web bucket, remove what web/ no longer has, invalidate the distribution."""
    plan = web_upload_plan(root, outputs, region)
    s3, bucket = session.client("s3"), outputs["WebBucketName"]
    for item in plan:
        s3.put_object(Bucket=bucket, Key=item.key, Body=item.content(), ContentType=item.content_type,
                      CacheControl=item.cache_control)
    existing = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
                for o in page.get("Contents", [])]
    stale = stale_web_keys(existing, plan)
    for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1000 keys
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[start:start + 1000]],
                                                 "Quiet": True})
    session.client("cloudfront").create_invalidation(
        DistributionId=outputs["WebDistributionId"], InvalidationBatch=invalidation_batch(f"motcua-{time.time_ns()}"))
    print(f"deploy: web client: {len(plan)} files to {bucket} ({len(stale)} removed), "
          f"distribution {outputs['WebDistributionId']} invalidated: {outputs.get('WebUrl', '')}", file=sys.stderr)
    return plan


def _outputs(cfn: Any, name: str) -> dict[str, str]:
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--artifacts-bucket", default=os.environ.get("MOTCUA_ARTIFACTS_BUCKET"),
                        help="S3 bucket for code and templates (default: env MOTCUA_ARTIFACTS_BUCKET, "
                             "else motcua-artifacts-<account>-<region>)")
    parser.add_argument("--region", default=None)
    parser.add_argument("--out", default=None, help="build directory (default build/<stage>)")
    parser.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE",
                        help="a stack parameter (e.g. NationalPortalUrl=https://...); on an update the others keep "
                             "their current values")
    args = parser.parse_args(argv)
    try:
        outputs = deploy(args.stage, args.artifacts_bucket, args.region, args.out,
                         parse_parameters(args.parameter))
    except Exception as exc:  # the CLI reports any failure as one message and a non-zero status
        print(f"deploy failed: {exc}", file=sys.stderr)
        return 1
    for key, value in sorted(outputs.items()):
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
