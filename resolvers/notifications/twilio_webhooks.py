"""What Twilio tells us: delivery status of each message we sent, and
messages clients send back (STOP opts a number out at that clinic, START
opts it back in). Every request must carry a valid `X-Twilio-Signature`,
checked with the clinic's own auth token by Twilio's `RequestValidator`
against the public URL Twilio called (PUBLIC_API_URL + path and query)."""

from __future__ import annotations

import logging
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from twilio.request_validator import RequestValidator

from models import Clinic, OutboxMessage, SmsOptOut, fits
from resolvers.core.ids import parse_id

log = logging.getLogger("clinicportal.twilio")

# Twilio's standard opt-out and opt-in keywords (the whole message, any case).
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
START_WORDS = {"START", "YES", "UNSTOP"}

# Callbacks may arrive out of order: a later stage is never overwritten by an earlier one.
STATUS_RANK = {
    "queued": 0, "accepted": 0, "scheduled": 0,
    "sending": 1,
    "sent": 2,
    "delivered": 3, "undelivered": 3, "failed": 3, "read": 4, "canceled": 3,
}


class Outcome(StrEnum):
    OK = "OK"
    FORBIDDEN = "FORBIDDEN"  # unknown sender or bad signature: 403


def _signed(clinic: Clinic | None, url: str, params: dict[str, str], signature: str | None) -> bool:
    if clinic is None or not clinic.twilio_auth_token or not signature:
        return False
    return RequestValidator(clinic.twilio_auth_token).validate(url, params, signature)


async def status_callback(message_ref: str | None, url: str, params: dict[str, str], signature: str | None) -> Outcome:
    """`message_ref` is the outbox row id we put in the callback URL."""
    row_id = parse_id(message_ref)
    message = await OutboxMessage.get_or_none(id=row_id, kind="sms") if row_id else None
    clinic = await Clinic.get_or_none(id=message.clinic_id) if message else None
    if message is None or not _signed(clinic, url, params, signature):
        return Outcome.FORBIDDEN
    if params.get("AccountSid") != clinic.twilio_account_sid:
        return Outcome.FORBIDDEN
    status = params.get("MessageStatus", "").lower()
    sid = params.get("MessageSid")
    if status not in STATUS_RANK or not sid:
        return Outcome.OK
    # One conditional UPDATE: of two callbacks racing ("sent" and
    # "delivered" come milliseconds apart), a later stage is never undone.
    not_further = [name for name, rank in STATUS_RANK.items() if rank <= STATUS_RANK[status]]
    await OutboxMessage.filter(
        Q(provider_status__isnull=True) | Q(provider_status__in=not_further), id=message.id, clinic_id=clinic.id
    ).update(provider_status=status, provider_id=sid)
    return Outcome.OK


async def _clinic_for_inbound(url: str, params: dict[str, str], signature: str | None) -> Clinic | None:
    """The clinic the message was sent to, and whose auth token signed the
    request: another clinic that typed in the same account and number
    cannot take its clients' STOPs."""
    account = params.get("AccountSid")
    if not account or not fits(Clinic, "twilio_account_sid", account):
        return None
    candidates = await Clinic.filter(twilio_account_sid=account)
    service, to = params.get("MessagingServiceSid"), params.get("To")
    for clinic in candidates:
        addressed = (service and clinic.twilio_messaging_service_sid == service) or (to and clinic.twilio_from_number == to)
        if addressed and _signed(clinic, url, params, signature):
            return clinic
    return None


async def inbound_message(url: str, params: dict[str, str], signature: str | None) -> Outcome:
    clinic = await _clinic_for_inbound(url, params, signature)
    if clinic is None:
        return Outcome.FORBIDDEN
    phone = (params.get("From") or "").strip()
    word = (params.get("Body") or "").strip().upper()
    if not phone:
        return Outcome.OK
    if word in STOP_WORDS:
        try:
            await SmsOptOut.create(clinic_id=clinic.id, phone=phone)
            log.info("clinic %s: a number opted out of SMS", clinic.id)
        except IntegrityError:
            pass  # already opted out
    elif word in START_WORDS:
        await SmsOptOut.filter(clinic_id=clinic.id, phone=phone).delete()
    return Outcome.OK
