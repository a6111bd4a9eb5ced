"""Create the resources of infra/resources.yaml in moto (or any endpoint) for the local stack and tests.

    python -m scripts.provision --endpoint http://127.0.0.1:5000 --stage local

moto's CloudFormation cannot be used: it has no Cognito and gives resources random physical names.
So this module reads the SAME template the deploy uses and makes the API calls itself, with
deterministic names `motcua-<stage>-<logical-id-in-kebab-case>`. Properties are translated
generically where the CloudFormation shape matches the API (botocore then rejects any property
the API does not know, so a new template property cannot be dropped silently); resource types it
cannot create raise, unless they are on the short list of AWS-only types that have no local effect.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib.consumers.sources import route_event_types
from scripts.template import load_template

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TEMPLATE = "infra/resources.yaml"
APP_NAME = "motcua"

# Types that only matter in AWS: permissions (moto does not enforce IAM or key/queue/bucket policies),
# aliases nobody resolves locally, alarms, Lambda plumbing (the local event pump calls the handlers
# itself), and CloudFront: locally scripts/web_server.py serves web/ straight from the work tree with the
# same security headers, so the distribution, its origin access control and headers policy, and the web
# bucket's policy granting that distribution (the only bucket policy) have no local meaning.
SKIPPED_TYPES = frozenset({
    "AWS::IAM::Policy",
    "AWS::KMS::Alias",
    "AWS::CloudWatch::Alarm",
    "AWS::SQS::QueuePolicy",
    "AWS::S3::BucketPolicy",
})
SKIPPED_PREFIXES = ("AWS::Lambda::", "AWS::CloudFront::")

_NO_VALUE = object()  # Ref AWS::NoValue: the key disappears


class ProvisionError(RuntimeError):
    """The template asks for something the local provisioner cannot do faithfully."""


@dataclass
class Created:
    """What the rest of the template can resolve about one created resource."""

    ref: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class ProvisionedStack:
    resources: dict[str, Created]
    outputs: dict[str, str]
    env: dict[str, str]


def kebab(logical_id: str) -> str:
    """ProceduresTable -> procedures-table, NotificationsDLQ -> notifications-dlq."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", logical_id).lower()


def physical_name(stage: str, logical_id: str) -> str:
    return f"{APP_NAME}-{stage}-{kebab(logical_id)}"


def is_skipped(resource_type: str) -> bool:
    return resource_type in SKIPPED_TYPES or resource_type.startswith(SKIPPED_PREFIXES)


# --------------------------------------------------------------------------- intrinsic functions


def _references(value: Any) -> set[str]:
    """Logical ids (and pseudo parameters) a value depends on."""
    found: set[str] = set()
    if isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
                return found
            if key == "Fn::GetAtt":
                found.add(arg[0] if isinstance(arg, list) else str(arg).split(".", 1)[0])
                return found
            if key == "Fn::Sub":
                text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                for name in re.findall(r"\$\{([^!][^}]*)\}", text):
                    if name not in variables:
                        found.add(name.split(".", 1)[0])
                found |= _references(variables)
                return found
        for item in value.values():
            found |= _references(item)
    elif isinstance(value, list):
        for item in value:
            found |= _references(item)
    return found


