"""Email (SES) and SMS (SNS) to applicants."""

from __future__ import annotations

from ..store.aws import client


class PermanentDeliveryError(Exception):
    """The message can never be delivered as addressed (a bad address): record it, don't retry."""


# Errors that belong to the recipient rather than to us: retrying cannot help.
_PERMANENT = {"InvalidParameterValue", "InvalidParameter", "InvalidPhoneNumber", "OptedOut"}


def _classify(error: Exception) -> Exception:
    code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
    if code in _PERMANENT:
        return PermanentDeliveryError(f"{code}: {error}")
    return error


def send_email(sender: str, to: str, subject: str, body: str) -> str:
    try:
        result = client("ses").send_email(
            Source=sender, Destination={"ToAddresses": [to]},
            Message={"Subject": {"Data": subject, "Charset": "UTF-8"},
                     "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}})
    except Exception as error:
        raise _classify(error) from error
    return result["MessageId"]


def send_sms(phone_e164: str, text: str) -> str:
    try:
        result = client("sns").publish(
            PhoneNumber=phone_e164, Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}})
    except Exception as error:
        raise _classify(error) from error
    return result["MessageId"]
