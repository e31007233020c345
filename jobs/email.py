"""The "email" outbox kind: plain-text mail over SMTP (aiosmtplib).

Payload: {"to": [address, ...], "subject": str, "body": str, "purpose": str}.
The mail's Message-ID is derived from the outbox row's id, so a retry after
a lost answer from the server carries the same id and a duplicate can be
recognised (and dropped) downstream. Connection failures and temporary (4xx)
refusals raise for a retry; a permanently (5xx) refused recipient or message
raises `Permanent`. When only some recipients are refused the mail has gone
to the others, so it is not retried; the refused ones are in the result."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr
from typing import Any

import aiosmtplib
from email_validator import EmailNotValidError, validate_email

from jobs.context import JobContext
from jobs.registry import Permanent
from models import Clinic, OutboxMessage
from settings import Settings


def _address_of(settings: Settings) -> tuple[str, str]:
    name, address = parseaddr(settings.mail_from)
    if "@" not in address:
        raise Permanent(f"MAIL_FROM is not an e-mail address: {settings.mail_from!r}")
    return name, address


def message_id(msg: OutboxMessage, settings: Settings) -> str:
    """`<outbox id@sender's domain>`: the same for every attempt at one row."""
    return f"<{msg.id}@{_address_of(settings)[1].rsplit('@', 1)[1]}>"


def _single_address(address: object) -> bool:
    """One plain address, nothing that would add a recipient or a header
    in `To:`: the API checks addresses as they are typed in, and this
    holds for rows (and stored addresses) from before it did."""
    if not isinstance(address, str):
        return False
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _payload(msg: OutboxMessage) -> tuple[list[str], str, str]:
    data = msg.payload if isinstance(msg.payload, dict) else {}
    to, subject, body = data.get("to"), data.get("subject"), data.get("body")
    if isinstance(to, str):
        to = [to]
    if not (isinstance(to, list) and to and all(_single_address(a) for a in to)):
        raise Permanent("e-mail payload needs a non-empty list of single e-mail addresses in 'to'")
    if not isinstance(subject, str) or not isinstance(body, str):
        raise Permanent("e-mail payload needs a 'subject' and a 'body'")
    return to, " ".join(subject.split()), body


def compose(msg: OutboxMessage, clinic: Clinic, settings: Settings) -> EmailMessage:
    to, subject, body = _payload(msg)
    default_name, address = _address_of(settings)
    mail = EmailMessage()
    # The clinic's name, the platform's address: replies go nowhere unexpected.
    mail["From"] = formataddr((clinic.name or default_name, address))
    mail["To"] = ", ".join(to)
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id(msg, settings)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    mail.set_content(body)
    return mail


def _permanent(codes: list[int]) -> bool:
    return bool(codes) and all(500 <= code < 600 for code in codes)


async def send_email(msg: OutboxMessage, jobs: JobContext) -> dict[str, Any]:
    settings = jobs.settings
    clinic = await Clinic.get_or_none(id=msg.clinic_id)
    if clinic is None:
        raise Permanent("the clinic of this e-mail no longer exists")
    mail = compose(msg, clinic, settings)
    try:
        refused, response = await aiosmtplib.send(
            mail,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        if _permanent(codes):
            raise Permanent(f"every recipient refused: {detail}") from exc
        raise RuntimeError(f"recipients refused for now: {detail}") from exc
    except aiosmtplib.SMTPDataError as exc:
        if _permanent([exc.code]):
            raise Permanent(f"message refused: {exc.code} {exc.message}") from exc
        raise
    return {
        "messageId": mail["Message-ID"],
        "response": response,
        "refused": {address: f"{code} {text}" for address, (code, text) in refused.items()},
    }