class Resolver:
    """Evaluates the intrinsic functions the template uses against created resources."""

    def __init__(self, pseudo: dict[str, str], parameters: dict[str, Any]) -> None:
        self.pseudo = pseudo
        self.parameters = parameters
        self.created: dict[str, Created] = {}

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self.created:
            return self.created[name].ref
        raise ProvisionError(f"Ref to {name!r}, which is not created locally (skipped or unknown)")

    def get_att(self, name: str, attribute: str) -> str:
        if name not in self.created:
            raise ProvisionError(f"GetAtt {name}.{attribute}: {name!r} is not created locally")
        attributes = self.created[name].attributes
        if attribute not in attributes:
            raise ProvisionError(
                f"GetAtt {name}.{attribute} is not supported locally (known: {sorted(attributes)})"
            )
        return attributes[attribute]

    def _sub(self, text: str, variables: dict[str, Any]) -> str:
        def replace(match: re.Match[str]) -> str:
            expr = match.group(1)
            if expr.startswith("!"):  # ${!Literal} escapes a dollar-brace
                return "${" + expr[1:] + "}"
            if expr in variables:
                return str(variables[expr])
            if "." in expr and not expr.startswith("AWS::"):
                resource, attribute = expr.split(".", 1)
                return self.get_att(resource, attribute)
            return str(self.ref(expr))

        return re.sub(r"\$\{([^}]*)\}", replace, text)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in (self.resolve(item) for item in value) if v is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                name, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
                return self.get_att(name, self.resolve(attribute))
            if key == "Fn::Sub":
                if isinstance(arg, str):
                    return self._sub(arg, {})
                return self._sub(arg[0], self.resolve(arg[1]))
            if key == "Fn::Join":
                return str(arg[0]).join(str(v) for v in self.resolve(arg[1]))
            if key == "Fn::Select":
                return self.resolve(arg[1])[int(self.resolve(arg[0]))]
            if key == "Fn::Split":
                return str(self.resolve(arg[1])).split(arg[0])
            if key == "Fn::ToJsonString":
                return json.dumps(self.resolve(arg))
            if key.startswith("Fn::"):
                raise ProvisionError(f"{key} is not supported by the local provisioner")
        return {k: r for k, r in ((k, self.resolve(v)) for k, v in value.items()) if r is not _NO_VALUE}


# --------------------------------------------------------------------------- resource handlers


@dataclass
class Context:
    session: boto3.session.Session
    endpoint_url: str | None
    region: str
    account_id: str
    stage: str

    def client(self, service: str) -> Any:
        # Account-id based DynamoDB endpoints bypass moto's interception (see DESIGN "Local and test").
        config = Config(account_id_endpoint_mode="disabled") if service == "dynamodb" else None
        return self.session.client(service, endpoint_url=self.endpoint_url, region_name=self.region,
                                   config=config)

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return (f"arn:aws:{service}:{self.region if region else ''}:"
                f"{self.account_id if account else ''}:{resource}")


Handler = Callable[[Context, str, dict[str, Any]], Created]


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _take(props: dict[str, Any], *names: str) -> dict[str, Any]:
    """Remove and return the CloudFormation-only properties a handler applies separately."""
    return {n: props.pop(n) for n in names if n in props}


def _tags_list(tags: Iterable[dict[str, str]] | None) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in tags or []]


def _dynamodb_table(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    ddb = ctx.client("dynamodb")
    name = props.pop("TableName", None) or physical_name(ctx.stage, logical_id)
    extra = _take(props, "PointInTimeRecoverySpecification", "TimeToLiveSpecification",
                  "ContributorInsightsSpecification", "KinesisStreamSpecification")
    if "SSESpecification" in props:
        sse = props.pop("SSESpecification")
        props["SSESpecification"] = {
            k: v for k, v in {"Enabled": sse.get("SSEEnabled"), "SSEType": sse.get("SSEType"),
                              "KMSMasterKeyId": sse.get("KMSMasterKeyId")}.items() if v is not None}
    if "StreamSpecification" in props:
        props["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    if "Tags" in props:
        props["Tags"] = _tags_list(props["Tags"])
    try:
        table = ddb.describe_table(TableName=name)["Table"]
    except ClientError as exc:
        if _error_code(exc) != "ResourceNotFoundException":
            raise
        table = ddb.create_table(TableName=name, **props)["TableDescription"]

    ttl = extra.get("TimeToLiveSpecification")
    if ttl:
        current = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        wanted = "ENABLED" if ttl.get("Enabled") else "DISABLED"
        if current.get("TimeToLiveStatus") != wanted:
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={
                "AttributeName": ttl["AttributeName"], "Enabled": bool(ttl.get("Enabled"))})
    pitr = extra.get("PointInTimeRecoverySpecification")
    if pitr:
        ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": bool(pitr.get("PointInTimeRecoveryEnabled"))})

    attributes = {"Arn": table["TableArn"]}
    if table.get("LatestStreamArn"):
        attributes["StreamArn"] = table["LatestStreamArn"]
    return Created(ref=name, attributes=attributes)


def _s3_bucket(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    s3 = ctx.client("s3")
    name = props.pop("BucketName", None) or physical_name(ctx.stage, logical_id)
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as exc:
        if _error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
            raise
        kwargs: dict[str, Any] = {"Bucket": name}
        if ctx.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
        s3.create_bucket(**kwargs)

    # Every put below replaces the whole sub-configuration, so re-running converges.
    for prop, value in props.items():
        if prop == "BucketEncryption":
            rules = [{"ApplyServerSideEncryptionByDefault" if k == "ServerSideEncryptionByDefault" else k: v
                      for k, v in rule.items()} for rule in value["ServerSideEncryptionConfiguration"]]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        elif prop == "VersioningConfiguration":
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": value["Status"]})
        elif prop == "PublicAccessBlockConfiguration":
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=value)
        elif prop == "OwnershipControls":
            s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=value)
        elif prop == "CorsConfiguration":
            renames = {"ExposedHeaders": "ExposeHeaders", "MaxAge": "MaxAgeSeconds", "Id": "ID"}
            rules = [{renames.get(k, k): v for k, v in rule.items()} for rule in value["CorsRules"]]
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
        elif prop == "Tags":
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tags_list(value)})
        elif prop == "NotificationConfiguration":
            s3.put_bucket_notification_configuration(
                Bucket=name, NotificationConfiguration=_s3_notifications(value))
        elif prop == "LifecycleConfiguration":
            pass  # moto never expires objects; nothing local depends on lifecycle rules
        else:
            raise ProvisionError(f"{logical_id}: AWS::S3::Bucket property {prop} is not supported locally")
    return Created(ref=name, attributes={
        "Arn": f"arn:aws:s3:::{name}",
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
    })


