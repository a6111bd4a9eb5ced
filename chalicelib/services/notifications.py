"""The notifications consumer: for each dossier event, email (and SMS if opted in) the applicant.

Duplicates are harmless: each (event, channel) has one notification record, claimed with a
conditional write before anything is sent, so a redelivered or replayed event sends nothing twice.
A message that cannot be understood fails alone (partial batch response) and, after the queue's
receive limit, rests in the DLQ for an operator.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ..adapters.directory import staff_member
from ..adapters.messaging import PermanentDeliveryError, send_email, send_sms
from ..domain.actions import Audience, audiences
from ..domain.agencies import agency
from ..domain.calendar import LOCAL_TZ
from ..domain.dossier import Dossier
from ..domain.event_types import EventType
from ..domain.identity import check_phone, normalise_phone
from ..domain.states import STATUSES
from ..domain.templates import template_for
from ..domain.times import iso, parse_iso
from ..settings import get_settings
from ..store.dossiers import DossierStore
from ..store.notifications import FAILED, RETRYING, SENT, STAFF_CHANNEL, NotificationStore, notification_id
from ..store.procedures import ProcedureStore
from .public_lookup import dossier_lookup_url
from .queue_consumer import PoisonMessage, run_batch

CONSUMER = "notifications"

_DELIVERY = {
    "vi": {"online": "trực tuyến, trên Cổng dịch vụ công", "desk": "tại Bộ phận Một cửa",
           "post": "qua dịch vụ bưu chính công ích đến địa chỉ: {address}"},
    "en": {"online": "online, on the public service portal", "desk": "at the one-stop desk",
           "post": "by public postal service to: {address}"},
}


def handle_batch(raw_event: dict, context: Any = None) -> dict:
    return run_batch(raw_event, context, CONSUMER, notify)


def notify(event: dict) -> str:
    """Send what `event` tells the applicant, and the agency's staff; returns the outcome for metrics."""
    if event["type"].startswith("feedback."):
        return _notify_feedback(event)
    told = audiences(event["type"])
    if not told:
        # An internal step (the registry tells nobody of it). The rule no longer delivers these
        # (chalicelib/consumers/sources.py); a replay by hand may: answered without reading anything.
        return "ignored"
    dossier = DossierStore().get(event["dossier_id"])
    if dossier is None:
        raise PoisonMessage(f"no dossier {event['dossier_id']}")
    outcomes = [_notify_applicant(event, dossier) if Audience.APPLICANT in told else "ignored",
                _notify_staff(event, dossier) if Audience.STAFF in told else "ignored"]
    found = [o for o in outcomes if o != "ignored"]
    return "sent" if "sent" in found else (found[0] if found else "ignored")


def _notify_applicant(event: dict, dossier: Dossier) -> str:
    template = template_for(event["type"], dossier.locale)
    if template is None:
        return "ignored"
    rendered = template.render(message_context(event, dossier))
    applicant = dossier.applicant
    channels = []
    if applicant.get("email"):
        channels.append(("email", applicant["email"]))
    if dossier.sms_opt_in and applicant.get("phone") and check_phone(applicant["phone"]) is None:
        phone = normalise_phone(applicant["phone"])
        if phone[3] in "35789":  # mobile prefixes; a landline (02x) cannot take an SMS
            channels.append(("sms", phone))
    if not channels:
        return "no_contact"
    results = [_deliver(event, dossier.id, dossier.locale, channel, address, rendered) for channel, address in channels]
    return "sent" if "sent" in results else results[0]


def _notify_staff(event: dict, dossier: Dossier) -> str:
    """Deadline warnings, inter-agency hand-overs and "not satisfied" ratings go to the people who must
    act: the assigned specialist when there is one, otherwise the agency's one-stop desk mailbox."""
    template = template_for(event["type"], "vi", "staff")
    if template is None:
        return "ignored"
    name, address = staff_recipient(event, dossier)
    if not address:
        return "no_contact"
    rendered = template.render({**message_context(event, dossier, "vi"), "staff_name": name})
    return _deliver(event, dossier.id, "vi", STAFF_CHANNEL, address, rendered)


def staff_recipient(event: dict, dossier: Dossier) -> tuple[str, str | None]:
    payload = event.get("payload") or {}
    if event["type"] == EventType.SENT_TO_AGENCY:
        partner = agency(payload.get("to_agency"))
        return (partner.name_vi, partner.desk_email) if partner else ("", None)
    home = agency(dossier.agency_code)
    desk = ("Bộ phận Một cửa " + home.name_vi, home.desk_email) if home else ("", None)
    username = (dossier.assignee or {}).get("username")
    if event["type"] == EventType.RATED_NOT_SATISFIED or not username:
        return desk
    member = staff_member(username)
    if member and member.get("email") and member["enabled"]:
        return member["name"], member["email"]
    return desk


