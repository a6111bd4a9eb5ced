"""Notification records: the claim that makes each message go out once, and what happened to it."""

from __future__ import annotations

import time

from pynamodb.exceptions import UpdateError

from .models import NotificationModel, bind

QUEUED, SENT, FAILED, RETRYING = "queued", "sent", "failed", "retrying"
STAFF_CHANNEL = "staff_email"  # messages to the agency's own staff, never shown to the applicant
# A claim older than this is taken over: its sender died between sending and recording.
LEASE_SECONDS = 300


def notification_id(seq: int, channel: str, event_id: str) -> str:
    return f"{seq:06d}#{channel}#{event_id}"


class NotificationStore:
    def __init__(self) -> None:
        bind()

    def claim(self, dossier_id: str, nid: str, fields: dict, now_iso: str) -> bool:
        """True if this caller may send now: nobody has, and nobody is sending it right now."""
        now = int(time.time())
        item = NotificationModel(dossier_id=dossier_id, id=nid)
        actions = [getattr(NotificationModel, k).set(v) for k, v in fields.items()]
        actions += [NotificationModel.status.set(QUEUED), NotificationModel.lease_until.set(now + LEASE_SECONDS),
                    NotificationModel.attempts.add(1), NotificationModel.updated_at.set(now_iso),
                    NotificationModel.created_at.set(NotificationModel.created_at | now_iso)]
        condition = (NotificationModel.id.does_not_exist() | (NotificationModel.status == RETRYING)
                     | ((NotificationModel.status == QUEUED) & (NotificationModel.lease_until < now)))
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as error:
            if "ConditionalCheckFailed" in str(error):
                return False
            raise
        return True

    def finish(self, dossier_id: str, nid: str, status: str, now_iso: str, reason: str | None = None,
               provider_message_id: str | None = None) -> None:
        item = NotificationModel(dossier_id=dossier_id, id=nid)
        actions = [NotificationModel.status.set(status), NotificationModel.updated_at.set(now_iso),
                   NotificationModel.lease_until.remove()]
        if reason is not None:
            actions.append(NotificationModel.reason.set(reason[:500]))
        if provider_message_id:
            actions += [NotificationModel.provider_message_id.set(provider_message_id),
                        NotificationModel.sent_at.set(now_iso)]
        item.update(actions=actions)

    def for_dossier(self, dossier_id: str) -> list[dict]:
        return [{"id": n.id, "event_id": n.event_id, "event_type": n.event_type, "channel": n.channel,
                 "recipient": n.recipient, "language": n.language, "subject": n.subject, "body": n.body,
                 "status": n.status, "reason": n.reason, "attempts": n.attempts, "created_at": n.created_at,
                 "updated_at": n.updated_at, "sent_at": n.sent_at}
                for n in NotificationModel.query(dossier_id, consistent_read=True)]
