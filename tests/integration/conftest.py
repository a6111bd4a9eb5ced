"""In-process integration stack: moto's DynamoDB, S3 and friends built from infra/resources.yaml,
with the seed catalogue published, plus helpers to drive the services as the API handlers do."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache

import boto3
import pytest
from moto import mock_aws

from chalicelib.api import schemas, validation
from chalicelib.domain.dossier import Dossier
from chalicelib.domain.principal import Principal
from chalicelib.domain.procedures import load_seed_catalogue
from chalicelib.domain.states import Role
from chalicelib.services import uploads as upload_service
from chalicelib.services.dossiers import DossierService
from chalicelib.store.uploads import UploadStore
from scripts.moto_fidelity import serialise_dynamodb_writes
from scripts.provision import provision
from tests.samples import PDF, PNG

STAGE = "itest"
REGION = "ap-southeast-1"
AGENCY = "000.00.20.H26"  # Hà Nội Department of Labour
OTHER_AGENCY = "000.00.20.H29"  # Hồ Chí Minh City Department of Labour
WORK_PERMIT = "1.014199"  # business applicants only, online level "partial" (no online delivery)


BUSINESS = {"type": "business", "name": "Công ty TNHH Ví Dụ", "tax_code": "0100109106",
            "address": "1 Trần Hưng Đạo, Hà Nội", "phone": "02438253000", "email": "hr@example.vn",
            "representative": {"full_name": "Lê Văn Cường"}}


@pytest.fixture(scope="module")
def provisioned() -> Iterator[dict[str, str]]:
    """moto with every resource of infra/resources.yaml and the seed catalogue, once per module
    (provisioning takes most of a second; emptying the tables between tests takes milliseconds)."""
    import chalicelib.store.models as models
    from chalicelib.store import procedures
    from scripts.demo import seed_catalogue

    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        patch.delenv("AWS_PROFILE", raising=False)
        serialise_dynamodb_writes()
        env = provision(None, STAGE)
        for key, value in env.items():
            if key != "AWS_ENDPOINT_URL":  # the in-process mock needs no endpoint
                patch.setenv(key, value)
        models._bound = None  # caches keyed on the settings: rebuild them for this stack
        procedures._cache.clear()
        seed_catalogue()
        yield env
        procedures._cache.clear()
        models._bound = None


@pytest.fixture
def stack(provisioned: dict[str, str]) -> dict[str, str]:
    """The provisioned stack with no dossiers, events, counters, idempotency keys or uploads:
    each test starts from an empty store (the events stream keeps earlier tests' records)."""
    ddb = boto3.client("dynamodb", region_name=REGION)
    for table_key in ("DOSSIERS_TABLE", "EVENTS_TABLE", "CONTROL_TABLE"):
        table = provisioned[table_key]
        key_names = [k["AttributeName"] for k in ddb.describe_table(TableName=table)["Table"]["KeySchema"]]
        names = {f"#k{i}": name for i, name in enumerate(key_names)}
        pages = ddb.get_paginator("scan").paginate(TableName=table, ProjectionExpression=", ".join(names),
                                                   ExpressionAttributeNames=names)
        for page in pages:
            for item in page["Items"]:
                ddb.delete_item(TableName=table, Key=item)
    return provisioned


# --------------------------------------------------------------------------- principals


def citizen(name: str | None = None) -> Principal:
    """A citizen nobody else uses: owner-scoped lists and idempotency keys start empty."""
    suffix = name or uuid.uuid4().hex[:10]
    return Principal(id=f"citizen-{suffix}", username=f"citizen.{suffix}", roles=frozenset({Role.CITIZEN}),
                     name="Nguyễn Văn An")


def officer(agency: str = AGENCY, name: str | None = None) -> Principal:
    suffix = name or uuid.uuid4().hex[:10]
    return Principal(id=f"officer-{suffix}", username=f"officer.{suffix}", roles=frozenset({Role.OFFICER}),
                     agency_code=agency, name="Lê Thị Hoa")


# --------------------------------------------------------------------------- uploads


@cache
def procedure_spec(code: str = WORK_PERMIT):
    return next(p for p in load_seed_catalogue() if p.code == code)


def content_for(component_id: str, code: str = WORK_PERMIT) -> tuple[bytes, str]:
    """File bytes and content type the component accepts (PDF where it can, else PNG)."""
    spec = procedure_spec(code).component(component_id)
    if "application/pdf" in spec.accepted_types:
        return PDF, "application/pdf"
    return PNG, "image/png"


def now() -> datetime:
    return datetime.now(UTC)


def create_upload(principal: Principal, component_id: str, content_type: str, size: int,
                  code: str = WORK_PERMIT) -> dict:
    request = validation.parse(schemas.CreateUpload, {
        "procedure_code": code, "component_id": component_id, "file_name": f"{component_id}.bin",
        "content_type": content_type, "size": size})
    return upload_service.create_upload(principal, request, now())


def s3_key(upload_id: str) -> str:
    return UploadStore().raw(upload_id).doc.as_dict()["s3_key"]


def put_object(upload_id: str, body: bytes) -> None:
    from chalicelib.settings import get_settings
    from chalicelib.store.aws import client

    client("s3").put_object(Bucket=get_settings().documents_bucket, Key=s3_key(upload_id), Body=body)


def upload(principal: Principal, component_id: str, content: bytes | None = None,
           content_type: str | None = None, verify: bool = True, code: str = WORK_PERMIT) -> str:
    """An upload record, its object in the bucket and (by default) its verification; returns the id."""
    default_content, default_type = content_for(component_id, code)
    content = default_content if content is None else content
    content_type = content_type or default_type
    upload_id = create_upload(principal, component_id, content_type, len(content), code)["id"]
    put_object(upload_id, content)
    if verify:
        upload_service.verify(principal, upload_id)
    return upload_id


# --------------------------------------------------------------------------- submissions


def submission_body(principal: Principal, code: str = WORK_PERMIT, summary: str = "Hồ sơ thử nghiệm") -> dict:
    """A complete raw request body: every required component with one verified upload."""
    components = [{"component_id": c.id, "upload_ids": [upload(principal, c.id, code=code)]}
                  for c in procedure_spec(code).components if c.required]
    return {"procedure_code": code, "applicant": dict(BUSINESS), "summary": summary,
            "components": components, "delivery": {"method": "desk"}}


def submit(principal: Principal, body: dict, key: str | None = None) -> tuple[Dossier, bool]:
    request = validation.parse(schemas.SubmitDossier, body)
    return DossierService().submit(principal, request, body, key or uuid.uuid4().hex, now())


def submitted(principal: Principal | None = None) -> Dossier:
    principal = principal or citizen()
    return submit(principal, submission_body(principal))[0]
