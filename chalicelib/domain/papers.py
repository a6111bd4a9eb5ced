"""Papers given once (once-only, docs/papers.md): the applicant's store of documents the platform already holds, as
pure rules — whose store a dossier's papers go to, what type and validity each paper has, whether a paper may stand
in for a component of a new dossier, and what a submission tells the metrics about reuse.

A paper is one verified stored object: a file given for a component (the upload's object) or a result the platform
issued. It refers to that object (its upload id, which is also the paper's id); the bytes are never copied, so a
reused paper is the same object in both dossiers.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from .calendar import local_day
from .errors import FieldError
from .national_portal import PORTAL_PRINCIPAL_ID
from .times import iso, parse_iso

_DATA = Path(__file__).resolve().parent.parent / "data" / "paper_types.json"

# Whose store: a citizen account's (its subject), or an identity number's (a citizen ID or a tax code).
ACCOUNT, ID_NUMBER = "acct#", "id#"
WALK_IN = "walk-in:"  # the owner of a dossier the desk took in for an applicant without an account
SOURCE_COMPONENT, SOURCE_RESULT = "component", "result"
# How many of an owner's newest papers of one type a submission looks at to find one it could reuse.
CANDIDATES_PER_TYPE = 10


@dataclass(frozen=True)
class Paper:
    owner: str
    id: str  # the upload id of the stored object
    type: str
    name_vi: str
    name_en: str
    source: str  # SOURCE_COMPONENT or SOURCE_RESULT
    file_name: str
    content_type: str
    size: int
    sha256: str
    dossier_id: str
    dossier_code: str
    agency_code: str
    procedure_code: str
    component_id: str | None  # the component it was given for (None for a result)
    accepted_at: str  # UTC ISO: submitted with a dossier, or the result issued
    valid_until: str | None = None  # a local date (inclusive); None: no end

    def valid_on(self, day: date) -> bool:
        return self.valid_until is None or day <= date.fromisoformat(self.valid_until)

    def as_file(self) -> dict:
        """The file of a component that reuses this paper: the stored object itself, marked as reused."""
        return {"upload_id": self.id, "file_name": self.file_name, "content_type": self.content_type,
                "size": self.size, "sha256": self.sha256, "paper_id": self.id}

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Paper:
        """As stored: the fields without a value (a result's component, an open validity) are left out."""
        data = {"component_id": None, **{k: v for k, v in data.items() if k in cls.__dataclass_fields__}}
        data["size"] = int(data["size"])
        return cls(**data)

    def view(self, today: date, fits: list[str] | None = None) -> dict:
        """As the API shows it: `valid` today, and with `fits` the components of a procedure it may stand in for."""
        data = {k: v for k, v in self.to_dict().items() if k not in ("owner", "file_name", "content_type", "size",
                                                                     "sha256")}
        data["file"] = {"upload_id": self.id, "file_name": self.file_name, "content_type": self.content_type,
                        "size": self.size, "sha256": self.sha256}
        data["valid"] = self.valid_on(today)
        if fits is not None:
            data["fits"] = fits
        return data


# -- whose store ------------------------------------------------------------------------------------------


def account_owner(account_id: str) -> str:
    return f"{ACCOUNT}{account_id}"


def id_number_owner(id_number: str) -> str:
    return f"{ID_NUMBER}{id_number.strip().upper()}"


def applicant_id_number(applicant: dict) -> str | None:
    """The applicant's identity number as the dossier records it: a person's citizen ID, a business's tax code."""
    value = applicant.get("citizen_id") if applicant.get("type", "person") == "person" else applicant.get("tax_code")
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


def store_owner(dossier_owner_id: str, applicant: dict) -> str | None:
    """Whose store a dossier's papers go to. A citizen account's dossier: the account's. A dossier without an account
    behind it — taken in at the desk, or forwarded by the national portal (where the person signed in with the
    national identity) — the applicant's identity number's, which only a desk officer with the person in front of
    them reads. A self-declared ID number in an account's dossier never writes into an identity number's store."""
    if dossier_owner_id.startswith(WALK_IN) or dossier_owner_id == PORTAL_PRINCIPAL_ID:
        number = applicant_id_number(applicant)
        return id_number_owner(number) if number else None
    return account_owner(dossier_owner_id)


# -- types and validity -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperTypes:
    """One version of chalicelib/data/paper_types.json."""

    effective_from: date
    per_dossier: frozenset[str]  # component ids of forms filled in for one dossier: stored, never reused
    aliases: dict
    valid_months: dict
    names: dict
    results: dict

    def component_type(self, procedure_code: str, component_id: str) -> str:
        if component_id in self.per_dossier:
            return f"{procedure_code}:{component_id}"
        return self.aliases.get(component_id, component_id)

    def reusable(self, paper_type: str) -> bool:
        """A form filled in for one dossier is a record of what was given, not a paper to give again."""
        _, kept_per_dossier, component_id = paper_type.rpartition(":")
        return not (kept_per_dossier and component_id in self.per_dossier)

    def result_type(self, procedure_code: str) -> str:
        return self.results.get(procedure_code) or f"result:{procedure_code}"

    def valid_until(self, paper_type: str, accepted_on: date) -> date | None:
        months = self.valid_months.get(paper_type)
        return add_months(accepted_on, months) if months else None

    def name(self, paper_type: str) -> tuple[str, str] | None:
        found = self.names.get(paper_type)
        return (found["vi"], found["en"]) if found else None


@lru_cache(maxsize=1)
def _versions() -> tuple[PaperTypes, ...]:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    found = [PaperTypes(effective_from=date.fromisoformat(v["effective_from"]),
                        per_dossier=frozenset(v.get("per_dossier", ())), aliases=dict(v.get("aliases", {})),
                        valid_months={k: int(m) for k, m in v.get("valid_months", {}).items()},
                        names=dict(v.get("names", {})), results=dict(v.get("results", {})))
             for v in data["versions"]]
    return tuple(sorted(found, key=lambda v: v.effective_from))


def types_on(day: date) -> PaperTypes:
    """The paper types in effect on `day` (the earliest version before any is in effect)."""
    eligible = [v for v in _versions() if v.effective_from <= day]
    return eligible[-1] if eligible else _versions()[0]


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 August + 6 months: 28/29 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -- papers a dossier puts in the store -------------------------------------------------------------------


def papers_from_components(owner: str, dossier, procedure, components: list[dict], at: datetime) -> list[Paper]:
    """The papers of the files newly given for a dossier's components (`components`: [{component_id, files}]);
    a file that is itself a reused paper is already in the store."""
    types = types_on(local_day(at))
    found = []
    for component in components:
        spec = procedure.component(component["component_id"])
        kind = types.component_type(procedure.code, component["component_id"])
        until = types.valid_until(kind, local_day(at))
        for f in component.get("files") or []:
            if f.get("paper_id") or not f.get("sha256"):
                continue
            found.append(Paper(
                owner=owner, id=f["upload_id"], type=kind,
                name_vi=spec.name_vi if spec else component["component_id"],
                name_en=spec.name_en if spec else component["component_id"],
                source=SOURCE_COMPONENT, file_name=f.get("file_name") or f["upload_id"],
                content_type=f.get("content_type") or "application/octet-stream", size=int(f.get("size") or 0),
                sha256=f["sha256"], dossier_id=dossier.id, dossier_code=dossier.code, agency_code=dossier.agency_code,
                procedure_code=dossier.procedure_code, component_id=component["component_id"], accepted_at=iso(at),
                valid_until=until.isoformat() if until else None))
    return found


def papers_from_results(owner: str, dossier, procedure_name: tuple[str, str], issued_at: datetime) -> list[Paper]:
    """The papers of the result documents the platform issued for a dossier (valid from the day they were issued)."""
    types = types_on(local_day(issued_at))
    kind = types.result_type(dossier.procedure_code)
    until = types.valid_until(kind, local_day(issued_at))
    name_vi, name_en = types.name(kind) or (f"Kết quả: {procedure_name[0]}", f"Result: {procedure_name[1]}")
    return [Paper(owner=owner, id=r["upload_id"], type=kind, name_vi=name_vi, name_en=name_en, source=SOURCE_RESULT,
                  file_name=r.get("file_name") or r["upload_id"],
                  content_type=r.get("content_type") or "application/pdf",
                  size=int(r.get("size") or 0), sha256=r["sha256"], dossier_id=dossier.id, dossier_code=dossier.code,
                  agency_code=dossier.agency_code, procedure_code=dossier.procedure_code, component_id=None,
                  accepted_at=iso(issued_at), valid_until=until.isoformat() if until else None)
            for r in dossier.results if r.get("sha256")]


def result_issued_at(dossier) -> datetime | None:
    """When the dossier's result was issued: its hand-over to the desk on the control slip."""
    step = next((s for s in reversed(dossier.control_slip) if s.get("action") == "issue_result"), None)
    return parse_iso(step.get("handed_at")) if step else None


# -- reusing papers in a new dossier ----------------------------------------------------------------------


def fit_problem(paper: Paper, procedure, spec, today: date) -> tuple[str, dict] | None:
    """Why `paper` may not stand in for the component `spec` of `procedure` today (a message code and its
    parameters), or None when it may."""
    types = types_on(today)
    expected = types.component_type(procedure.code, spec.id)
    if paper.type != expected:
        return "paper.wrong_type", {"paper_id": paper.id, "type": paper.type, "expected": expected}
    if not types.reusable(paper.type):
        return "paper.not_reusable", {"paper_id": paper.id}
    if not paper.valid_on(today):
        return "paper.expired", {"paper_id": paper.id, "valid_until": paper.valid_until}
    if paper.content_type not in spec.accepted_types:
        return "file.type_not_accepted", {"content_type": paper.content_type,
                                          "accepted": ", ".join(spec.accepted_types)}
    if paper.size > spec.max_size_bytes:
        return "file.too_large", {"size": paper.size, "max": spec.max_size_bytes}
    return None


def check_papers(procedure, components: list[dict], papers: dict[str, Paper], today: date,
                 prefix: str = "components") -> list[FieldError]:
    """The papers a submission reuses (`components`: [{component_id, papers: [paper ids]}]; `papers`: those the
    store found in the caller's own store — another owner's paper is simply not there)."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, item in enumerate(components):
        spec = procedure.component(item["component_id"])
        for j, paper_id in enumerate(item.get("papers") or []):
            field = f"{prefix}[{i}].papers[{j}]"
            paper = papers.get(paper_id)
            if paper is None:
                errors.append(FieldError(field, "paper.not_found", {"paper_id": paper_id}))
                continue
            if paper_id in seen:
                errors.append(FieldError(field, "paper.duplicate", {"paper_id": paper_id}))
            seen.add(paper_id)
            if spec is None:
                continue  # the unknown component is reported on its own field
            problem = fit_problem(paper, procedure, spec, today)
            if problem:
                errors.append(FieldError(field, *problem))
    return errors


def requested_paper_ids(components: list[dict]) -> list[str]:
    return list(dict.fromkeys(p for c in components for p in c.get("papers") or []))


def reusable_components(procedure, components: list[dict], candidates: dict[str, list[Paper]],
                        today: date) -> list[str]:
    """The components of a submission for which the applicant's store held, when submitting, a paper that could
    stand in for it (`candidates`: the store's newest papers by type), and those filled with a reused paper."""
    types = types_on(today)
    found = []
    for item in components:
        spec = procedure.component(item["component_id"])
        if spec is None:
            continue
        held = candidates.get(types.component_type(procedure.code, spec.id), [])
        if item.get("papers") or any(fit_problem(p, procedure, spec, today) is None for p in held):
            found.append(spec.id)
    return list(dict.fromkeys(found))


def reuse_of(components: list[dict], reusable: list[str]) -> tuple[bool, bool, bool]:
    """What a submission counts for the metrics, from its event: (reused — at least one component filled with a
    stored paper; reusable — the store held a paper for at least one component; not asked again — every such
    component was filled from the store). `components` as the event records them ({component_id, files: [{...,
    paper_id?}]}), `reusable` the component ids the event lists."""
    reused = {c["component_id"] for c in components if any(f.get("paper_id") for f in c.get("files") or [])}
    could = set(reusable) | reused
    return bool(reused), bool(could), bool(could) and could <= reused
