"""Online payment of fees (docs/payments.md): the applicant's order, the gateway's notifications and the finance
officer's daily reconciliation."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from chalice import Blueprint, Response

from .contract import operation, queries, requests, responses
from .http import Problem, json_response

bp = Blueprint(__name__)
TAG = "Payments"
FORM = "application/x-www-form-urlencoded"
CSV, XLSX = "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IPN_MAX_BYTES = 8 * 1024


def _gateway_unavailable() -> Problem:
    return Problem(503, "service_unavailable", "payment_gateway_unavailable", headers={"Retry-After": "30"})


@operation(bp, "POST", "/dossiers/{dossier_id}/payments", summary="Pay the requested fee online",
           tag=TAG, body=requests.StartPayment, response=responses.PaymentOrder, status=201, problems=(404, 409),
           roles=("citizen",))
def start_payment(dossier_id, body):
    """The applicant pays the fee the agency asked for (`fee_requested`): the answer's `redirect_url` is the
    payment gateway's page for this order, valid until `expires_at`; the gateway sends the payer back to the
    dossier's page. An order still open is offered again rather than a second one made. 409 `payment_not_offered`
    when the agency takes this fee at the desk only."""
    from ..adapters.secrets import SecretMissing
    from ..services.payments import PaymentService
    from .auth import authenticate

    request = bp.current_request
    principal = authenticate(request)
    payer_ip = ((request.context or {}).get("identity") or {}).get("sourceIp") or "127.0.0.1"
    try:
        payment, url = PaymentService().start(principal, dossier_id, body.locale, payer_ip, datetime.now(UTC))
    except SecretMissing as error:
        raise _gateway_unavailable() from error
    return json_response({"payment_id": payment.id, "redirect_url": url, "expires_at": payment.expires_at,
                          "amount_vnd": payment.amount_vnd, "state": payment.state.value}, 201,
                         {"Location": f"/dossiers/{dossier_id}/payments"})


@operation(bp, "GET", "/dossiers/{dossier_id}/payments", summary="The dossier's online payments",
           tag=TAG, response=responses.PaymentList, problems=(404,))
def dossier_payments(dossier_id):
    """Every order made for the dossier's fee, oldest first, with each state it went through and where the news
    came from (the gateway's notification, the reconciliation job). Whoever may see the dossier may see them."""
    from ..services.payments import PaymentService
    from .auth import authenticate

    principal = authenticate(bp.current_request)
    found = PaymentService().of_dossier(principal, dossier_id)
    return json_response({"items": [p.to_view() for p in found]})


@operation(bp, "POST", "/integrations/payments/{provider}/notifications",
           summary="The payment gateway's notification of an order's outcome (IPN)", tag="Integrations", auth=False,
           raw_body=FORM, max_body_bytes=IPN_MAX_BYTES, response=responses.GatewayAnswer, problems=(404,))
def payment_notification(provider, body):
    """Server to server, from the gateway (docs/payments.md §1.4): the order's parameters, signed with the
    terminal's secret. Checked — signature, order known, amount and currency equal to the order's — and applied
    once: a duplicate, late or out-of-order notification changes nothing. Always answered 200 with the gateway's
    code (`RspCode` 00 applied or already applied, 01 unknown order, 02 already settled otherwise, 04 wrong amount,
    97 bad signature, 99 try again)."""
    from urllib.parse import parse_qsl

    from ..adapters.payment_gateway import IPN_ANSWERS
    from ..services.payments import PaymentService

    try:
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                                max_num_fields=40))
    except (UnicodeDecodeError, ValueError):
        params = {}
    code = PaymentService().notify(provider, params, datetime.now(UTC)) if params else "99"
    return json_response({"RspCode": code, "Message": IPN_ANSWERS[code]})


@operation(bp, "GET", "/desk/payments/reconciliation", summary="The day's online payments against the gateway",
           tag=TAG, query=queries.PaymentReconciliation, response=responses.Reconciliation,
           media_types=("application/json", CSV, XLSX), problems=(406, 409, 503),
           roles=("officer", "leader", "admin"), response_headers=("Content-Disposition",))
def payment_reconciliation(query):
    """For the agency's finance officer: the gateway's statement of the day (Vietnam time) compared with what the
    platform recorded — `matched`, `missing_here` (the gateway has it, the platform not), `missing_there`,
    `amount_differs` — problems first. `format=csv` (UTF-8) or `xlsx` for a file."""
    from ..adapters.payment_gateway import GatewayError
    from ..documents.reconciliation import report_csv, report_xlsx
    from ..domain.calendar import LOCAL_TZ
    from ..domain.errors import FieldError, ValidationFailed
    from ..domain.states import Role
    from ..services.payments import daily_report
    from .auth import authenticate, require
    from .http import file_response

    principal = authenticate(bp.current_request)
    require(principal, Role.OFFICER, Role.LEADER, Role.ADMIN)
    if not principal.agency_code:
        raise Problem(403, "forbidden", "wrong_agency")
    now = datetime.now(UTC)
    if query.date > now.astimezone(LOCAL_TZ).date():
        raise ValidationFailed([FieldError("date", "reconciliation_date_invalid")])
    try:
        rows, summary, terminal = daily_report(principal.agency_code, query.date.strftime("%Y%m%d"), now)
    except GatewayError as error:
        raise _gateway_unavailable() from error
    name = f"doi-soat-{terminal}-{query.date:%Y%m%d}"
    if query.format == "csv":
        return Response(body=report_csv(rows), status_code=200,
                        headers={"Content-Type": f"{CSV}; charset=utf-8", "Cache-Control": "private, no-store",
                                 "Content-Disposition": f'attachment; filename="{name}.csv"'})
    if query.format == "xlsx":
        title = f"Đối soát thanh toán trực tuyến {query.date:%d/%m/%Y} — {terminal}"
        return file_response(report_xlsx(title, rows, summary), XLSX, name + ".xlsx",
                             (bp.current_request.headers or {}).get("accept"))
    return json_response({"date": query.date.isoformat(), "terminal": terminal, "summary": summary,
                          "rows": [dataclasses.asdict(r) for r in rows]})
