"""`emails`: what the local stack's moto SES and SNS accepted (local stack only)."""

from __future__ import annotations

import json
import re

from scripts.ops.errors import OperatorError
from scripts.ops.stack import Stack


def moto_data(moto_endpoint: str, attempts: int = 5) -> dict:
    """moto's dump of every model. It walks live objects while the stack keeps working, and answers 500 when
    one changes under it: asked again, it answers."""
    import time
    from urllib.error import HTTPError
    from urllib.request import urlopen

    for attempt in range(attempts):
        try:
            with urlopen(f"{moto_endpoint.rstrip('/')}/moto-api/data.json", timeout=30) as response:  # noqa: S310
                return json.loads(response.read())
        except HTTPError as error:
            if error.code < 500 or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def sent_messages(moto_endpoint: str) -> tuple[list[dict], list[dict]]:
    """(emails, SMS) moto's SES and SNS have accepted, oldest first, from moto's model dump."""
    data = moto_data(moto_endpoint)
    emails = [{"id": m.get("id"), "from": m.get("source"),
               "to": [a for kind in ("ToAddresses", "CcAddresses", "BccAddresses")
                      for a in (m.get("destinations") or {}).get(kind, [])],
               "subject": m.get("subject") or "", "body": m.get("body") or ""}
              for m in data.get("ses", {}).get("Message", [])]
    sms = [{"id": s.get("message_id"), "to": [s.get("phone_number")], "body": s.get("message") or ""}
           for s in data.get("sns", {}).get("SMS", [])]
    return emails, sms


def _digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return "84" + digits[1:] if digits.startswith("0") else digits  # 09xx... and +849xx... are one number


def _addressed_to(message: dict, address: str) -> bool:
    if "@" in address:
        return any(a.lower() == address.lower() for a in message["to"])
    return any(a and _digits(a) == _digits(address) for a in message["to"])


def emails(stack: Stack, to: str | None, lines: int, as_json: bool) -> int:
    if not stack.is_local:
        raise OperatorError("emails reads what moto's SES and SNS kept: local stack only. In AWS, look at the "
                            "dossier's notifications (GET /dossiers/{id}/notifications) and SES's sending metrics")
    mails, texts = sent_messages(stack.state["MOTO_ENDPOINT"])
    if to:
        mails = [m for m in mails if _addressed_to(m, to)]
        texts = [s for s in texts if _addressed_to(s, to)]
    if as_json:
        print(json.dumps({"emails": mails, "sms": texts}, indent=2, ensure_ascii=False))
        return 0
    print(f"{len(mails)} email(s){' to ' + to if to else ''}")
    for mail in mails:
        print(f"\n  To:      {', '.join(mail['to'])}\n  From:    {mail['from']}\n  Subject: {mail['subject']}")
        body = [line for line in mail["body"].splitlines() if line.strip()]
        for line in body[:lines]:
            print(f"    | {line}")
        if len(body) > lines:
            print(f"    | ... ({len(body) - lines} more line(s))")
    print(f"\n{len(texts)} SMS{' to ' + to if to else ''}")
    for text in texts:
        print(f"  {', '.join(text['to'])}: {text['body']}")
    return 0