def _s3_notifications(value: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if value.get("EventBridgeConfiguration", {}).get("EventBridgeEnabled"):
        result["EventBridgeConfiguration"] = {}
    for cfn_key, target_key, api_key in (("QueueConfigurations", "Queue", "QueueArn"),
                                         ("TopicConfigurations", "Topic", "TopicArn"),
                                         ("LambdaConfigurations", "Function", "LambdaFunctionArn")):
        configs = []
        for item in value.get(cfn_key, []):
            config: dict[str, Any] = {api_key: item[target_key], "Events": [item["Event"]]}
            rules = item.get("Filter", {}).get("S3Key", {}).get("Rules")
            if rules:
                config["Filter"] = {"Key": {"FilterRules": rules}}
            configs.append(config)
        if configs:
            result[cfn_key] = configs
    return result


def _kms_key(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    kms = ctx.client("kms")
    name = physical_name(ctx.stage, logical_id)
    # The tag is how a second run finds the key again: KMS key ids are random.
    key_id = None
    for page in kms.get_paginator("list_keys").paginate():
        for key in page["Keys"]:
            tags = kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])
            if {"TagKey": "motcua:physical-name", "TagValue": name} in tags:
                key_id = key["KeyId"]
                break
    extra = _take(props, "EnableKeyRotation", "PendingWindowInDays", "Enabled", "RotationPeriodInDays")
    if key_id is None:
        kwargs: dict[str, Any] = {k: v for k, v in props.items() if k not in ("KeyPolicy", "Tags")}
        if "KeyPolicy" in props:
            policy = props["KeyPolicy"]
            kwargs["Policy"] = policy if isinstance(policy, str) else json.dumps(policy)
        tags = [{"TagKey": t["Key"], "TagValue": str(t["Value"])} for t in props.get("Tags", [])]
        tags.append({"TagKey": "motcua:physical-name", "TagValue": name})
        key_id = kms.create_key(Tags=tags, **kwargs)["KeyMetadata"]["KeyId"]
    if extra.get("EnableKeyRotation"):
        kms.enable_key_rotation(KeyId=key_id)
    if extra.get("Enabled") is False:
        kms.disable_key(KeyId=key_id)
    arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
    return Created(ref=key_id, attributes={"Arn": arn, "KeyId": key_id})


