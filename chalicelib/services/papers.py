"""Papers given once (docs/papers.md): the use cases of the applicant's store — what a submission may reuse, the
papers a dossier's change puts in the store (in that change's own transaction), the citizen's and the desk's lists,
and a short-lived link to a paper's stored object."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from ..domain import papers as rules
from ..domain.errors import NotFound
from ..domain.event_types import EventType
from ..domain.events import Event
from ..domain.papers import Paper
from ..domain.principal import Principal
from ..observability import count, get_logger
from ..store.papers import PaperStore, paper_model

# DynamoDB takes at most 100 writes in one transaction; the dossier's own writes come first.
TRANSACTION_ITEMS = 100


@dataclass(frozen=True)
class Reuse:
    """What a submission found in the applicant's store: the papers it asked to reuse (those the owner's store holds),
    and the components for which the store held a paper it could have reused."""

    owner: str | None
    papers: dict[str, Paper] = field(default_factory=dict)
    reusable: list[str] = field(default_factory=list)


def submitter_store(principal: Principal, at_desk: bool, applicant: dict) -> str | None:
    """The store a submission reuses from and adds to: the citizen's account's, or — at the desk, the person in
    front of the officer — the applicant's identity number's. A dossier forwarded by the national portal reuses
    nothing here (the portal keeps its own store), so it is not judged on what it could have reused."""
    from ..domain.national_portal import PORTAL_PRINCIPAL_ID

    if principal.id == PORTAL_PRINCIPAL_ID:
        return None
    return rules.store_owner(rules.WALK_IN if at_desk else principal.id, applicant)


def for_submission(owner: str | None, procedure, components: list[dict], today: date,
                   with_reusable: bool = True) -> Reuse:
    """The papers `components` ask to reuse, read from `owner`'s store only (another owner's paper is not found), and,
    `with_reusable`, which components the store could have filled: one query per reusable component type (a form made
    for one dossier is never reused), the newest few papers of it."""
    if owner is None:
        return Reuse(None)
    store = PaperStore()
    requested = rules.requested_paper_ids(components)
    found = store.get_many(owner, requested) if requested else {}
    reusable: list[str] = []
    if with_reusable:
        types = rules.types_on(today)
        kinds = [kind for c in components if procedure.component(c["component_id"]) is not None
                 and types.reusable(kind := types.component_type(procedure.code, c["component_id"]))]
        reusable = rules.reusable_components(procedure, components, store.newest_of_types(owner, kinds), today)
    return Reuse(owner, found, reusable)


def written_by(dossier, event: Event, procedure_of: Callable[[], object]) -> list[Paper]:
    """The papers a dossier's change puts in its applicant's store: the files newly given with a submission or a
    supplement, and the results once returned to the applicant (before that a result may still wait for its fee or
    its hand-over: the applicant may not download it yet, so it is not in their store either)."""
    owner = rules.store_owner(dossier.owner_id, dossier.applicant)
    if owner is None:
        return []
    at = event.at
    if event.type == EventType.SUBMITTED:
        return rules.papers_from_components(owner, dossier, procedure_of(), dossier.components, at)
    if event.type == EventType.RESUBMITTED:
        added = {f["upload_id"] for c in event.payload.get("added_components") or [] for f in c.get("files") or []}
        components = [{"component_id": c["component_id"],
                       "files": [f for f in c.get("files") or [] if f.get("upload_id") in added]}
                      for c in dossier.components]
        return rules.papers_from_components(owner, dossier, procedure_of(), components, at)
    if event.type == EventType.RETURNED and dossier.results:
        procedure = procedure_of()
        return rules.papers_from_results(owner, dossier, (procedure.name_vi, procedure.name_en),
                                         rules.result_issued_at(dossier) or at)
    return []


def split(papers: list[Paper], used: int) -> tuple[list, list[Paper]]:
    """The items that fit in a transaction already holding `used` writes, and the papers left for after it."""
    room = max(0, TRANSACTION_ITEMS - used)
    return [paper_model(p) for p in papers[:room]], papers[room:]


def put_after(papers: list[Paper]) -> None:
    """Papers a very large dossier could not fit in its transaction, put once it committed. The dossier stands
    whatever happens here: a failure is logged and counted (`PaperWriteFailed`) rather than answered as an error."""
    if not papers:
        return
    try:
        PaperStore().put_all(papers)
    except Exception:  # the dossier is in; its papers are a convenience on top of it
        get_logger().exception("papers write failed", extra={"papers": [p.id for p in papers]})
        count("PaperWriteFailed")


# -- reads ----------------------------------------------------------------------------------------------------


def listing(owner: str, today: date, limit: int, cursor: str | None, paper_type: str | None = None,
            procedure=None) -> tuple[list[Paper], list[dict], str | None]:
    """An owner's papers as the API lists them: newest first, a page at a time; with `procedure`, instead, only the
    papers a dossier of it could reuse today, each with the components it fits (not paged: a few per component)."""
    store = PaperStore()
    if procedure is None:
        items, next_cursor = store.page(owner, limit, cursor, paper_type)
        return items, [p.view(today) for p in items], next_cursor
    types = rules.types_on(today)
    kinds = [types.component_type(procedure.code, c.id) for c in procedure.components]
    by_type = store.newest_of_types(owner, [kind for kind in kinds if types.reusable(kind)])
    fits: dict[str, list[str]] = {}
    found: dict[str, Paper] = {}
    for spec in procedure.components:
        for paper in by_type.get(types.component_type(procedure.code, spec.id), []):
            if rules.fit_problem(paper, procedure, spec, today) is None:
                found[paper.id] = paper
                fits.setdefault(paper.id, []).append(spec.id)
    items = sorted(found.values(), key=lambda p: p.id, reverse=True)
    return items, [p.view(today, fits[p.id]) for p in items], None


def paper_of(owner: str, paper_id: str) -> Paper:
    paper = PaperStore().get(owner, paper_id) if paper_id and len(paper_id) <= 64 else None
    if paper is None:
        raise NotFound("paper_not_found")
    return paper


def download(paper: Paper) -> dict:
    """A short-lived link to the paper's stored object: the version that was verified (or issued), as the dossier's
    own download gives it."""
    from ..store import documents
    from ..store.uploads import UploadStore
    from .uploads import DOWNLOAD_TTL_SECONDS

    raw = UploadStore().raw(paper.id)
    if raw is None:
        raise NotFound("paper_not_found")
    doc = raw.doc.as_dict()
    return documents.presigned_get(doc["s3_key"], doc.get("version_id"), paper.file_name, DOWNLOAD_TTL_SECONDS)


def record_desk_read(principal: Principal, papers: list[Paper], method: str, route: str, now: datetime,
                     file_id: str | None = None) -> None:
    """A desk officer read a walk-in applicant's papers: one access-log entry per dossier they came from, so whoever
    audits a dossier sees who looked at its papers, and when (docs/api.md "Access log")."""
    from .access_log import record_source_read

    for dossier_id, code in dict.fromkeys((p.dossier_id, p.dossier_code) for p in papers):
        record_source_read(principal, dossier_id, code, method, route, now, file_id)
