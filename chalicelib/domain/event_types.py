"""Every event type a dossier can record: the names consumers, templates and metric facts refer to.

Code refers to these constants, never to the strings, so a misspelt type fails at import rather than
silently matching nothing. The strings are the wire format (events table, EventBridge detail-type).
"""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    SUBMITTED = "dossier.submitted"
    RECEIVED = "dossier.received"
    # Received at another agency's desk (regardless of administrative boundaries) and sent on to the competent one.
    FORWARDED = "dossier.forwarded"
    SUPPLEMENT_REQUESTED = "dossier.supplement_requested"
    REFUSED = "dossier.refused"
    RESUBMITTED = "dossier.resubmitted"
    TRANSFERRED = "dossier.transferred"
    ASSIGNED = "dossier.assigned"
    PROPOSED = "dossier.proposed"
    SENT_TO_AGENCY = "dossier.sent_to_agency"
    RETURNED_FROM_AGENCY = "dossier.returned_from_agency"
    SENT_BACK = "dossier.sent_back"
    APPROVED = "dossier.approved"
    REJECTED = "dossier.rejected"
    STOPPED = "dossier.stopped"
    WITHDRAWN = "dossier.withdrawn"
    FEE_REQUESTED = "dossier.fee_requested"
    FEE_PAID = "dossier.fee_paid"
    PAYMENT_STARTED = "dossier.payment_started"  # the applicant went to the payment gateway
    PAYMENT_UPDATED = "dossier.payment_updated"  # an online payment failed, expired, or is being or was refunded
    RESULT_ISSUED = "dossier.result_issued"
    RETURNED = "dossier.returned"
    SENT_BY_POST = "dossier.sent_by_post"
    DUE_SOON = "dossier.due_soon"
    OVERDUE = "dossier.overdue"
    APOLOGY_ISSUED = "dossier.apology_issued"
    APOLOGY_ALLOWED = "dossier.apology_allowed"
    EVALUATED = "dossier.evaluated"
    # An evaluation of "not satisfied" is published under its own type so the agency hears of it.
    RATED_NOT_SATISFIED = "dossier.rated_not_satisfied"