def _user_pool(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    idp = ctx.client("cognito-idp")
    name = props.pop("UserPoolName", None) or physical_name(ctx.stage, logical_id)
    # EnabledMfas is CloudFormation's: the API sets it with SetUserPoolMfaConfig once the pool exists.
    mfas = props.pop("EnabledMfas", [])
    if set(mfas) - {"SOFTWARE_TOKEN_MFA"}:
        raise ProvisionError(f"{logical_id}: only SOFTWARE_TOKEN_MFA is supported locally")
    pool_id = None
    for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == name:
                pool_id = pool["Id"]
    if pool_id is None:
        pool_id = idp.create_user_pool(PoolName=name, **props)["UserPool"]["Id"]
        if mfas:
            idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration=props.get("MfaConfiguration", "OFF"),
                                         SoftwareTokenMfaConfiguration={"Enabled": True})
    arn = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    provider = f"cognito-idp.{ctx.region}.amazonaws.com/{pool_id}"
    return Created(ref=pool_id, attributes={
        "Arn": arn, "UserPoolId": pool_id, "ProviderName": provider, "ProviderURL": f"https://{provider}"})


def _user_pool_client(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    idp = ctx.client("cognito-idp")
    pool_id = props.pop("UserPoolId")
    name = props.pop("ClientName", None) or physical_name(ctx.stage, logical_id)
    for page in idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=60):
        for client in page["UserPoolClients"]:
            if client["ClientName"] == name:
                return Created(ref=client["ClientId"], attributes={"Name": name})
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName=name, **props)[
        "UserPoolClient"]["ClientId"]
    return Created(ref=client_id, attributes={"Name": name})


