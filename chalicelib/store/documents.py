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

    One ranged GET: at most `max_size + 1` bytes come back, and the object's whole size is in
    `Content-Range`, so an oversized object is condemned without being read in full.
    """
    s3 = client("s3")
    bucket = get_settings().documents_bucket
    try:
        got = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{max_size}")
    except s3.exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code in ("404", "NoSuchKey", "NotFound"):
            return None
        if code == "InvalidRange":  # an empty object has no byte 0
            return StoredObject(size=0, content_type=None, sha256="", version_id=_version_of(s3, bucket, key))
        raise
    size = _total_size(got)
    version_id = got.get("VersionId")
    if size > max_size or size == 0:
        got["Body"].close()
        return StoredObject(size=size, content_type=None, sha256="", version_id=version_id)
    body = got["Body"].read()
    return StoredObject(size=len(body), content_type=sniff_content_type(body[:SNIFF_BYTES]),
                        sha256=hashlib.sha256(body).hexdigest(), version_id=version_id, body=body,
                        stored_type=got.get("ContentType"))


def read(key: str, version_id: str | None) -> bytes:
    """The bytes of one stored version (a verified file the platform works on, e.g. a result it signs)."""
    params = {"Bucket": get_settings().documents_bucket, "Key": key}
    if version_id:
        params["VersionId"] = version_id
    return client("s3").get_object(**params)["Body"].read()


def _total_size(got: dict) -> int:
    """`Content-Range: bytes 0-99/1234` names the whole object's size; without it the body is all there is."""
    whole = (got.get("ContentRange") or "").rpartition("/")[2]
    return int(whole) if whole.isdigit() else int(got["ContentLength"])


def _version_of(s3, bucket: str, key: str) -> str | None:
    return s3.head_object(Bucket=bucket, Key=key).get("VersionId")


def replace(key: str, body: bytes, content_type: str) -> str | None:
    """Store the platform's own version of an object (disarmed bytes, verified Content-Type) over the
    uploader's; returns its version id, which downloads then name so only this version is ever served."""
    return put(key, body, content_type)


def put(key: str, body: bytes, content_type: str) -> str | None:
    """Store bytes the platform itself fetched (a file forwarded by the national portal); its version id."""
    settings = get_settings()
    extra = {}
    if settings.documents_kms_key_id:
        extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": settings.documents_kms_key_id}
    written = client("s3").put_object(Bucket=settings.documents_bucket, Key=key, Body=body,
                                      ContentType=content_type, **extra)
    return written.get("VersionId")


def delete_all_versions(key: str) -> None:
    """Remove an object with every version of it (a forward that failed half-way leaves nothing behind)."""
    s3 = client("s3")
    bucket = get_settings().documents_bucket
    listed = s3.list_object_versions(Bucket=bucket, Prefix=key)
    doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
              for v in listed.get("Versions", []) + listed.get("DeleteMarkers", []) if v["Key"] == key]
    if doomed:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
