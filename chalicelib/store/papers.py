"""The papers table: each applicant's store, one partition per owner (docs/papers.md). Every read names its owner, so
one applicant's reads never see another's papers and never grow with the number of dossiers anyone filed."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from ..domain.papers import CANDIDATES_PER_TYPE, Paper
from . import cursors
from .models import PaperModel, bind

TYPE_INDEX = "type-index"
BATCH_GET_KEYS = 100


def paper_model(paper: Paper) -> PaperModel:
    """The item a transaction writes: the same key and content each time, so writing it twice is harmless."""
    doc = {k: v for k, v in paper.to_dict().items() if k not in ("owner", "id") and v is not None}
    return PaperModel(owner=paper.owner, paper_id=paper.id, owner_type=f"{paper.owner}#{paper.type}", doc=doc)


def _paper(model: PaperModel) -> Paper:
    return Paper.from_dict({**model.doc.as_dict(), "owner": model.owner, "id": model.paper_id})


def _from_raw(item: dict) -> Paper:
    return _paper(PaperModel.from_raw_data(item))


class PaperStore:
    def __init__(self) -> None:
        bind()

    def put_all(self, papers: list[Paper]) -> None:
        """Papers that did not fit in their dossier's transaction (docs/papers.md): put on their own, idempotent."""
        with PaperModel.batch_write() as batch:
            for paper in papers:
                batch.save(paper_model(paper))

    def get(self, owner: str, paper_id: str) -> Paper | None:
        try:
            return _paper(PaperModel.get(owner, paper_id, consistent_read=True))
        except DoesNotExist:
            return None

    def get_many(self, owner: str, paper_ids: list[str]) -> dict[str, Paper]:
        """The owner's papers with these ids (an id another owner's store holds is simply absent)."""
        keys = list(dict.fromkeys(paper_ids))
        found: dict[str, Paper] = {}
        for first in range(0, len(keys), BATCH_GET_KEYS):
            for model in PaperModel.batch_get([(owner, k) for k in keys[first:first + BATCH_GET_KEYS]],
                                              consistent_read=True):
                paper = _paper(model)
                found[paper.id] = paper
        return found

    def page(self, owner: str, limit: int, cursor: str | None,
             paper_type: str | None = None) -> tuple[list[Paper], str | None]:
        """The owner's papers, newest first (of one type, from the type index, when `paper_type` is given)."""
        partition, index = (f"{owner}#{paper_type}", TYPE_INDEX) if paper_type else (owner, None)
        pk_attribute = "owner_type" if paper_type else "owner"
        start = cursors.decode(cursor, {pk_attribute: partition})
        items: list[dict] = []
        while True:
            page = PaperModel._get_connection().query(partition, index_name=index, exclusive_start_key=start,
                                                      limit=limit - len(items), scan_index_forward=False)
            items.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if start is None or len(items) >= limit:
                break
        next_cursor = cursors.encode(start) if start is not None and len(items) >= limit else None
        return [_from_raw(item) for item in items], next_cursor

    def newest_of_types(self, owner: str, paper_types: list[str],
                        per_type: int = CANDIDATES_PER_TYPE) -> dict[str, list[Paper]]:
        """The owner's newest papers of each type: one query per type, whatever the number of papers held."""
        return {kind: self.page(owner, per_type, None, kind)[0] for kind in dict.fromkeys(paper_types)}