def _user_pool_group(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    idp = ctx.client("cognito-idp")
    name = props.pop("GroupName", None) or physical_name(ctx.stage, logical_id)
    try:
        idp.get_group(GroupName=name, UserPoolId=props["UserPoolId"])
    except ClientError as exc:
        if _error_code(exc) != "ResourceNotFoundException":
            raise
        idp.create_group(GroupName=name, **props)
    return Created(ref=name)


# CloudFormation's AWS::SQS::Queue properties are the queue attributes, typed; the API wants strings.
_SQS_ATTRIBUTES = {
    "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout", "RedrivePolicy", "RedriveAllowPolicy", "FifoQueue", "ContentBasedDeduplication",
    "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "DeduplicationScope",
    "FifoThroughputLimit",
}


def _attribute_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _sqs_queue(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    sqs = ctx.client("sqs")
    name = props.pop("QueueName", None) or physical_name(ctx.stage, logical_id)
    if props.get("FifoQueue") and not name.endswith(".fifo"):
        name += ".fifo"
    tags = {t["Key"]: str(t["Value"]) for t in props.pop("Tags", [])}
    unknown = set(props) - _SQS_ATTRIBUTES
    if unknown:
        raise ProvisionError(f"{logical_id}: AWS::SQS::Queue properties {sorted(unknown)} not supported")
    attributes = {k: _attribute_string(v) for k, v in props.items()}
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        if attributes:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    except ClientError as exc:
        if not any(c in _error_code(exc) for c in ("NonExistentQueue", "QueueDoesNotExist")):
            raise
        url = sqs.create_queue(QueueName=name, Attributes=attributes, **({"tags": tags} if tags else {}))[
            "QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return Created(ref=url, attributes={"Arn": arn, "QueueName": name, "QueueUrl": url})


def _ses_identity(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    """moto verifies an identity at once; in AWS the owner of the address or domain confirms it."""
    identity = props.pop("EmailIdentity")
    if props:
        raise ProvisionError(f"{logical_id}: AWS::SES::EmailIdentity properties {sorted(props)} not supported")
    ses = ctx.client("ses")
    if "@" in identity:
        ses.verify_email_identity(EmailAddress=identity)
    else:
        ses.verify_domain_identity(Domain=identity)
    return Created(ref=identity, attributes={})


def _secret(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    """A JSON secret: the template's string, or its template with the generated key filled in (as
    CloudFormation's GenerateSecretString does); an existing secret keeps its value. Ref is the ARN."""
    import secrets as random

    sm = ctx.client("secretsmanager")
    name = props.pop("Name", None) or physical_name(ctx.stage, logical_id)
    generate = props.pop("GenerateSecretString", None)
    value = props.pop("SecretString", None)
    description = props.pop("Description", "")
    if props:
        raise ProvisionError(f"{logical_id}: AWS::SecretsManager::Secret properties {sorted(props)} not supported")
    if generate is not None:
        data = json.loads(generate.get("SecretStringTemplate") or "{}")
        data[generate["GenerateStringKey"]] = random.token_hex(int(generate.get("PasswordLength", 32)) // 2)
        value = json.dumps(data)
    try:
        arn = sm.describe_secret(SecretId=name)["ARN"]
    except ClientError as exc:
        if _error_code(exc) != "ResourceNotFoundException":
            raise
        arn = sm.create_secret(Name=name, SecretString=value or "{}", Description=description)["ARN"]
    return Created(ref=arn, attributes={"Id": arn})


def _event_bus(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    events = ctx.client("events")
    name = props.pop("Name", None) or physical_name(ctx.stage, logical_id)
    try:
        arn = events.describe_event_bus(Name=name)["Arn"]
    except ClientError as exc:
        if _error_code(exc) != "ResourceNotFoundException":
            raise
        if "Tags" in props:
            props["Tags"] = _tags_list(props["Tags"])
        arn = events.create_event_bus(Name=name, **props)["EventBusArn"]
    return Created(ref=name, attributes={"Arn": arn, "Name": name})


def _event_rule(ctx: Context, logical_id: str, props: dict[str, Any]) -> Created:
    events = ctx.client("events")
    name = props.pop("Name", None) or physical_name(ctx.stage, logical_id)
    targets = props.pop("Targets", [])
    if isinstance(props.get("EventPattern"), dict):
        props["EventPattern"] = json.dumps(props["EventPattern"])
    bus = props.get("EventBusName", "default")
    # put_rule and put_targets are upserts: nothing to look up first.
    arn = events.put_rule(Name=name, **props)["RuleArn"]
    if targets:
        events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
    return Created(ref=name, attributes={"Arn": arn})


HANDLERS: dict[str, Handler] = {
    "AWS::DynamoDB::Table": _dynamodb_table,
    "AWS::S3::Bucket": _s3_bucket,
    "AWS::KMS::Key": _kms_key,
    "AWS::Cognito::UserPool": _user_pool,
    "AWS::Cognito::UserPoolClient": _user_pool_client,
    "AWS::Cognito::UserPoolGroup": _user_pool_group,
    "AWS::SQS::Queue": _sqs_queue,
    "AWS::SES::EmailIdentity": _ses_identity,
    "AWS::Events::EventBus": _event_bus,
    "AWS::Events::Rule": _event_rule,
    "AWS::SecretsManager::Secret": _secret,
}


# --------------------------------------------------------------------------- orchestration


def _plan(resources: dict[str, Any]) -> list[str]:
    """Resources to create, dependencies first. Validates every type before anything is created."""
    todo: dict[str, set[str]] = {}
    for logical_id, resource in resources.items():
        resource_type = resource.get("Type")
        if resource_type is None:
            continue  # a patch to a Chalice-generated resource (e.g. RestAPI): nothing to create
        if is_skipped(resource_type):
            continue
        if resource_type not in HANDLERS:
            raise ProvisionError(
                f"{logical_id}: resource type {resource_type} is neither supported by scripts/provision.py "
                "nor on its skip list; teach the provisioner so the local stack matches the template"
            )
        if "Condition" in resource:
            raise ProvisionError(f"{logical_id}: Conditions are not supported by the local provisioner")
        depends_on = resource.get("DependsOn", [])
        deps = _references(resource.get("Properties", {})) | set(
            [depends_on] if isinstance(depends_on, str) else depends_on)
        todo[logical_id] = {d for d in deps if d in resources}
    order: list[str] = []
    while todo:
        ready = sorted(n for n, deps in todo.items() if not (deps & set(todo)))
        if not ready:
            raise ProvisionError(f"dependency cycle among {sorted(todo)}")
        for name in ready:
            order.append(name)
            del todo[name]
    return order


def provision_stack(
    endpoint_url: str | None,
    stage: str = "local",
    template_path: str | Path = DEFAULT_TEMPLATE,
    region: str = "ap-southeast-1",
) -> ProvisionedStack:
    """Create (or reuse) every resource of the template; resolve Globals env and Outputs."""
    path = Path(template_path)
    if not path.is_absolute() and not path.exists():
        path = REPO_ROOT / path
    template = load_template(path)
    resources: dict[str, Any] = template.get("Resources", {})
    route_event_types(resources)  # as scripts/package.py does: each consumer's rule gets its event types
    order = _plan(resources)

    session = boto3.session.Session(region_name=region)
    if endpoint_url and session.get_credentials() is None:
        # A moto server accepts any credentials; do not make the caller invent some.
        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                        region_name=region)
    ctx = Context(session=session, endpoint_url=endpoint_url, region=region, account_id="", stage=stage)
    ctx.account_id = ctx.client("sts").get_caller_identity()["Account"]

    stack_name = f"{APP_NAME}-{stage}"
    pseudo = {
        "AWS::AccountId": ctx.account_id, "AWS::Region": region, "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": stack_name,
        "AWS::StackId": ctx.arn("cloudformation", f"stack/{stack_name}/local"),
    }
    parameters = {name: spec["Default"] for name, spec in template.get("Parameters", {}).items()
                  if "Default" in spec}
    resolver = Resolver(pseudo, parameters)
    for logical_id in order:
        resource = resources[logical_id]
        props = resolver.resolve(resource.get("Properties", {}))
        resolver.created[logical_id] = HANDLERS[resource["Type"]](ctx, logical_id, props)

    # A setting or output made from a skipped resource has no local value (the API's CORS origin is the
    # distribution's address in AWS; the local stack sets its own): left out rather than invented.
    skipped = {name for name, resource in resources.items() if is_skipped(resource.get("Type", ""))}
    variables = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    local = {k: v for k, v in variables.items() if not _references(v) & skipped}
    env = {k: str(v) for k, v in resolver.resolve(local).items()}
    outputs = {k: str(resolver.resolve(v["Value"])) for k, v in template.get("Outputs", {}).items()
               if not _references(v["Value"]) & skipped}
    if "EventsTableStreamArn" in outputs:
        env["EVENTS_STREAM_ARN"] = outputs["EventsTableStreamArn"]
    env["AWS_DEFAULT_REGION"] = region
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
        # The moto server serves each pool's signing keys here (tokens are verified in the app).
        if "USER_POOL_ID" in env:
            env["JWKS_URL"] = f"{endpoint_url.rstrip('/')}/{env['USER_POOL_ID']}/.well-known/jwks.json"
        if "STAFF_POOL_ID" in env:
            env["STAFF_JWKS_URL"] = f"{endpoint_url.rstrip('/')}/{env['STAFF_POOL_ID']}/.well-known/jwks.json"
    return ProvisionedStack(resources=resolver.created, outputs=outputs, env=env)


def provision(
    endpoint_url: str | None,
    stage: str = "local",
    template_path: str = DEFAULT_TEMPLATE,
    region: str = "ap-southeast-1",
) -> dict[str, str]:
    """Create the template's resources and return the environment the app needs.

    endpoint_url None talks to the default AWS endpoints, i.e. to an active in-process `mock_aws`
    (the caller owns it: resources live as long as its mock does).
    """
    return provision_stack(endpoint_url, stage, template_path, region).env


def stream_arn(outputs: dict[str, str]) -> str:
    """The events table stream the local event pump reads (from a provision() result or Outputs)."""
    return outputs.get("EVENTS_STREAM_ARN") or outputs["EventsTableStreamArn"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create infra/resources.yaml in moto; print the env.")
    parser.add_argument("--endpoint", required=True, help="moto server URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("--stage", default="local")
    parser.add_argument("--template", default=DEFAULT_TEMPLATE)
    parser.add_argument("--region", default="ap-southeast-1")
    args = parser.parse_args(argv)
    env = provision(args.endpoint, args.stage, args.template, args.region)
    for key, value in sorted(env.items()):
        print(f"export {key}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
