"""Upload records: what a caller asked to upload, and what verification found in the bucket."""

from __future__ import annotations

import contextlib

from pynamodb.exceptions import DoesNotExist, UpdateError

from ..domain.submission import UPLOAD_PENDING, UploadInfo
from .models import ControlModel, bind


def _pk(upload_id: str) -> str:
    return f"UPLOAD#{upload_id}"


def _info(model: ControlModel) -> UploadInfo:
    doc = model.doc.as_dict() if model.doc else {}
    return UploadInfo(id=model.pk.removeprefix("UPLOAD#"), owner_id=model.owner_id, status=model.status,
                      attached_to=model.ref, procedure_code=doc["procedure_code"],
                      component_id=doc["component_id"], file_name=doc["file_name"],
                      content_type=doc.get("content_type"), size=doc.get("size"), sha256=doc.get("sha256"),
                      dossier_id=doc.get("dossier_id"), s3_key=doc.get("s3_key"), version_id=doc.get("version_id"))


class UploadStore:
    def __init__(self) -> None:
        bind()

    def create(self, upload_id: str, owner_id: str, created_at: str, expires_at: int, doc: dict) -> None:
        ControlModel(pk=_pk(upload_id), kind="upload", owner_id=owner_id, status=UPLOAD_PENDING,
                     created_at=created_at, expires_at=expires_at, doc=doc).save(
            condition=ControlModel.pk.does_not_exist())

    def raw(self, upload_id: str) -> ControlModel | None:
        try:
            return ControlModel.get(_pk(upload_id), consistent_read=True)
        except DoesNotExist:
            return None

    def get(self, upload_id: str) -> UploadInfo | None:
        model = self.raw(upload_id)
        return _info(model) if model and model.kind == "upload" else None

    def get_many(self, upload_ids: list[str]) -> dict[str, UploadInfo]:
        keys = list(dict.fromkeys(u for u in upload_ids if u))
        found: dict[str, UploadInfo] = {}
        for model in ControlModel.batch_get([_pk(u) for u in keys], consistent_read=True):
            if model.kind == "upload":
                info = _info(model)
                found[info.id] = info
        return found

    def delete_unattached(self, upload_id: str) -> None:
        """Forget an upload no dossier took (a forward that failed half-way); an attached one stays."""
        from pynamodb.exceptions import DeleteError

        with contextlib.suppress(DeleteError):
            ControlModel(pk=_pk(upload_id)).delete(condition=ControlModel.ref.does_not_exist())

    def record_verification(self, upload_id: str, status: str, findings: dict) -> UploadInfo | None:
        """Only a pending upload is judged, once; the verified record then never changes
        (its expiry is lifted so a verified file's record outlives the pending-upload TTL). Returns the
        record as written (None if it was judged meanwhile), so nobody has to read it again."""
        model = ControlModel(pk=_pk(upload_id))
        actions = [ControlModel.status.set(status), ControlModel.expires_at.remove()]
        actions += [ControlModel.doc[key].set(value) for key, value in findings.items()]
        try:
            model.update(actions=actions, condition=ControlModel.status == UPLOAD_PENDING)
        except UpdateError:
            return None
        return _info(model)  # PynamoDB refreshes the model from the ALL_NEW answer
