"""Slot holds: who holds what, spending a hold on its booking, and letting
expired ones go.

Every change of a hold (created, released, expired, used) goes through
`hold_changed`, inside the transaction that makes it, so whatever follows
holds (live free times, the event log) has one place to hook into."""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime
from enum import StrEnum

from models import HoldStatus, SlotHold
from models.db import connection, is_postgres
from realtime import events
from realtime.events import EventKind
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.principal import Principal, PrincipalKind
from resolvers.core.ratelimit import network

log = logging.getLogger("clinicportal.holds")


class HoldChange(StrEnum):
    CREATED = "CREATED"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"
    USED = "USED"


async def hold_changed(change: HoldChange, hold: SlotHold) -> None:
    """Called inside the transaction of every change to a hold, after the
    row is written. The time `hold` covers became taken (CREATED) or free
    again (RELEASED, EXPIRED), or turned into an appointment (USED)."""
    log.debug("hold %s %s: practitioner %s at %s", hold.id, change, hold.practitioner_id, hold.start_at)
    kind = {HoldChange.CREATED: EventKind.HELD, HoldChange.RELEASED: EventKind.RELEASED, HoldChange.EXPIRED: EventKind.RELEASED}.get(change)
    if kind is not None:  # a used hold's time is told by its booking's own event
        await events.record_span(kind, hold.clinic_id, hold.practitioner_id, hold.occupied_start, hold.occupied_end)


def holder_of(principal: Principal, ip: str) -> str:
    """Who holds: a client (portal or booking session), a staff user, an API
    key, or an anonymous visitor known by network; hashed, so no address is
    stored."""
    if principal.kind is PrincipalKind.PARTNER:
        who = f"PARTNER:{principal.credential_id}"
    elif principal.kind is PrincipalKind.STAFF:
        who = f"STAFF:{principal.staff_id}"
    elif principal.client_id is not None:
        who = f"CLIENT:{principal.client_id}"
    else:
        who = f"IP:{network(ip)}"
    return hashlib.sha256(who.encode()).hexdigest()


async def lock_holder(holder: str) -> None:
    """Serialise one holder's holds, so the count of what they hold is
    exact under concurrency (PostgreSQL; SQLite's write lock already does)."""
    if is_postgres():
        await connection().execute_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [holder])


async def live_count(clinic_id: uuid.UUID, holder: str, now: datetime) -> int:
    return await SlotHold.filter(clinic_id=clinic_id, holder=holder, status=HoldStatus.HELD, expires_at__gt=now).count()


async def expire_met(
    clinic_id: uuid.UUID, practitioner_ids: list[uuid.UUID], start: datetime, end: datetime, now: datetime
) -> None:
    """Let go of the expired holds that overlap [start, end) for these
    practitioners, in the caller's write transaction: a booking or hold that
    meets an expired hold frees its time without waiting for any job."""
    expired = await SlotHold.filter(
        clinic_id=clinic_id,
        practitioner_id__in=practitioner_ids,
        status=HoldStatus.HELD,
        expires_at__lte=now,
        occupied_end__gt=start,
        occupied_start__lt=end,
    )
    for hold in expired:
        if await SlotHold.filter(id=hold.id, status=HoldStatus.HELD).update(status=HoldStatus.EXPIRED):
            hold.status = HoldStatus.EXPIRED
            await hold_changed(HoldChange.EXPIRED, hold)


def spent_refusal(hold: SlotHold, now: datetime, field: list[str]) -> DomainError | None:
    """Why this hold can no longer be booked, if it cannot."""
    if hold.status is HoldStatus.USED:
        return DomainError(ErrorCode.HOLD_ALREADY_USED, "This held time has already been booked.", field)
    if hold.status is HoldStatus.RELEASED:
        return DomainError(ErrorCode.HOLD_RELEASED, "This hold was released; pick the time again.", field)
    if hold.status is HoldStatus.EXPIRED or hold.expires_at <= now:
        return DomainError(ErrorCode.HOLD_EXPIRED, "This hold has expired; pick the time again.", field)
    return None


async def spend(hold: SlotHold, now: datetime, field: list[str]) -> None:
    """Mark the hold used, in the booking's write transaction, before the
    appointment is placed (so its time is free for that booking only). One
    conditional UPDATE: of concurrent spenders exactly one gets it."""
    taken = await SlotHold.filter(id=hold.id, status=HoldStatus.HELD, expires_at__gt=now).update(status=HoldStatus.USED)
    if not taken:
        fresh = await SlotHold.get(id=hold.id)
        if fresh.status is HoldStatus.HELD:  # expired under our feet: let it go in this transaction
            await SlotHold.filter(id=hold.id).update(status=HoldStatus.EXPIRED)
            fresh.status = HoldStatus.EXPIRED
        raise spent_refusal(fresh, now, field) or DomainError(ErrorCode.HOLD_EXPIRED, "This hold has expired.", field)
    hold.status = HoldStatus.USED


async def mark_used(hold: SlotHold, appointment_id: uuid.UUID) -> None:
    await SlotHold.filter(id=hold.id).update(appointment_id=appointment_id)
    hold.appointment_id = appointment_id
    await hold_changed(HoldChange.USED, hold)

