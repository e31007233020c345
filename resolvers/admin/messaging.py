"""A clinic's messaging, for its administrators: Twilio settings (the auth
token goes in and never comes out), and outgoing messages that failed for
good, which they may send again."""

from __future__ import annotations

import re
from dataclasses import dataclass

from jobs import runner
from resolvers.core.runtime import Runtime
from models import Clinic, OutboxMessage, OutboxStatus
from resolvers.core import access
from resolvers.core import tenant
from resolvers.core.contact import normalize_phone
from resolvers.core.errors import invalid, not_found
from resolvers.core.principal import Principal

_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
MAX_REMINDERS = 5
MAX_REMINDER_HOURS = 24 * 14
FAILED_PAGE = 100
RETRIES_PER_HOUR = 60  # per clinic: each retry may send an SMS


@dataclass(frozen=True)
class SmsSettingsChange:
    """None leaves a setting as it is; an empty string clears it."""

    account_sid: str | None = None
    auth_token: str | None = None
    from_number: str | None = None
    messaging_service_sid: str | None = None
    reminder_hours: list[int] | None = None


async def sms_settings(principal: Principal) -> Clinic:
    return await Clinic.get(id=access.require_admin(principal))


def _cleaned(change: SmsSettingsChange, clinic: Clinic) -> dict[str, object]:
    values: dict[str, object] = {}
    if change.account_sid is not None:
        sid = change.account_sid.strip()
        if sid and not _ACCOUNT_SID.match(sid):
            raise invalid("An account SID is AC followed by 32 hexadecimal digits.", ["input", "accountSid"])
        values["twilio_account_sid"] = sid or None
    if change.auth_token is not None:
        token = change.auth_token.strip()
        if token and not (16 <= len(token) <= 128):
            raise invalid("An auth token has 16 to 128 characters.", ["input", "authToken"])
        values["twilio_auth_token"] = token or None
    if change.from_number is not None:
        number = change.from_number.strip()
        values["twilio_from_number"] = (
            normalize_phone(number, ["input", "fromNumber"], clinic.country) if number else None
        )
    if change.messaging_service_sid is not None:
        sid = change.messaging_service_sid.strip()
        if sid and not _SERVICE_SID.match(sid):
            raise invalid("A messaging service SID is MG followed by 32 hexadecimal digits.", ["input", "messagingServiceSid"])
        values["twilio_messaging_service_sid"] = sid or None
    if change.reminder_hours is not None:
        hours = sorted(set(change.reminder_hours), reverse=True)
        if len(hours) > MAX_REMINDERS or any(h < 1 or h > MAX_REMINDER_HOURS for h in hours):
            raise invalid(
                f"Up to {MAX_REMINDERS} reminder times, each 1 to {MAX_REMINDER_HOURS} hours ahead.",
                ["input", "reminderHours"],
            )
        values["sms_reminder_hours"] = hours
    return values


async def update_sms_settings(principal: Principal, change: SmsSettingsChange) -> Clinic:
    clinic = await Clinic.get(id=access.require_admin(principal))
    values = _cleaned(change, clinic)
    if values:
        await Clinic.filter(id=clinic.id).update(**values)
        for name, value in values.items():
            setattr(clinic, name, value)
    return clinic


async def failed_messages(principal: Principal, first: int | None = None) -> list[OutboxMessage]:
    """Dead-lettered messages, newest first."""
    limit = min(max(first or FAILED_PAGE, 1), FAILED_PAGE)
    return await tenant.outbox_messages(principal).filter(status=OutboxStatus.DEAD).order_by("-created_at").limit(limit)


async def retry_message(rt: Runtime, principal: Principal, raw_id: str) -> OutboxMessage:
    message = await tenant.outbox_message(principal, raw_id)
    if message.status is not OutboxStatus.DEAD:
        raise invalid("Only a message that failed for good can be sent again.", ["id"])
    await rt.check_rate(f"outbox-retry:{message.clinic_id}", RETRIES_PER_HOUR, "Too many messages sent again.", 3600)
    if not await runner.retry_dead(message.clinic_id, message.id):
        raise not_found("Message", ["id"])
    rt.wake_jobs()
    return await OutboxMessage.get(id=message.id, clinic_id=message.clinic_id)
