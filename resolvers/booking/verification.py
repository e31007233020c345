"""Proof that typed-in details are the client's own: details typed on the
booking page that match an existing client book onto that client only with
a one-time code sent to the contact the clinic holds for them (by SMS, or
by e-mail when the clinic sends no SMS or has no number), never to what was
typed. Codes, their limits and their texts are the phone sign-in's
(resolvers/account/phone_sign_in.py). New clients, signed-in clients, staff
and partner keys need none; a clinic may switch the check off."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from tortoise.expressions import F

from models import BookingCode, Client, Clinic
from models.db import write_transaction
from resolvers.account.auth import limit_sign_in
from resolvers.account.phone_sign_in import DAY, HOUR, booking_code_message, code_digest, new_code
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.principal import Principal, PrincipalKind
from resolvers.core.ratelimit import network
from resolvers.core.runtime import Runtime
from resolvers.notifications import outbox

FIELD = ["input", "verificationCode"]


def needed(clinic: Clinic, principal: Principal) -> bool:
    """Only anonymous manual entry, and only while the clinic asks for it."""
    return principal.kind is PrincipalKind.ANONYMOUS and clinic.verify_manual_entry


def required(message: str) -> DomainError:
    return DomainError(ErrorCode.VERIFICATION_REQUIRED, message, FIELD)


def _masked(channel: str, client: Client) -> str:
    if channel == "sms":
        return f"by SMS to the number ending in {client.phone[-2:]}"
    local, domain = client.email.split("@", 1)
    return f"by e-mail to {local[0]}…@{domain}"


async def prove(
    rt: Runtime, clinic: Clinic, client: Client, code: str | None, ip: str, now: datetime
) -> BookingCode:
    """The live code row when `code` is right (spend it with `spend` in the
    booking's transaction). Without a code, sends one and answers
    VERIFICATION_REQUIRED; a wrong one answers INVALID_CODE."""
    typed = "".join((code or "").split())[:32]
    if not typed:
        where = await send_code(rt, clinic, client, ip, now)
        raise required(f"These details belong to one of the clinic's clients. We have sent a code {where}: enter it to book.")
    return await _check(rt, clinic, client, typed, ip, now)


async def send_code(rt: Runtime, clinic: Clinic, client: Client, ip: str, now: datetime) -> str:
    """Sends a fresh code (older live ones for the client die); answers where
    it went, masked."""
    settings = rt.settings
    message = "Too many codes requested."
    await rt.check_rate(f"smscode:ip:{network(ip)}", settings.sms_code_per_ip, message, HOUR)
    channel = "sms" if clinic.sms_configured and client.phone else "email" if client.email else None
    if channel is None:
        raise DomainError(
            ErrorCode.SMS_UNAVAILABLE,
            "These details belong to one of the clinic's clients, and no code can be sent to them; please sign in or call the clinic.",
            ["input", "client"],
        )
    await rt.check_rate(f"bookingcode:client:{clinic.id}:{client.id}", settings.sms_code_per_phone, message, HOUR)
    await rt.check_rate(f"smscode:clinic:{clinic.id}", settings.sms_code_per_clinic_day, message, DAY)
    code, salt = new_code(), secrets.token_hex(16)
    minutes = settings.sign_in_code_minutes
    expires_at = now + timedelta(minutes=minutes)
    subject, text = booking_code_message(clinic, code, minutes, client.language)
    async with write_transaction():
        await BookingCode.filter(clinic_id=clinic.id, client_id=client.id, used_at=None).update(used_at=now)
        await BookingCode.create(
            clinic_id=clinic.id,
            client_id=client.id,
            channel=channel,
            salt=salt,
            code_hash=code_digest(settings, salt, code),
            expires_at=expires_at,
            requested_from=ip[:64],
        )
        common = {"purpose": "booking_code", "expires_at": expires_at.isoformat()}  # not sent once useless
        if channel == "sms":
            await outbox.enqueue(clinic.id, "sms", {"to": client.phone, "body": text, "client_id": str(client.id), **common})
        else:
            await outbox.enqueue(clinic.id, "email", {"to": [client.email], "subject": subject, "body": text, **common})
    rt.wake_jobs()
    return _masked(channel, client)


def _wrong_code() -> DomainError:
    return DomainError(ErrorCode.INVALID_CODE, "This code is wrong or has expired. Ask for a new one if needed.", FIELD)


async def _check(rt: Runtime, clinic: Clinic, client: Client, code: str, ip: str, now: datetime) -> BookingCode:
    """Every call uses up a try, counted before comparing."""
    await limit_sign_in(rt, f"booking:{clinic.id}:{client.id}", ip)
    row = (
        await BookingCode.filter(clinic_id=clinic.id, client_id=client.id, used_at=None, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if row is None:
        raise _wrong_code()
    counted = await BookingCode.filter(
        id=row.id, used_at=None, attempts__lt=rt.settings.sign_in_code_max_attempts
    ).update(attempts=F("attempts") + 1)
    if not counted or not hmac.compare_digest(code_digest(rt.settings, row.salt, code), row.code_hash):
        raise _wrong_code()
    return row


async def spend(row: BookingCode, now: datetime) -> None:
    """Inside the booking's transaction: a booking that fails keeps the code
    for another try; of two concurrent bookings with it, one wins."""
    if not await BookingCode.filter(id=row.id, used_at=None).update(used_at=now):
        raise _wrong_code()
