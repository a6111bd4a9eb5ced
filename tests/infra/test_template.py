"""The deployable template: Chalice's package merged with infra/resources.yaml, cfn-lint clean.

Packaging the real app runs `chalice package` once per module (it downloads Lambda wheels from PyPI
once app.py has functions). A scratch Chalice app with a protected route and a second handler
proves the parts the real app may not have yet (RestAPI authorizer patch, per-function roles).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from scripts import deploy, provision, web_server
from scripts.package import (
    REPO_ROOT,
    PackageError,
    dump_template,
    finalize_template,
    function_roles,
    lint,
    package,
)
from scripts.template import load_template, loads_template

POOL_ARN = {"Fn::GetAtt": ["UserPool", "Arn"]}

SCRATCH_APP = '''
from chalice import Chalice, CognitoUserPoolAuthorizer

app = Chalice(app_name="motcua")
users = CognitoUserPoolAuthorizer(
    "MotCuaUsers",
    provider_arns=["arn:aws:cognito-idp:ap-southeast-1:000000000000:userpool/placeholder"],
)


@app.route("/me", authorizer=users)
def me():
    return {}


@app.route("/health")
def health():
    return {"ok": True}


@app.on_sqs_message(queue="notifications")
def notify(event):
    return None
'''


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = package("prod", tmp_path_factory.mktemp("prod"))
    return load_template(path)


@pytest.fixture(scope="module")
def scratch_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("scratch")
    (project / "app.py").write_text(SCRATCH_APP)
    # No runtime dependencies: keeps this package offline and fast.
    (project / "requirements.txt").write_text("")
    shutil.copytree(REPO_ROOT / ".chalice", project / ".chalice",
                    ignore=shutil.ignore_patterns("deployments", "venv"))
    (project / "infra").mkdir()
    shutil.copy(REPO_ROOT / "infra" / "resources.yaml", project / "infra" / "resources.yaml")
    return package("prod", project / "out", project_dir=project)


@pytest.fixture(scope="module")
def scratch(scratch_path: Path) -> dict[str, Any]:
    return load_template(scratch_path)


def _resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


def _keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(k["AttributeName"], k["KeyType"]) for k in schema]


def _attribute_types(props: dict[str, Any]) -> dict[str, str]:
    return {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}


# ----------------------------------------------------------------------------- the real app


def test_real_app_package_is_lint_clean(prod: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "sam.yaml"
    path.write_text(dump_template(prod))
    failures, _ = lint(path, "ap-southeast-1")
    assert failures == []


def _gsi(spec) -> dict[str, Any]:
    """A dossier index as CloudFormation declares it."""
    keys = [{"AttributeName": spec.hash_key, "KeyType": "HASH"}]
    if spec.range_key:
        keys.append({"AttributeName": spec.range_key, "KeyType": "RANGE"})
    return {"IndexName": spec.name, "KeySchema": keys, "Projection": spec.projection}


def test_the_template_declares_the_dossier_indexes_the_store_declares(prod: dict[str, Any]) -> None:
    """chalicelib/store/models.py DOSSIER_INDEXES is the one declaration of keys and projections; the
    template must say exactly the same, in the same order."""
    from chalicelib.store.models import DOSSIER_INDEXES

    gsis = _resources(prod)["DossiersTable"]["Properties"]["GlobalSecondaryIndexes"]
    assert gsis == [_gsi(spec) for spec in DOSSIER_INDEXES]


def test_tables_have_the_keys_and_indexes_the_store_uses(prod: dict[str, Any]) -> None:
    res = _resources(prod)

    procedures = res["ProceduresTable"]["Properties"]
    assert procedures["BillingMode"] == "PAY_PER_REQUEST"
    assert _keys(procedures["KeySchema"]) == [("code", "HASH"), ("version", "RANGE")]
    assert _attribute_types(procedures) == {
        "code": "S", "version": "N", "catalogue": "S", "code_version": "S"}
    (catalogue,) = procedures["GlobalSecondaryIndexes"]
    assert catalogue["IndexName"] == "catalogue-index"
    assert _keys(catalogue["KeySchema"]) == [("catalogue", "HASH"), ("code_version", "RANGE")]
    assert catalogue["Projection"] == {"ProjectionType": "ALL"}

    dossiers = res["DossiersTable"]
    assert dossiers["DeletionPolicy"] == dossiers["UpdateReplacePolicy"] == "Retain"
    assert _keys(dossiers["Properties"]["KeySchema"]) == [("id", "HASH")]
    gsis = dossiers["Properties"]["GlobalSecondaryIndexes"]
    indexes = {i["IndexName"]: (_keys(i["KeySchema"]), i["Projection"]["ProjectionType"]) for i in gsis}
    # Written out on purpose (models.py declares them; this is what a reviewer of the stack sees change).
    assert indexes == {
        "owner-index": ([("owner_id", "HASH"), ("submitted_at", "RANGE")], "KEYS_ONLY"),
        "agency-index": ([("agency_code", "HASH"), ("submitted_at", "RANGE")], "KEYS_ONLY"),
        "agency-status-index": ([("agency_status", "HASH"), ("submitted_at", "RANGE")], "INCLUDE"),
        "agency-due-index": ([("agency_open", "HASH"), ("due_date", "RANGE")], "INCLUDE"),
        "agency-procedure-index": ([("agency_procedure", "HASH"), ("submitted_at", "RANGE")], "INCLUDE"),
        "agency-unit-index": ([("agency_unit", "HASH"), ("submitted_at", "RANGE")], "KEYS_ONLY"),
        "assignee-index": ([("assignee_key", "HASH"), ("submitted_at", "RANGE")], "INCLUDE"),
        "agency-received-index": ([("agency_code", "HASH"), ("received_at", "RANGE")], "INCLUDE"),
        "agency-name-index": ([("agency_code", "HASH"), ("applicant_key", "RANGE")], "INCLUDE"),
        "agency-identity-index": ([("agency_identity", "HASH"), ("submitted_at", "RANGE")], "INCLUDE"),
        "partner-index": ([("partner_agency", "HASH"), ("submitted_at", "RANGE")], "INCLUDE"),
        "code-index": ([("code", "HASH")], "KEYS_ONLY"),
    }
    assert all("doc" not in i["Projection"].get("NonKeyAttributes", []) for i in gsis), "no index copies the doc"

    events = res["EventsTable"]
    assert events["DeletionPolicy"] == "Retain"
    assert _keys(events["Properties"]["KeySchema"]) == [("dossier_id", "HASH"), ("seq", "RANGE")]
    assert events["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}

    control = res["ControlTable"]["Properties"]
    assert control["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    # It holds records to keep too (verified uploads, the register of issued results).
    assert res["ControlTable"]["DeletionPolicy"] == res["ControlTable"]["UpdateReplacePolicy"] == "Retain"

    for name in ("ProceduresTable", "DossiersTable", "EventsTable", "ControlTable"):
        props = res[name]["Properties"]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert "TableName" not in props  # CloudFormation names them; the app reads the env


def test_the_staff_directory_is_retained_and_lists_an_agency_without_a_scan(prod: dict[str, Any]) -> None:
    table = _resources(prod)["StaffTable"]
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"  # who may do what, and its record
    props = table["Properties"]
    assert _keys(props["KeySchema"]) == [("pk", "HASH"), ("sk", "RANGE")]
    (agency,) = props["GlobalSecondaryIndexes"]
    assert (agency["IndexName"], _keys(agency["KeySchema"])) == ("agency-index", [("agency_code", "HASH"),
                                                                                  ("username", "RANGE")])
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_the_access_log_table_is_keyed_by_dossier_and_time_with_a_staff_index(prod: dict[str, Any]) -> None:
    from chalicelib.store.models import ACCESS_LOG_STAFF_PROJECTION

    table = _resources(prod)["AccessLogTable"]
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"  # a record kept, like the events
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST" and "TableName" not in props
    assert _keys(props["KeySchema"]) == [("dossier_id", "HASH"), ("at_id", "RANGE")]
    assert _attribute_types(props) == {"dossier_id": "S", "at_id": "S", "staff_id": "S"}
    (staff,) = props["GlobalSecondaryIndexes"]
    assert staff["IndexName"] == "staff-index"
    assert _keys(staff["KeySchema"]) == [("staff_id", "HASH"), ("at_id", "RANGE")]
    assert staff["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(ACCESS_LOG_STAFF_PROJECTION)}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}
    tables = next(s for s in _resources(prod)["AppPolicy"]["Properties"]["PolicyDocument"]["Statement"]
                  if s["Sid"] == "Tables")["Resource"]
    assert {"Fn::GetAtt": ["AccessLogTable", "Arn"]} in tables
    assert {"Fn::Sub": "${AccessLogTable.Arn}/index/*"} in tables


def test_the_papers_table_is_keyed_by_owner_with_a_type_index_and_retained(prod: dict[str, Any]) -> None:
    table = _resources(prod)["PapersTable"]
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"  # the applicants' stores
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST" and "TableName" not in props
    assert _keys(props["KeySchema"]) == [("owner", "HASH"), ("paper_id", "RANGE")]
    (by_type,) = props["GlobalSecondaryIndexes"]
    assert (by_type["IndexName"], _keys(by_type["KeySchema"])) == ("type-index", [("owner_type", "HASH"),
                                                                                 ("paper_id", "RANGE")])
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    tables = next(s for s in _resources(prod)["AppPolicy"]["Properties"]["PolicyDocument"]["Statement"]
                  if s["Sid"] == "Tables")["Resource"]
    assert {"Fn::GetAtt": ["PapersTable", "Arn"]} in tables
    assert {"Fn::Sub": "${PapersTable.Arn}/index/*"} in tables


def test_the_queue_table_lists_waiting_active_and_called_tickets_by_sparse_indexes(prod: dict[str, Any]) -> None:
    from chalicelib.store.models import TICKET_LIST_PROJECTION

    table = _resources(prod)["QueueTable"]
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST" and "TableName" not in props
    assert _keys(props["KeySchema"]) == [("id", "HASH")]
    indexes = {i["IndexName"]: (_keys(i["KeySchema"]), i["Projection"]) for i in props["GlobalSecondaryIndexes"]}
    listed = {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(TICKET_LIST_PROJECTION)}
    assert indexes == {
        "waiting-index": ([("waiting_line", "HASH"), ("line_position", "RANGE")], listed),
        "active-index": ([("active_day", "HASH"), ("last_called_at", "RANGE")], listed),
        "called-index": ([("called_day", "HASH"), ("last_called_at", "RANGE")], listed),
    }
    tables = next(s for s in _resources(prod)["AppPolicy"]["Properties"]["PolicyDocument"]["Statement"]
                  if s["Sid"] == "Tables")["Resource"]
    assert {"Fn::GetAtt": ["QueueTable", "Arn"]} in tables
    assert {"Fn::Sub": "${QueueTable.Arn}/index/*"} in tables


def test_documents_bucket_is_private_versioned_and_kms_encrypted(prod: dict[str, Any]) -> None:
    bucket = _resources(prod)["DocumentsBucket"]
    props = bucket["Properties"]
    assert bucket["DeletionPolicy"] == "Retain"
    assert "BucketName" not in props
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Fn::GetAtt": ["DocumentsKey", "Arn"]}}
    assert rule["BucketKeyEnabled"] is True
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
    (cors,) = props["CorsConfiguration"]["CorsRules"]
    assert {"POST", "PUT"} <= set(cors["AllowedMethods"])
    # The key outlives the stack like the documents it protects.
    assert _resources(prod)["DocumentsKey"]["DeletionPolicy"] == "Retain"


def test_globals_give_every_function_the_resource_names(prod: dict[str, Any]) -> None:
    variables = prod["Globals"]["Function"]["Environment"]["Variables"]
    assert variables == {
        "PROCEDURES_TABLE": {"Ref": "ProceduresTable"},
        "DOSSIERS_TABLE": {"Ref": "DossiersTable"},
        "EVENTS_TABLE": {"Ref": "EventsTable"},
        "CONTROL_TABLE": {"Ref": "ControlTable"},
        "STAFF_TABLE": {"Ref": "StaffTable"},
        "ACCESS_LOG_TABLE": {"Ref": "AccessLogTable"},
        "PAYMENTS_TABLE": {"Ref": "PaymentsTable"},
        "FEEDBACK_TABLE": {"Ref": "FeedbackTable"},
        "PAPERS_TABLE": {"Ref": "PapersTable"},
        "QUEUE_TABLE": {"Ref": "QueueTable"},
        "PAYMENT_GATEWAY_URL": {"Ref": "PaymentGatewayUrl"},
        "PAYMENT_GATEWAY_SECRET_ID": {"Ref": "PaymentGatewaySecret"},
        "DOCUMENTS_BUCKET": {"Ref": "DocumentsBucket"},
        "DOCUMENTS_KMS_KEY_ID": {"Ref": "DocumentsKey"},
        "USER_POOL_ID": {"Ref": "UserPool"},
        "USER_POOL_CLIENT_ID": {"Ref": "UserPoolClient"},
        "STAFF_POOL_ID": {"Ref": "StaffUserPool"},
        "STAFF_POOL_CLIENT_ID": {"Ref": "StaffUserPoolClient"},
        "EVENT_BUS_NAME": {"Ref": "EventBus"},
        "NOTIFICATIONS_TABLE": {"Ref": "NotificationsTable"},
        "METRICS_TABLE": {"Ref": "MetricsTable"},
        "NOTIFICATION_SENDER": {"Ref": "NotificationSender"},
        "NATIONAL_PORTAL_URL": {"Ref": "NationalPortalUrl"},
        "NATIONAL_PORTAL_FILES_URL": {"Ref": "NationalPortalFilesUrl"},
        "NATIONAL_PORTAL_USERNAME": {"Ref": "NationalPortalUsername"},
        "NATIONAL_PORTAL_MADONVI": {"Ref": "NationalPortalUnitCode"},
        "NATIONAL_PORTAL_SECRET_ID": {"Ref": "NationalPortalSecret"},
        # Results are signed with the stack's KMS key; the QR code leads to ResultVerifyUrl.
        "RESULT_SIGNING_KEY_ID": {"Ref": "ResultSigningKey"},
        "SIGNATURE_TIMESTAMP_URL": {"Ref": "SignatureTimestampUrl"},
        "RESULT_VERIFY_URL": {"Ref": "ResultVerifyUrl"},
        "CITIZEN_ISSUERS": {"Fn::Sub": "${CitizenIdentityProviderUrl}|${CitizenIdentityProviderClientId}"},
        # The API's CORS admits the web client's distribution, and only it; messages link to its pages.
        "CORS_ALLOWED_ORIGINS": {"Fn::Sub": "https://${WebDistribution.DomainName}"},
        "WEB_BASE_URL": {"Fn::Sub": "https://${WebDistribution.DomainName}"},
        "POWERTOOLS_SERVICE_NAME": "motcua",
        "POWERTOOLS_METRICS_NAMESPACE": "MotCua",
    }


def test_event_handlers_read_the_stacks_stream_and_queue_with_partial_batch_responses(prod: dict[str, Any]) -> None:
    relay = prod["Resources"]["Relay"]["Properties"]["Events"]["RelayDynamodbEventSource"]["Properties"]
    assert relay["Stream"] == {"Fn::GetAtt": ["EventsTable", "StreamArn"]}
    assert relay["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert relay["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["RelayDLQ", "Arn"]}
    queue = prod["Resources"]["Notifications"]["Properties"]["Events"]["NotificationsSqsEventSource"]["Properties"]
    assert queue["Queue"] == {"Fn::GetAtt": ["NotificationsQueue", "Arn"]}
    assert queue["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    redrive = prod["Resources"]["NotificationsQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["NotificationsDLQ", "Arn"]}
    assert int(redrive["maxReceiveCount"]) <= 10
    assert prod["Resources"]["NotificationsDLQAlarm"]["Type"] == "AWS::CloudWatch::Alarm"


def test_user_pool_groups_and_client(prod: dict[str, Any]) -> None:
    res = _resources(prod)
    groups = {r["Properties"]["GroupName"] for r in res.values()
              if r.get("Type") == "AWS::Cognito::UserPoolGroup"}
    assert groups == {"citizen", "officer", "specialist", "leader", "admin"}
    client = res["UserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["IdTokenValidity"] == 60 and client["TokenValidityUnits"]["IdToken"] == "minutes"
    # Officers' agency/unit scope their queries: users must not be able to write them themselves.
    assert not {"custom:agency", "custom:unit"} & set(client["WriteAttributes"])


def test_the_staff_pool_requires_totp_at_every_sign_in_and_gives_short_tokens(prod: dict[str, Any]) -> None:
    res = _resources(prod)
    pool = res["StaffUserPool"]
    assert (pool["DeletionPolicy"], pool["UpdateReplacePolicy"]) == ("Retain", "Retain")
    props = pool["Properties"]
    assert props["MfaConfiguration"] == "ON" and props["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    # Only administrators make staff accounts (/admin/staff): nobody signs up into the staff pool.
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert props["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12
    client = res["StaffUserPoolClient"]["Properties"]
    assert client["UserPoolId"] == {"Ref": "StaffUserPool"}
    units = client["TokenValidityUnits"]
    assert (client["IdTokenValidity"], units["IdToken"]) == (15, "minutes")
    assert (client["AccessTokenValidity"], units["AccessToken"]) == (15, "minutes")
    assert (client["RefreshTokenValidity"], units["RefreshToken"]) == (600, "minutes")  # a working day at most
    assert client["EnableTokenRevocation"] is True and client["PreventUserExistenceErrors"] == "ENABLED"
    assert "email" not in client["WriteAttributes"]  # the address invitations and recovery go to is the admins'
    # The platform creates, disables and signs out staff accounts in the staff pool only.
    statements = [st for st in res["AppPolicy"]["Properties"]["PolicyDocument"]["Statement"]
                  if st.get("Sid") == "StaffAccounts"]
    assert statements and all(st["Resource"] == {"Fn::GetAtt": ["StaffUserPool", "Arn"]} for st in statements)


def test_outputs_name_every_resource_the_local_tools_need(prod: dict[str, Any]) -> None:
    assert prod["Outputs"]["EventsTableStreamArn"]["Value"] == {"Fn::GetAtt": ["EventsTable", "StreamArn"]}
    assert {"ProceduresTableName", "DossiersTableName", "EventsTableName", "ControlTableName",
            "DocumentsBucketName", "UserPoolId", "UserPoolClientId", "StaffUserPoolId",
            "StaffUserPoolClientId"} <= set(prod["Outputs"])


# ----------------------------------------------------------------------------- the web client


def test_web_bucket_is_private_encrypted_and_read_only_by_the_distribution(prod: dict[str, Any]) -> None:
    res = _resources(prod)
    props = res["WebBucket"]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert props["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert "WebsiteConfiguration" not in props and "AccessControl" not in props  # no S3 website, no ACL
    policy = res["WebBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "WebBucket"}
    allows = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allows == [{
        "Sid": "WebDistributionReads", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${WebBucket.Arn}/*"},
        "Condition": {"StringEquals": {"AWS:SourceArn": {
            "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${WebDistribution}"}}},
    }]


def test_web_distribution_reads_the_bucket_through_origin_access_control_over_https_only(
        prod: dict[str, Any]) -> None:
    res = _resources(prod)
    config = res["WebDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["WebBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy identity beside it
    oac = res["WebOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"], oac["SigningProtocol"]) == (
        "s3", "always", "sigv4")
    behaviours = [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]
    assert {b["ViewerProtocolPolicy"] for b in behaviours} <= {"redirect-to-https", "https-only"}
    assert all(b["Compress"] is True for b in behaviours)
    assert all(b["ResponseHeadersPolicyId"] == {"Ref": "WebHeadersPolicy"} for b in behaviours)
    assert config["DefaultRootObject"] == "index.html"
    assert prod["Outputs"]["WebUrl"]["Value"] == {"Fn::Sub": "https://${WebDistribution.DomainName}"}
    assert prod["Outputs"]["WebBucketName"]["Value"] == {"Ref": "WebBucket"}
    assert prod["Outputs"]["WebDistributionId"]["Value"] == {"Ref": "WebDistribution"}


def test_web_headers_policy_sends_the_local_servers_csp_hsts_and_frame_denial(prod: dict[str, Any]) -> None:
    config = _resources(prod)["WebHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    # The same policy as scripts/web_server.py serves locally, with the AWS addresses the client calls.
    assert security["ContentSecurityPolicy"] == {"Override": True, "ContentSecurityPolicy": {
        "Fn::Sub": web_server.content_security_policy([
            "https://*.execute-api.${AWS::Region}.amazonaws.com", "https://cognito-idp.${AWS::Region}.amazonaws.com",
            "https://${DocumentsBucket.RegionalDomainName}", "https://${DocumentsBucket.DomainName}",
            "${CitizenIdentityProviderUrl}"])}}
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert security["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": 63072000, "IncludeSubdomains": True, "Override": True}
    assert security["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["ReferrerPolicy"] == {"ReferrerPolicy": web_server.REFERRER_POLICY, "Override": True}
    assert config["CustomHeadersConfig"]["Items"] == [
        {"Header": "Permissions-Policy", "Value": web_server.PERMISSIONS_POLICY, "Override": True}]


def test_the_local_provisioner_skips_cloudfront_and_the_web_bucket_policy_but_makes_the_bucket() -> None:
    template = load_template(REPO_ROOT / "infra" / "resources.yaml")
    planned = set(provision._plan(template["Resources"]))
    assert "WebBucket" in planned
    assert not planned & {"WebDistribution", "WebOriginAccessControl", "WebHeadersPolicy", "WebBucketPolicy"}


def test_real_app_policy_and_authorizer_follow_what_chalice_generated(prod: dict[str, Any]) -> None:
    res = _resources(prod)
    roles = function_roles(prod)
    if roles:
        assert res["AppPolicy"]["Properties"]["Roles"] == [{"Ref": r} for r in roles]
    else:  # app.py has no functions yet: nothing to attach to
        assert "AppPolicy" not in res
    if "RestAPI" in res:
        # No gateway authorizer: the app checks every token itself, the national identity providers' too, which a
        # Cognito authorizer would refuse before it (docs/identity.md).
        body = res["RestAPI"]["Properties"]["DefinitionBody"]
        assert not any("x-amazon-apigateway-authorizer" in d for d in body.get("securityDefinitions", {}).values())
        assert all("security" not in operation for path in body["paths"].values() for operation in path.values()
                   if isinstance(operation, dict))
    # Every resource is complete: no half-merged patch survives packaging.
    assert all("Type" in r for r in res.values())


# ----------------------------------------------------------------------------- merge, on a scratch app


def test_merge_keeps_chalice_s_own_authorizer_of_a_scratch_app_untouched(scratch: dict[str, Any]) -> None:
    # infra/ patches no authorizer any more: an app that declares one keeps Chalice's definition as generated.
    security = scratch["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["securityDefinitions"]
    assert security["MotCuaUsers"]["x-amazon-apigateway-authorizer"]["type"] == "cognito_user_pools"
    assert "/me" in scratch["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]


def test_merge_keeps_globals_next_to_chalice_function_environment(scratch: dict[str, Any]) -> None:
    variables = scratch["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["DOSSIERS_TABLE"] == {"Ref": "DossiersTable"}
    # SAM merges Globals with the function's own variables (the stage's, from .chalice/config.json).
    handler = scratch["Resources"]["APIHandler"]["Properties"]
    assert handler["Environment"]["Variables"]["MOTCUA_STAGE"] == "prod"


def test_app_policy_is_attached_to_every_function_role(scratch: dict[str, Any]) -> None:
    res = scratch["Resources"]
    # autogen_policy false: one role per function and no DefaultRole.
    assert "DefaultRole" not in res
    assert function_roles(scratch) == ["ApiHandlerRole", "NotifyRole"]
    policy = res["AppPolicy"]["Properties"]
    assert policy["Roles"] == [{"Ref": "ApiHandlerRole"}, {"Ref": "NotifyRole"}]
    # Event source mappings are validated against the role: functions wait for the policy.
    for name in ("APIHandler", "Notify"):
        assert "AppPolicy" in res[name]["DependsOn"]
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert {"Fn::GetAtt": ["DossiersTable", "Arn"]} in statements["Tables"]["Resource"]
    assert {"Fn::Sub": "${DossiersTable.Arn}/index/*"} in statements["Tables"]["Resource"]
    assert "dynamodb:ConditionCheckItem" in statements["Tables"]["Action"]
    assert statements["EventsStream"]["Resource"] == {"Fn::GetAtt": ["EventsTable", "StreamArn"]}
    assert statements["DocumentsKey"]["Resource"] == {"Fn::GetAtt": ["DocumentsKey", "Arn"]}
    # chalicelib/store/documents.py heads, then reads the exact version it inspected.
    assert {"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"} <= set(statements["Documents"]["Action"])
    # ... and a missing upload must read as 404, which S3 only answers with ListBucket.
    assert "s3:ListBucket" in statements["DocumentsList"]["Action"]
    # A national-portal forward that fails half-way removes the versions it stored, and only those.
    assert "s3:DeleteObjectVersion" in statements["Documents"]["Action"]
    assert "s3:DeleteObject" not in statements["Documents"]["Action"]
    assert statements["NationalPortalSecret"]["Resource"] == {"Ref": "NationalPortalSecret"}


def test_packaged_yaml_has_no_aliases_cloudformation_would_reject(scratch_path: Path) -> None:
    # Chalice shares one trust-policy dict between roles; PyYAML would write &id001/*id001.
    text = scratch_path.read_text()
    assert "&id0" not in text and "*id0" not in text


def test_scratch_package_is_lint_clean(scratch_path: Path) -> None:
    failures, _ = lint(scratch_path, "ap-southeast-1")
    assert failures == []


def test_lint_reports_a_broken_template(scratch: dict[str, Any], tmp_path: Path) -> None:
    broken = json.loads(json.dumps(scratch))
    broken["Resources"]["DossiersTable"]["Properties"]["BillingMode"] = "FREE_OF_CHARGE"
    path = tmp_path / "sam.yaml"
    path.write_text(dump_template(broken))
    failures, _ = lint(path, "ap-southeast-1")
    assert any("FREE_OF_CHARGE" in f for f in failures)


def test_each_consumer_rule_delivers_only_the_event_types_its_consumer_acts_on(prod: dict[str, Any]) -> None:
    from chalicelib.domain.actions import audiences
    from chalicelib.domain.event_types import EventType
    from chalicelib.domain.feedback import TOLD
    from chalicelib.domain.metric_facts import METRIC_EVENT_TYPES

    patterns = {rule: _resources(prod)[rule]["Properties"]["EventPattern"] for rule in ("NotificationsRule",
                                                                                       "MetricsRule")}
    # Dossier events someone is told of, and the feedback events the person who filed feedback is told of.
    told = [t.value for t in EventType if audiences(t)] + [t.value for t in TOLD]
    assert patterns["NotificationsRule"] == {"source": ["motcua.dossiers"], "detail-type": sorted(told)}
    assert patterns["MetricsRule"] == {"source": ["motcua.dossiers"],
                                       "detail-type": sorted(t.value for t in METRIC_EVENT_TYPES)}
    # Steps that tell nobody stay off the notifications queue; the fold never reads an apology allowance.
    assert "dossier.transferred" not in patterns["NotificationsRule"]["detail-type"]
    assert "dossier.apology_allowed" not in patterns["MetricsRule"]["detail-type"]


def test_a_hand_written_event_type_list_that_differs_from_the_code_is_refused() -> None:
    template = {"Resources": {"MetricsRule": {"Type": "AWS::Events::Rule", "Properties": {
        "EventPattern": {"source": ["motcua.dossiers"], "detail-type": ["dossier.submitted"]}}}}}
    with pytest.raises(PackageError, match="MetricsRule"):
        finalize_template(template)


def test_authorizer_patch_without_matching_authorizer_is_refused() -> None:
    patch = {"MotCuaUsers": {"x-amazon-apigateway-authorizer": {"providerARNs": [POOL_ARN]}}}
    template = {"Resources": {"RestAPI": {
        "Type": "AWS::Serverless::Api",
        "Properties": {"DefinitionBody": {"securityDefinitions": patch}},
    }}}
    with pytest.raises(PackageError, match="MotCuaUsers"):
        finalize_template(template)


# ----------------------------------------------------------------------------- helpers


def test_short_tags_load_as_long_form() -> None:
    loaded = loads_template(
        "A: !Ref X\n"
        "B: !GetAtt Db.Endpoint.Address\n"
        "C: !Sub ['${a}-x', {a: !Ref Y}]\n"
        "D: !Join ['', [!Ref Z, !GetAtt [Q, Arn]]]\n"
    )
    assert loaded == {
        "A": {"Ref": "X"},
        "B": {"Fn::GetAtt": ["Db", "Endpoint.Address"]},
        "C": {"Fn::Sub": ["${a}-x", {"a": {"Ref": "Y"}}]},
        "D": {"Fn::Join": ["", [{"Ref": "Z"}, {"Fn::GetAtt": ["Q", "Arn"]}]]},
    }


def test_a_loaded_template_is_plain_data_that_dumps_back_unchanged() -> None:
    # cfn-lint's loader yields position-carrying subclasses of dict/list/str, which yaml.SafeDumper refuses.
    loaded = load_template(REPO_ROOT / "infra" / "resources.yaml")
    assert yaml.safe_load(dump_template(loaded)) == loaded


def test_a_template_with_a_duplicate_key_is_refused() -> None:
    with pytest.raises(yaml.YAMLError, match="Duplicate"):
        loads_template("Resources:\n  A: {Type: X}\n  A: {Type: Y}\n")


def test_deploy_points_every_function_at_the_uploaded_zip(scratch: dict[str, Any]) -> None:
    assert deploy.local_artifacts(scratch) == {"./deployment.zip"}
    final = deploy.rewrite_code_uris(scratch, {"./deployment.zip": "s3://artifacts/motcua/prod/abc.zip"})
    uris = {r["Properties"]["CodeUri"] for r in final["Resources"].values()
            if r["Type"] == "AWS::Serverless::Function"}
    assert uris == {"s3://artifacts/motcua/prod/abc.zip"}
    # A copy: the packaged template is left as Chalice wrote it.
    assert scratch["Resources"]["APIHandler"]["Properties"]["CodeUri"] == "./deployment.zip"
    with pytest.raises(deploy.DeployError):
        deploy.rewrite_code_uris(scratch, {})


def test_deploy_decides_create_or_update_from_the_stack_status() -> None:
    assert deploy.change_set_type(None) == "CREATE"
    assert deploy.change_set_type("REVIEW_IN_PROGRESS") == "CREATE"
    assert deploy.change_set_type("UPDATE_ROLLBACK_COMPLETE") == "UPDATE"
    for status in ("ROLLBACK_COMPLETE", "UPDATE_IN_PROGRESS"):
        with pytest.raises(deploy.DeployError):
            deploy.change_set_type(status)
    assert deploy.is_empty_change_set(
        "The submitted information didn't contain changes. "
        "Submit different information to create a change set.")


def test_deploy_uploads_content_addressed_artifacts(
    scratch: dict[str, Any], scratch_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "ap-southeast-1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        s3 = boto3.client("s3", region_name="ap-southeast-1")
        deploy.ensure_bucket(s3, "motcua-artifacts-test", "ap-southeast-1")
        deploy.ensure_bucket(s3, "motcua-artifacts-test", "ap-southeast-1")  # exists: reused
        first = deploy.upload_artifacts(s3, "motcua-artifacts-test", "prod", scratch_path.parent, scratch)
        again = deploy.upload_artifacts(s3, "motcua-artifacts-test", "prod", scratch_path.parent, scratch)
        assert first == again  # same zip, same key: CloudFormation sees no code change
        key = first["./deployment.zip"].removeprefix("s3://motcua-artifacts-test/")
        assert s3.head_object(Bucket="motcua-artifacts-test", Key=key)["ContentLength"] > 0
        public = s3.get_public_access_block(Bucket="motcua-artifacts-test")["PublicAccessBlockConfiguration"]
        assert all(public.values())
