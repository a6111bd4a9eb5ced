"""Papers given once over HTTP (docs/papers.md): a citizen's own store, and a walk-in applicant's store as the desk
officer reads it with the person in front of them (every such read in the access log). Heavy imports inside the
handlers: cold start."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice import Blueprint

from .contract import operation, queries, responses
from .http import Problem, json_response

bp = Blueprint(__name__)
TAG = "Papers"


def _today():
    from ..domain.calendar import local_day

    return local_day(datetime.now(UTC))


def _citizen():
    from ..domain.states import Role
    from .auth import authenticate, require

    principal = authenticate(bp.current_request)
    require(principal, Role.CITIZEN)
    return principal


def _officer():
    """A desk officer of any agency: the applicant is at their desk, ID card in hand."""
    from ..domain.states import Role
    from .auth import authenticate, require

    principal = authenticate(bp.current_request)
    require(principal, Role.OFFICER)
    if not principal.agency_code:
        raise Problem(403, "forbidden", "wrong_agency")
    return principal


def _id_number_owner(id_number: str) -> str:
    """The store of a citizen ID (12 digits) or a tax code (10 digits, or 13 with a branch): anything else is a 400,
    before any read."""
    from ..domain.errors import FieldError
    from ..domain.identity import check_citizen_id, check_tax_code
    from ..domain.papers import id_number_owner

    value = (id_number or "").strip().upper()
    if len(value) > 20 or (check_citizen_id(value) and check_tax_code(value)):
        raise Problem(400, "malformed_request", "bad_request_value",
                      errors=[FieldError("id_number", "paper.id_number_invalid")])
    return id_number_owner(value)


def _list(owner: str, query):
    """The page of papers and its answer body (`owner`: the store's kind for the body)."""
    from ..domain.errors import NotFound
    from ..services.papers import listing
    from ..store.procedures import ProcedureStore

    today = _today()
    procedure = None
    if query.procedure:
        procedure = ProcedureStore().effective(query.procedure, today)
        if procedure is None:
            raise NotFound("procedure_not_found")
    return listing(owner, today, query.limit, query.cursor, query.type, procedure)


@operation(bp, "GET", "/me/papers", summary="My papers: what the platform already holds of mine", tag=TAG,
           query=queries.Papers, response=responses.PaperPage, problems=(404,), roles=("citizen",))
def my_papers(query):
    """Every verified file the citizen gave with a dossier and every result returned to them, newest first, with its
    type, the dossier it came from and how long it is valid. `procedure=<code>` answers instead with the papers a new
    dossier of that procedure could reuse today, each with the components it `fits`."""
    from ..domain.papers import account_owner

    principal = _citizen()
    _, items, cursor = _list(account_owner(principal.id), query)
    return json_response({"owner": "account", "items": items, "next_cursor": cursor})


@operation(bp, "GET", "/me/papers/{paper_id}/file", summary="A short-lived link to one of my papers", tag=TAG,
           response=responses.ResultLink, problems=(404,), roles=("citizen",))
def my_paper_file(paper_id):
    """The stored object itself, the version that was verified or issued. Another person's paper is a 404."""
    from ..domain.papers import account_owner
    from ..services.papers import download, paper_of

    principal = _citizen()
    return json_response(download(paper_of(account_owner(principal.id), paper_id)))


@operation(bp, "GET", "/desk/applicants/{id_number}/papers", summary="A walk-in applicant's papers, at intake",
           tag=TAG, query=queries.Papers, response=responses.PaperPage, problems=(404,), roles=("officer",))
def applicant_papers(id_number, query):
    """The papers held for an identity number (a citizen ID or a tax code) from dossiers without an account — taken
    in at a desk, or forwarded by the national portal — for a desk officer of any agency taking in a dossier with
    the applicant present. Each read is recorded in the access log of the dossiers the papers came from. A citizen
    account's papers are never here: only its owner sees them (GET /me/papers)."""
    principal = _officer()
    papers, items, cursor = _list(_id_number_owner(id_number), query)
    _recorded(principal, papers)
    return json_response({"owner": "id_number", "items": items, "next_cursor": cursor})


@operation(bp, "GET", "/desk/applicants/{id_number}/papers/{paper_id}/file",
           summary="A short-lived link to a walk-in applicant's paper", tag=TAG, response=responses.ResultLink,
           problems=(404,), roles=("officer",))
def applicant_paper_file(id_number, paper_id):
    """The stored object of one of the identity number's papers, for the desk officer checking it with the
    applicant; recorded in the access log of the dossier it came from, with the file."""
    from ..services.papers import download, paper_of

    principal = _officer()
    paper = paper_of(_id_number_owner(id_number), paper_id)
    link = download(paper)
    _recorded(principal, [paper], paper.id)
    return json_response(link)


def _recorded(principal, papers: list, file_id: str | None = None) -> None:
    from ..services.papers import record_desk_read

    request = bp.current_request
    record_desk_read(principal, papers, request.method, request.path, datetime.now(UTC), file_id)
