"""The periodic clean-up: rows whose use is over.

Each entry of `RULES` names a table and the condition under which its rows
may go; add an entry for a new kind of short-lived row. Runs every
`cleanup_interval_seconds` in the API process on the embedded default, and
as an hourly SAQ cron job in `clinicportal worker`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.models import Model

from models import (
    ClinicEvent,
    Credential,
    CredentialKind,
    IdempotencyKey,
    OutboxMessage,
    OutboxStatus,
    PasswordResetToken,
    PrefillToken,
    SignInCode,
    SlotHold,
    StaffInvite,
    WaitlistOffer,
    utcnow,
)
from settings import Settings

log = logging.getLogger("clinicportal.jobs")

Condition = Callable[[datetime, Settings], Q]

# Links and codes that say "expired" when used late keep saying so for a day
# before they go (after that they are simply unknown). A spent one expires too.
GRACE = timedelta(days=1)

RULES: list[tuple[str, type[Model], Condition]] = [
    ("expired pre-fill tokens", PrefillToken, lambda now, s: Q(expires_at__lt=now)),
    (
        # Sessions only: partner API keys are listed (revoked too) until removed by hand.
        "expired or revoked sessions",
        Credential,
        lambda now, s: ~Q(kind=CredentialKind.API_KEY) & (Q(expires_at__lt=now) | Q(revoked_at__isnull=False)),
    ),
    ("expired idempotency keys", IdempotencyKey, lambda now, s: Q(expires_at__lt=now)),
    # What a code recorded (terms accepted) lives on in the client row once verified.
    ("expired sign-in codes", SignInCode, lambda now, s: Q(expires_at__lt=now - GRACE)),
    ("expired password-reset links", PasswordResetToken, lambda now, s: Q(expires_at__lt=now - GRACE)),
    ("expired staff invitations", StaffInvite, lambda now, s: Q(expires_at__lt=now - GRACE)),
    # A hold lasts minutes; past a day it answers "expired" or "used" to no one.
    ("slot holds a day old", SlotHold, lambda now, s: Q(created_at__lt=now - GRACE)),
    ("expired waitlist offer links", WaitlistOffer, lambda now, s: Q(expires_at__lt=now - GRACE)),
    # Consent requests are records of what was asked and signed: never deleted here.
    (
        "sent or cancelled outbox rows past retention",
        OutboxMessage,
        lambda now, s: Q(status__in=[OutboxStatus.SENT, OutboxStatus.CANCELLED])
        & Q(created_at__lt=now - timedelta(days=s.outbox_retention_days)),
    ),
    # A cursor older than what is kept answers RESYNC_REQUIRED; each clinic's
    # head (models/events.py) keeps counting, so positions are never reused.
    # An event not yet relayed stays, however old.
    (
        "events past retention",
        ClinicEvent,
        lambda now, s: Q(published=True) & Q(occurred_at__lt=now - timedelta(days=s.event_retention_days)),
    ),
]


async def run(settings: Settings, now: datetime | None = None) -> dict[str, int]:
    """Deletes what each rule allows; answers how many rows went, by rule."""
    now = now or utcnow()
    deleted = {}
    for name, model, condition in RULES:
        deleted[name] = await model.filter(condition(now, settings)).delete()
    if any(deleted.values()):
        log.info("clean-up: %s", ", ".join(f"{n} {name}" for name, n in deleted.items() if n))
    return deleted


async def every(settings: Settings) -> None:
    """The in-process schedule: once soon after start, then at each interval."""
    await asyncio.sleep(min(30, settings.cleanup_interval_seconds))
    while True:
        try:
            await run(settings)
        except Exception:  # noqa: BLE001 - try again next time
            log.exception("clean-up failed")
        await asyncio.sleep(settings.cleanup_interval_seconds)
