"""Notification wording: one template file per event type and language, in
chalicelib/templates/notifications/<event type>.<vi|en>.txt for applicants and
chalicelib/templates/staff/<event type>.vi.txt for the agency's own staff (in Vietnamese), and
chalicelib/templates/feedback/<event type>.<vi|en>.txt for the person who filed feedback.

File format: a `Subject:` line, an `SMS:` line, a blank line, then the email body. Placeholders are
`${name}` (string.Template); a placeholder the context lacks is an error, not a blank.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "notifications"
STAFF_TEMPLATE_DIR = TEMPLATE_DIR.parent / "staff"
FEEDBACK_TEMPLATE_DIR = TEMPLATE_DIR.parent / "feedback"  # to the person who filed feedback (docs/feedback.md)
_DIRS = {"applicant": TEMPLATE_DIR, "staff": STAFF_TEMPLATE_DIR, "feedback": FEEDBACK_TEMPLATE_DIR}
LANGUAGES = ("vi", "en")
SMS_LIMIT = 320  # two concatenated GSM-7 segments


def to_sms(text: str, limit: int = SMS_LIMIT) -> str:
    """Unaccented, single-line, bounded: free text from officers (a refusal reason) goes into SMS
    too, and accented Vietnamese would switch the message to UCS-2 at a third of the length."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    flat = " ".join(ascii_text.split())
    return flat if len(flat) <= limit else flat[: limit - 3].rstrip() + "..."


@dataclass(frozen=True)
class Rendered:
    subject: str
    sms: str
    body: str


@dataclass(frozen=True)
class MessageTemplate:
    subject: Template
    sms: Template
    body: Template

    def render(self, context: dict) -> Rendered:
        return Rendered(self.subject.substitute(context), to_sms(self.sms.substitute(context)),
                        self.body.substitute(context))


def parse(text: str) -> MessageTemplate:
    head, _, body = text.partition("\n\n")
    fields = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    if "Subject" not in fields or "SMS" not in fields or not body.strip():
        raise ValueError("a template needs Subject:, SMS: and a body after a blank line")
    return MessageTemplate(Template(fields["Subject"].strip()), Template(fields["SMS"].strip()),
                           Template(body.strip() + "\n"))


@lru_cache(maxsize=128)
def template_for(event_type: str, language: str, audience: str = "applicant") -> MessageTemplate | None:
    """None when the event type tells this audience nothing (consumers ignore such events)."""
    language = language if language in LANGUAGES else "vi"
    path = _DIRS[audience] / f"{event_type}.{language}.txt"
    if not path.is_file():
        return None
    return parse(path.read_text(encoding="utf-8"))


def event_types(audience: str = "applicant") -> set[str]:
    return {p.name.rsplit(".", 2)[0] for p in _DIRS[audience].glob("*.txt")}
