"""The local stack is built from the same infra/resources.yaml as the deploy, in moto."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import jwt
import pytest
import requests
from moto import mock_aws
from moto.server import ThreadedMotoServer

from chalicelib.store.models import ACCESS_LOG_STAFF_PROJECTION, DOSSIER_INDEXES
from scripts.provision import DEFAULT_TEMPLATE, ProvisionError, kebab, provision, provision_stack, stream_arn
from scripts.template import load_template

REGION = "ap-southeast-1"
TEMPLATE_TABLES = [name for name, resource in load_template(Path(__file__).resolve().parents[2] / DEFAULT_TEMPLATE)
                   ["Resources"].items() if resource.get("Type") == "AWS::DynamoDB::Table"]


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fake credentials before any client exists; account-id endpoints off so DynamoDB (and its
    # streams) stay inside mock_aws; no endpoint override left over from a local-stack shell.
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def mocked() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def env(mocked: None) -> dict[str, str]:
    return provision(None, stage="test")


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    """A real moto server over HTTP, as the local stack runs it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(k["AttributeName"], k["KeyType"]) for k in schema]


def test_names_are_deterministic_per_stage(env: dict[str, str]) -> None:
    assert env["PROCEDURES_TABLE"] == "motcua-test-procedures-table"
    assert env["DOSSIERS_TABLE"] == "motcua-test-dossiers-table"
    assert env["EVENTS_TABLE"] == "motcua-test-events-table"
    assert env["CONTROL_TABLE"] == "motcua-test-control-table"
    assert env["DOCUMENTS_BUCKET"] == "motcua-test-documents-bucket"
    assert env["POWERTOOLS_SERVICE_NAME"] == "motcua"
    assert kebab("NotificationsDLQ") == "notifications-dlq"
    # In-process: no endpoint to point the app or the JWKS fetch at.
    assert "AWS_ENDPOINT_URL" not in env and "JWKS_URL" not in env


