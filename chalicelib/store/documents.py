"""Dossier files in S3: presigned uploads, and verification of what actually arrived."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..domain.files import SNIFF_BYTES, sniff_content_type
from ..settings import get_settings
from .aws import client


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str | None  # detected from the bytes
    sha256: str
    version_id: str | None
    body: bytes = b""  # the bytes themselves when they were read (not for empty or oversized objects)
    stored_type: str | None = None  # the Content-Type S3 holds, as the uploader set it


def presigned_post(key: str, content_type: str, max_size: int, ttl_seconds: int) -> dict:
    settings = get_settings()
    fields = {"Content-Type": content_type}
    conditions: list = [{"Content-Type": content_type}, ["content-length-range", 1, max_size]]
    if settings.documents_kms_key_id:
        fields["x-amz-server-side-encryption"] = "aws:kms"
        fields["x-amz-server-side-encryption-aws-kms-key-id"] = settings.documents_kms_key_id
        conditions += [{"x-amz-server-side-encryption": "aws:kms"},
                       {"x-amz-server-side-encryption-aws-kms-key-id": settings.documents_kms_key_id}]
    return client("s3").generate_presigned_post(Bucket=settings.documents_bucket, Key=key, Fields=fields,
                                                Conditions=conditions, ExpiresIn=ttl_seconds)


def presigned_get(key: str, version_id: str | None, file_name: str, ttl_seconds: int) -> dict:
    params = {"Bucket": get_settings().documents_bucket, "Key": key,
              "ResponseContentDisposition": f'attachment; filename="{file_name}"'}
    if version_id:
        params["VersionId"] = version_id
    url = client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=ttl_seconds)
    return {"url": url, "expires_in": ttl_seconds}


def inspect(key: str, max_size: int) -> StoredObject | None:
    """Size, real type and SHA-256 of the stored object, or None if nothing was uploaded.

    Oversized objects are not read in full: the size alone condemns them.
    """
    s3 = client("s3")
    bucket = get_settings().documents_bucket
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    size = int(head["ContentLength"])
    version_id = head.get("VersionId")
    if size > max_size or size == 0:
        return StoredObject(size=size, content_type=None, sha256="", version_id=version_id)
    extra = {"VersionId": version_id} if version_id else {}
    # Read whole: disarming parses the file, and the size was just bounded by max_size.
    body = s3.get_object(Bucket=bucket, Key=key, **extra)["Body"].read()
    return StoredObject(size=len(body), content_type=sniff_content_type(body[:SNIFF_BYTES]),
                        sha256=hashlib.sha256(body).hexdigest(), version_id=version_id, body=body,
                        stored_type=head.get("ContentType"))


def replace(key: str, body: bytes, content_type: str) -> str | None:
    """Store the platform's own version of an object (disarmed bytes, verified Content-Type) over the
    uploader's; returns its version id, which downloads then name so only this version is ever served."""
    settings = get_settings()
    extra = {}
    if settings.documents_kms_key_id:
        extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": settings.documents_kms_key_id}
    written = client("s3").put_object(Bucket=settings.documents_bucket, Key=key, Body=body,
                                      ContentType=content_type, **extra)
    return written.get("VersionId")
