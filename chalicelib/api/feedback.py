"""Feedback and petitions (docs/feedback.md): anyone files, the agency handles, everyone reads the answers."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice import Blueprint

from .contract import operation, queries, requests, responses
from .http import json_response

bp = Blueprint(__name__)
TAG = "Feedback"
KEY_HEADER = "Feedback-Key"
STAFF = ("officer", "leader")


def _caller():
    """The signed-in caller, or None: filing and following feedback needs no account."""
    from .auth import authenticate

    request = bp.current_request
    return authenticate(request) if (request.headers or {}).get("authorization") else None


def _key() -> str | None:
    return (bp.current_request.headers or {}).get(KEY_HEADER.lower())


def present(item, view: str, principal=None) -> dict:
    from ..domain.feedback import allowed_steps, limits_ahead

    body = {"code": item.code, "view": view, "kind": item.kind.value, "agency_code": item.agency_code,
            "procedure_code": item.procedure_code or None, "status": item.status.value, "filed_at": item.filed_at,
            "public": item.public or None}
    if view == "public":
        return body

    def by(record: dict) -> dict | None:
        if not record:
            return None
        return {"text": record.get("text") or record.get("reason"), "at": record["at"],
                "by": (record.get("by") or {}).get("name")}

    staff = principal is not None and principal.agency_code == item.agency_code and any(
        r.value in STAFF for r in principal.roles)
    steps = [s for s in allowed_steps(item) if (s in ("provide_info", "rate")) != staff]
    return {**body, "title": item.title, "content": item.content, "dossier_code": item.dossier_code or None,
            "contact": item.contact, "received_on": item.received_on,
            "due": limits_ahead(item), "late_steps": list(item.late_steps),
            "overdue_steps": list(item.overdue_steps),
            "info_requests": [{k: r.get(k) for k in ("question", "asked_at", "answer", "answered_at")}
                              for r in item.info_requests],
            "refusal": by(item.refusal), "answer": by(item.answer), "rating": item.rating or None,
            "allowed_steps": steps, "version": item.version}


def _rows(rows: list[dict]) -> list[dict]:
    from ..services.dossiers import local_day
    from ..services.feedback import days_left

    today = local_day(datetime.now(UTC))
    return [{**row, "days_left": days_left(row.get("due_on"), today)} if row.get("due_on") else row for row in rows]


@operation(bp, "POST", "/feedback", summary="File feedback or a petition", tag=TAG, auth="optional",
           body=requests.FileFeedback, response=responses.FeedbackFiled, status=201, problems=(401, 403, 422))
def file_feedback(body):
    """Anyone may file, signed in as a citizen or not (then with an email or a phone to be reached at): about an
    agency, one of its procedures, or — signed in — one of their own dossiers (`dossier_code`; the agency and
    procedure are then the dossier's, and it counts as a complaint about that dossier). The answer carries the
    item's code and, for someone not signed in, a `key` shown only this once: with the code it opens the item again
    (`Feedback-Key` header)."""
    from ..services.feedback import FeedbackService

    principal = _caller()
    item, key = FeedbackService().file(principal, body, datetime.now(UTC))
    return json_response({**present(item, "full", principal), "key": key}, 201,
                         {"Location": f"/feedback/{item.code}"})


@operation(bp, "GET", "/feedback/{code}", summary="One feedback item", tag=TAG, auth="optional",
           headers=(KEY_HEADER,), response=responses.FeedbackItem, problems=(401, 404))
def get_feedback(code):
    """The person who filed it (signed in, or with its `Feedback-Key`) and its agency's staff see everything; anyone
    else sees a published answer only, as the public list shows it."""
    from ..services.feedback import FeedbackService

    principal = _caller()
    item, view = FeedbackService().read(principal, code, _key())
    return json_response(present(item, view, principal))


@operation(bp, "POST", "/feedback/{code}/info", summary="Give the information the agency asked for", tag=TAG,
           auth="optional", headers=(KEY_HEADER,), body=requests.FeedbackInfo, response=responses.FeedbackItem,
           problems=(401, 404, 409))
def provide_feedback_info(code, body):
    """The person's reply to the agency's question: the item is back with the agency, the limit for its answer
    moved by the working days it waited."""
    from ..services.feedback import FeedbackService

    principal = _caller()
    item = FeedbackService().provide_info(principal, code, _key(), body.text, datetime.now(UTC))
    return json_response(present(item, "full", principal))


@operation(bp, "POST", "/feedback/{code}/rating", summary="Rate the published answer", tag=TAG, auth="optional",
           headers=(KEY_HEADER,), body=requests.RateFeedback, response=responses.FeedbackItem,
           problems=(401, 404, 409))
def rate_feedback(code, body):
    """Once, after the answer is published: satisfied or not, with a comment. It counts in "satisfaction with
    feedback handling"."""
    from ..services.feedback import FeedbackService

    principal = _caller()
    item = FeedbackService().rate(principal, code, _key(), body.satisfied, body.comment, datetime.now(UTC))
    return json_response(present(item, "full", principal))


@operation(bp, "GET", "/me/feedback", summary="The feedback I filed signed in", tag=TAG, query=queries.Page,
           response=responses.FeedbackPage, roles=("citizen",))
def my_feedback(query):
    from ..domain.states import Role
    from ..services.feedback import FeedbackService
    from .auth import authenticate, require

    principal = authenticate(bp.current_request)
    require(principal, Role.CITIZEN)
    rows, cursor = FeedbackService().mine(principal, query.limit, query.cursor)
    return json_response({"items": _rows(rows), "next_cursor": cursor})


@operation(bp, "GET", "/public/feedback", summary="Answers to feedback, as published", tag=TAG, auth=False,
           query=queries.PublishedFeedback, response=responses.FeedbackPage)
def published_feedback(query):
    """An agency's published answers, newest first, with personal data taken out."""
    from ..services.feedback import FeedbackService

    rows, cursor = FeedbackService().published(query.agency, query.limit, query.cursor)
    return json_response({"items": rows, "next_cursor": cursor},
                         headers={"Cache-Control": "public, max-age=60"})


@operation(bp, "GET", "/desk/feedback", summary="The agency's feedback queue", tag=TAG, query=queries.Page,
           response=responses.FeedbackPage, roles=STAFF)
def feedback_queue(query):
    """Items with a step due from the officer's agency, soonest first, with the working days left (negative:
    overdue). Items waiting for the person's information are not in it."""
    from ..services.feedback import FeedbackService
    from .auth import authenticate

    rows, cursor = FeedbackService().queue(authenticate(bp.current_request), query.limit, query.cursor)
    return json_response({"items": _rows(rows), "next_cursor": cursor})


def _step(code: str, step: str, body):
    from ..services.feedback import FeedbackService
    from .auth import authenticate

    principal = authenticate(bp.current_request)
    item = FeedbackService().handle(principal, code, step, body, datetime.now(UTC))
    return json_response(present(item, "full", principal))


@operation(bp, "POST", "/desk/feedback/{code}/refuse", summary="Refuse feedback, with the reason", tag=TAG,
           body=requests.RefuseFeedback, response=responses.FeedbackItem, problems=(404, 409), roles=STAFF)
def refuse_feedback(code, body):
    """Not taken up (outside the agency's remit, already answered …); the person reads the reason. Due within the
    refusal limit (2 working days) of reception."""
    return _step(code, "refuse", body)


@operation(bp, "POST", "/desk/feedback/{code}/request-info", summary="Ask the person for more information",
           tag=TAG, body=requests.AskFeedback, response=responses.FeedbackItem, problems=(404, 409), roles=STAFF)
def ask_feedback(code, body):
    """Once, within 5 working days of reception: the item waits for the person's reply, and the days it waits do
    not count against the answer's limit."""
    return _step(code, "request_info", body)


@operation(bp, "POST", "/desk/feedback/{code}/answer", summary="Answer feedback", tag=TAG,
           body=requests.AnswerFeedback, response=responses.FeedbackItem, problems=(404, 409), roles=STAFF)
def answer_feedback(code, body):
    """Within 15 working days of reception (moved by any wait for the person); its publication is then due within
    2 working days."""
    return _step(code, "answer", body)


@operation(bp, "POST", "/desk/feedback/{code}/publish", summary="Publish the answer", tag=TAG,
           body=requests.PublishFeedback, response=responses.FeedbackItem, problems=(404, 409), roles=STAFF)
def publish_feedback(code, body):
    """On the public list, with the person's name, contacts, ID numbers and dossier codes taken out; the officer
    may reword the title, question and answer for it."""
    return _step(code, "publish", body)