def _notify_feedback(event: dict) -> str:
    """The person who filed feedback hears of its reception, a question, a refusal and the published answer, by email
    to the contact they gave (docs/feedback.md)."""
    from ..domain.feedback import TOLD
    from ..store.feedback import FeedbackStore

    if event["type"] not in TOLD:
        return "ignored"
    item = FeedbackStore().get((event.get("payload") or {}).get("code") or "")
    if item is None:
        raise PoisonMessage(f"no feedback {event['dossier_id']}")
    email = item.contact.get("email")
    if not email:
        return "no_contact"
    template = template_for(event["type"], item.locale, "feedback")
    rendered = template.render(feedback_context(event, item))
    return _deliver(event, item.aggregate_id, item.locale, "email", email, rendered)


def feedback_context(event: dict, item) -> dict:
    from ..settings import get_settings

    payload, lang = event.get("payload") or {}, item.locale
    found = agency(item.agency_code)
    base = (get_settings().web_base_url or "").rstrip("/")
    return {"code": item.code, "title": item.title, "person_name": item.contact.get("name") or "",
            "agency_name": (found.name_en if lang == "en" else found.name_vi) if found else item.agency_code,
            "answer_by": _day(payload.get("answer_by") or item.answer_by),
            "question": payload.get("question") or "", "reason": payload.get("reason") or "",
            "answer": (item.public or {}).get("answer") or (item.answer or {}).get("text") or "",
            "follow_url": f"{base}/#/feedback/{item.code}" if base else f"/feedback/{item.code}"}


def _deliver(event: dict, key: str, locale: str, channel: str, address: str, rendered) -> str:
    """One message, sent once: claimed under `key` (the dossier, or the feedback item) before it goes out."""
    store = NotificationStore()
    nid = notification_id(int(event["seq"]), channel, event["id"])
    now = iso(datetime.now(UTC))
    body = rendered.sms if channel == "sms" else rendered.body
    claimed = store.claim(key, nid, {
        "event_id": event["id"], "event_type": event["type"], "channel": channel, "recipient": address,
        "language": locale, "subject": None if channel == "sms" else rendered.subject,
        "body": body, "correlation_id": event.get("correlation_id")}, now)
    if not claimed:
        return "duplicate"
    try:
        if channel != "sms":
            message_id = send_email(get_settings().notification_sender, address, rendered.subject, body)
        else:
            message_id = send_sms(address, body)
    except PermanentDeliveryError as error:
        store.finish(key, nid, FAILED, iso(datetime.now(UTC)), reason=str(error))
        return "failed"
    except Exception as error:
        # Let the queue redeliver; the claim is released so the retry can send.
        store.finish(key, nid, RETRYING, iso(datetime.now(UTC)), reason=f"{type(error).__name__}: {error}")
        raise
    store.finish(key, nid, SENT, iso(datetime.now(UTC)), provider_message_id=message_id)
    return "sent"


def _local(value: str | None, with_time: bool = True) -> str:
    moment = parse_iso(value) if value else None
    if moment is None:
        return ""
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y" if with_time else "%d/%m/%Y")


def _day(value: str | None) -> str:
    return date.fromisoformat(value).strftime("%d/%m/%Y") if value else ""


# The form a message announces, which the applicant can print from their dossier's page.
_FORM_OF_EVENT = {"dossier.received": "receipt", "dossier.supplement_requested": "supplement-request",
                  "dossier.refused": "refusal", "dossier.apology_issued": "apology",
                  "dossier.fee_paid": "payment-receipt"}
_PAYMENT_METHOD = {"vi": {"cash": "tiền mặt tại bộ phận một cửa", "bank_transfer": "chuyển khoản",
                          "online": "thanh toán trực tuyến"},
                   "en": {"cash": "cash at the desk", "bank_transfer": "bank transfer", "online": "online"}}
# What a payment's news says, and what the applicant may do about it.
_PAYMENT_STATE = {
    "vi": {"failed": ("không thành công", "khong thanh cong",
                      "Không có khoản tiền nào bị trừ. Quý vị có thể thanh toán lại trên trang hồ sơ."),
           "expired": ("đã hết hạn", "het han", "Giao dịch chưa được thực hiện trước khi hết hạn. Quý vị có thể "
                                                 "thanh toán lại trên trang hồ sơ."),
           "refunding": ("đang được hoàn trả", "dang hoan tra",
                         "Khoản tiền sẽ được hoàn về tài khoản hoặc thẻ đã dùng để thanh toán."),
           "refunded": ("đã được hoàn trả", "da hoan tra", "Khoản tiền đã được hoàn về tài khoản hoặc thẻ đã dùng."),
           "refund_declined": ("hoàn trả không thành công", "hoan tra khong thanh cong",
                               "Bộ phận tài chính của cơ quan sẽ liên hệ để hoàn trả cho Quý vị.")},
    "en": {"failed": ("failed", "failed", "Nothing was charged. You may pay again on the dossier's page."),
           "expired": ("expired", "expired", "It was not completed in time. You may pay again on the dossier's page."),
           "refunding": ("being refunded", "being refunded",
                         "The money will be returned to the account or card you paid with."),
           "refunded": ("refunded", "refunded", "The money was returned to the account or card you paid with."),
           "refund_declined": ("refund declined by the bank", "refund declined",
                               "The agency's finance office will contact you to return the money.")},
}