def test_tables_have_the_template_keys_and_indexes(env: dict[str, str]) -> None:
    ddb = boto3.client("dynamodb")
    procedures = ddb.describe_table(TableName=env["PROCEDURES_TABLE"])["Table"]
    assert _keys(procedures["KeySchema"]) == [("code", "HASH"), ("version", "RANGE")]
    assert procedures["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    (catalogue,) = procedures["GlobalSecondaryIndexes"]
    assert catalogue["IndexName"] == "catalogue-index"
    assert _keys(catalogue["KeySchema"]) == [("catalogue", "HASH"), ("code_version", "RANGE")]

    dossiers = ddb.describe_table(TableName=env["DOSSIERS_TABLE"])["Table"]
    assert _keys(dossiers["KeySchema"]) == [("id", "HASH")]
    # As chalicelib/store/models.py declares them (tests/infra/test_template.py checks the template says the same).
    indexes = {i["IndexName"]: (_keys(i["KeySchema"]), i["Projection"]) for i in dossiers["GlobalSecondaryIndexes"]}
    assert indexes == {spec.name: ([(spec.hash_key, "HASH"), (spec.range_key, "RANGE")] if spec.range_key
                                   else [(spec.hash_key, "HASH")], spec.projection) for spec in DOSSIER_INDEXES}
    assert dossiers["SSEDescription"]["Status"] == "ENABLED"
    backups = ddb.describe_continuous_backups(TableName=env["DOSSIERS_TABLE"])["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"

    access_log = ddb.describe_table(TableName=env["ACCESS_LOG_TABLE"])["Table"]
    assert _keys(access_log["KeySchema"]) == [("dossier_id", "HASH"), ("at_id", "RANGE")]
    (staff,) = access_log["GlobalSecondaryIndexes"]
    assert staff["IndexName"] == "staff-index"
    assert _keys(staff["KeySchema"]) == [("staff_id", "HASH"), ("at_id", "RANGE")]
    assert staff["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(ACCESS_LOG_STAFF_PROJECTION)}


def test_events_stream_delivers_new_images(env: dict[str, str]) -> None:
    events = boto3.client("dynamodb").describe_table(TableName=env["EVENTS_TABLE"])["Table"]
    assert events["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert stream_arn(env) == events["LatestStreamArn"]

    boto3.client("dynamodb").put_item(TableName=env["EVENTS_TABLE"], Item={
        "dossier_id": {"S": "D1"}, "seq": {"N": "1"}, "type": {"S": "submitted"}})
    streams = boto3.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream_arn(env))["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn(env), ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    (record,) = streams.get_records(ShardIterator=iterator)["Records"]
    assert record["dynamodb"]["NewImage"]["type"] == {"S": "submitted"}


def test_control_table_expires_items(env: dict[str, str]) -> None:
    ddb = boto3.client("dynamodb")
    ttl = ddb.describe_time_to_live(TableName=env["CONTROL_TABLE"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_documents_bucket_is_encrypted_versioned_private_and_takes_uploads(env: dict[str, str]) -> None:
    s3 = boto3.client("s3")
    bucket = env["DOCUMENTS_BUCKET"]
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    key_arn = boto3.client("kms").describe_key(KeyId=env["DOCUMENTS_KMS_KEY_ID"])["KeyMetadata"]["Arn"]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key_arn
    assert rule["BucketKeyEnabled"] is True
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    (cors,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert {"POST", "PUT"} <= set(cors["AllowedMethods"]) and cors["ExposeHeaders"] == ["ETag"]

    # The key policy made it through !Sub resolution and is valid JSON naming this account.
    kms = boto3.client("kms")
    policy = json.loads(kms.get_key_policy(KeyId=env["DOCUMENTS_KMS_KEY_ID"], PolicyName="default")["Policy"])
    assert policy["Statement"][0]["Principal"]["AWS"] == "arn:aws:iam::123456789012:root"

    s3.put_object(Bucket=bucket, Key="d/1.pdf", Body=b"%PDF-1.7")
    head = s3.head_object(Bucket=bucket, Key="d/1.pdf")
    assert head["ServerSideEncryption"] == "aws:kms"


def test_the_staff_pool_is_made_with_totp_required_and_its_short_lived_client(env: dict[str, str]) -> None:
    idp = boto3.client("cognito-idp")
    mfa = idp.get_user_pool_mfa_config(UserPoolId=env["STAFF_POOL_ID"])
    assert mfa["MfaConfiguration"] == "ON" and mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    client = idp.describe_user_pool_client(UserPoolId=env["STAFF_POOL_ID"],
                                           ClientId=env["STAFF_POOL_CLIENT_ID"])["UserPoolClient"]
    assert (client["IdTokenValidity"], client["AccessTokenValidity"]) == (15, 15)


def test_user_pool_has_custom_attributes_groups_and_client_flows(env: dict[str, str]) -> None:
    idp = boto3.client("cognito-idp")
    pool = idp.describe_user_pool(UserPoolId=env["USER_POOL_ID"])["UserPool"]
    attributes = {a["Name"]: a for a in pool["SchemaAttributes"]}
    assert {"custom:agency", "custom:unit"} <= set(attributes)
    assert attributes["custom:agency"]["Mutable"] is True
    # `locale` is a standard Cognito attribute (the name is reserved), so there is no custom:locale.
    assert "custom:locale" not in attributes
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 10

    groups = {g["GroupName"] for g in idp.list_groups(UserPoolId=env["USER_POOL_ID"])["Groups"]}
    assert groups == {"citizen", "officer", "specialist", "leader", "admin"}

    client = idp.describe_user_pool_client(UserPoolId=env["USER_POOL_ID"],
                                           ClientId=env["USER_POOL_CLIENT_ID"])["UserPoolClient"]
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert "ClientSecret" not in client
    assert client["IdTokenValidity"] == 60

    # What the app relies on: a user in a group logs in and the id token says so.
    idp.admin_create_user(UserPoolId=env["USER_POOL_ID"], Username="can-bo-1", UserAttributes=[
        {"Name": "email", "Value": "cb1@example.vn"}, {"Name": "custom:agency", "Value": "SOTP-HN"},
        {"Name": "locale", "Value": "vi"}])
    idp.admin_set_user_password(UserPoolId=env["USER_POOL_ID"], Username="can-bo-1",
                                Password="Matkhau12345", Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=env["USER_POOL_ID"], Username="can-bo-1", GroupName="officer")
    tokens = idp.initiate_auth(ClientId=env["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "can-bo-1", "PASSWORD": "Matkhau12345"})
    claims = jwt.decode(tokens["AuthenticationResult"]["IdToken"], options={"verify_signature": False})
    assert claims["cognito:groups"] == ["officer"]
    assert claims["custom:agency"] == "SOTP-HN" and claims["locale"] == "vi"


def test_second_run_reuses_everything(env: dict[str, str]) -> None:
    again = provision(None, stage="test")
    assert again == env
    # The citizens' pool and the staff pool, each once.
    assert len(boto3.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]) == 2
    assert len(boto3.client("dynamodb").list_tables()["TableNames"]) == len(TEMPLATE_TABLES)
    tagged = [k for k in boto3.client("kms").list_keys()["Keys"]
              if boto3.client("kms").list_resource_tags(KeyId=k["KeyId"])["Tags"]]
    assert len(tagged) == 2  # the documents key and the result-signing key, each made once


def test_stages_do_not_collide(env: dict[str, str]) -> None:
    other = provision(None, stage="e2e")
    assert other["DOSSIERS_TABLE"] == "motcua-e2e-dossiers-table"
    assert other["USER_POOL_ID"] != env["USER_POOL_ID"]


def test_moto_server_stack_gives_the_app_endpoint_and_jwks(moto_endpoint: str) -> None:
    env = provision(moto_endpoint, stage="server")
    assert env["AWS_ENDPOINT_URL"] == moto_endpoint
    assert env["JWKS_URL"] == f"{moto_endpoint}/{env['USER_POOL_ID']}/.well-known/jwks.json"
    keys = requests.get(env["JWKS_URL"], timeout=5).json()["keys"]
    assert keys and keys[0]["kty"] == "RSA"
    ddb = boto3.client("dynamodb", endpoint_url=moto_endpoint)
    assert env["EVENTS_TABLE"] in ddb.list_tables()["TableNames"]
    assert provision(moto_endpoint, stage="server") == env  # the local stack can be re-run


def test_unknown_resource_type_fails_before_creating_anything(mocked: None, tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        "Resources:\n"
        "  Table:\n"
        "    Type: AWS::DynamoDB::Table\n"
        "    Properties:\n"
        "      BillingMode: PAY_PER_REQUEST\n"
        "      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]\n"
        "      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n"
        "  Topic:\n"
        "    Type: AWS::SNS::Topic\n"
    )
    with pytest.raises(ProvisionError, match="AWS::SNS::Topic"):
        provision(None, stage="test", template_path=str(template))
    assert boto3.client("dynamodb").list_tables()["TableNames"] == []


def test_unsupported_property_is_not_dropped_silently(mocked: None, tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        "Resources:\n"
        "  Bucket:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties:\n"
        "      WebsiteConfiguration: {IndexDocument: index.html}\n"
    )
    with pytest.raises(ProvisionError, match="WebsiteConfiguration"):
        provision(None, stage="test", template_path=str(template))


EVENTING_TEMPLATE = """
Globals:
  Function:
    Environment:
      Variables:
        EVENT_BUS: !Ref Bus
        NOTIFICATIONS_QUEUE_URL: !Ref NotificationsQueue
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: !Sub ${AWS::StackName}-events
  NotificationsDLQ:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
  NotificationsQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt NotificationsDLQ.Arn
        maxReceiveCount: 5
  NotificationsQueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref NotificationsQueue]
      PolicyDocument: {}
  DossierEventsToNotifications:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      EventPattern:
        source: [motcua.dossiers]
        detail-type: [DossierSubmitted, DossierReturned]
      Targets:
        - Id: notifications
          Arn: !GetAtt NotificationsQueue.Arn
  NotificationsAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Threshold: !GetAtt NotificationsDLQ.QueueName
"""


def test_bus_rule_queue_and_dlq_route_events(mocked: None, tmp_path: Path) -> None:
    template = tmp_path / "eventing.yaml"
    template.write_text(EVENTING_TEMPLATE)
    stack = provision_stack(None, stage="test", template_path=template)
    env = stack.env
    assert env["EVENT_BUS"] == "motcua-test-events"
    queue_url = env["NOTIFICATIONS_QUEUE_URL"]
    assert queue_url.endswith("/motcua-test-notifications-queue")

    sqs = boto3.client("sqs")
    redrive = json.loads(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["RedrivePolicy"])[
        "Attributes"]["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == stack.resources["NotificationsDLQ"].attributes["Arn"]
    assert int(redrive["maxReceiveCount"]) == 5

    events = boto3.client("events")
    result = events.put_events(Entries=[
        {"EventBusName": env["EVENT_BUS"], "Source": "motcua.dossiers", "DetailType": "DossierSubmitted",
         "Detail": json.dumps({"dossier_id": "D1"})},
        {"EventBusName": env["EVENT_BUS"], "Source": "motcua.dossiers", "DetailType": "FeePaid",
         "Detail": json.dumps({"dossier_id": "D2"})},
    ])
    assert result["FailedEntryCount"] == 0
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["detail"] for m in messages] == [{"dossier_id": "D1"}]

    # Idempotent with eventing resources too.
    assert provision_stack(None, stage="test", template_path=template).env == env
    assert len(sqs.list_queues()["QueueUrls"]) == 2


def test_cli_prints_shell_exports(moto_endpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    from scripts.provision import main

    assert main(["--endpoint", moto_endpoint, "--stage", "cli"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "export DOSSIERS_TABLE=motcua-cli-dossiers-table" in lines
    assert f"export AWS_ENDPOINT_URL={moto_endpoint}" in lines
    assert all(line.startswith("export ") for line in lines)
    assert os.environ.get("DOSSIERS_TABLE") != "motcua-cli-dossiers-table"  # printed, not applied