def form_url(dossier: Dossier, event_type: str | None) -> str:
    """The applicant's dossier page in the web client, opened on the form the message is about."""
    from ..settings import get_settings

    base = (get_settings().web_base_url or "").rstrip("/")
    form = _FORM_OF_EVENT.get(event_type or "")
    if not base or form is None:
        return ""
    return f"{base}/#/my/dossiers/{dossier.id}?form={form}"


def message_context(event: dict, dossier: Dossier, language: str | None = None) -> dict:
    """Everything a template may use. Event payload first (it is what happened), dossier second."""
    lang = language or (dossier.locale if dossier.locale in _DELIVERY else "vi")
    payload = event.get("payload") or {}
    procedure = ProcedureStore().version(dossier.procedure_code, dossier.procedure_version)
    receipt = payload.get("receipt") or dossier.receipt or {}
    request = payload.get("supplement_request") or (dossier.supplement_requests or [{}])[-1]
    refusal = payload.get("refusal") or dossier.refusal or {}
    delivery = dossier.delivery or {}
    step = (dossier.inter_agency or [{}])[-1]
    partner = agency(step.get("agency_code"))
    rating = payload.get("evaluation") or dossier.evaluation or {}
    name_key = "name_en" if lang == "en" else "name_vi"
    receiving = agency(dossier.receiving_agency)
    items = "\n".join(f"  - {item.get(name_key) or item.get('component_id')}: {item.get('reason', '')}"
                      for item in request.get("items") or [])
    return {
        "code": dossier.code,
        "lookup_url": dossier_lookup_url(dossier.code),
        "form_url": form_url(dossier, event.get("type")) or dossier_lookup_url(dossier.code),
        "procedure_code": dossier.procedure_code,
        "procedure_name": getattr(procedure, name_key, "") if procedure else dossier.procedure_code,
        "agency_name": (procedure.agency_name_en if lang == "en" else procedure.agency_name_vi) if procedure else "",
        # The desk that took the dossier in: another agency's, when received regardless of administrative boundaries.
        "receiving_agency_name": receiving.name(lang) if receiving else (
            (procedure.agency_name_en if lang == "en" else procedure.agency_name_vi) if procedure else ""),
        "paper_tracking_number": payload.get("paper_tracking_number") or "-",
        "applicant_name": dossier.applicant.get("full_name") or dossier.applicant.get("name") or "",
        "submitted_at": _local(iso(dossier.submitted_at)),
        "event_at": _local(event.get("at")),
        "received_at": _local(receipt.get("received_at") or iso(dossier.received_at)),
        # The event's date first: an apology letter or a paid fee moves it past the receipt's.
        "appointment_date": _day(payload.get("due_date") or receipt.get("appointment_date")),
        "delivery": _DELIVERY[lang].get(delivery.get("method"), "").format(address=delivery.get("address") or ""),
        "items": items,
        "note": request.get("note") or payload.get("note") or "",
        "fee_amount": f"{int(payload.get('amount_vnd') or (dossier.fee or {}).get('amount_vnd') or 0):,}".replace(
            ",", "."),
        "fee_purpose": (dossier.fee or {}).get("purpose", ""),
        "tracking_number": payload.get("tracking_number") or (dossier.returned or {}).get("tracking_number") or "",
        # The refusal's, or the reason given with a rejection, a stop or a withdrawal.
        "reason": refusal.get("reason") or payload.get("reason") or "",
        "status_name": STATUSES[dossier.status].name_en if lang == "en" else STATUSES[dossier.status].name_vi,
        # Inter-agency steps and the applicant's rating, for the staff's messages.
        "request": payload.get("request") or "",
        "step_due": _day(payload.get("step_due")) or _day(dossier.due_date.isoformat() if dossier.due_date else None),
        "reply": payload.get("reply") or "",
        "partner_agency_name": partner.name_vi if partner else step.get("agency_code") or "",
        "criteria": ", ".join(f"{k}: {v}" for k, v in sorted(rating.get("criteria", {}).items())) or "-",
        "comment": rating.get("comment") or "-",
        **_payment_context(payload, dossier, lang),
    }


def _payment_context(payload: dict, dossier: Dossier, lang: str) -> dict:
    paid = (dossier.fee or {}).get("payment") or {}
    state = payload.get("state") or ""
    words, sms, advice = _PAYMENT_STATE[lang].get(state, (state, state, ""))
    method = payload.get("method") or paid.get("method") or ""
    return {"payment_method": _PAYMENT_METHOD[lang].get(method, method),
            "payment_reference": payload.get("receipt_number") or paid.get("receipt_number") or "-",
            "payment_state": words, "payment_state_sms": sms, "payment_advice": advice}
