"""`availableSlots`: free start times of a treatment over a date range."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from models import Clinic, utcnow
from resolvers.core.runtime import Runtime
from resolvers.core import access
from resolvers.core import tenant
from resolvers.booking.availability import free_starts, load_busy, load_spans, wall_to_utc
from resolvers.booking.book import bookable_treatment, offering_practitioners, shape_of
from resolvers.core.errors import invalid
from resolvers.booking.policy import booking_window
from resolvers.core.principal import Principal


MAX_YEARS_AWAY = 10


@dataclass(frozen=True)
class FreeSlot:
    start: datetime
    end: datetime
    practitioner_id: uuid.UUID


async def available_slots(
    rt: Runtime,
    principal: Principal,
    clinic_slug: str,
    treatment_id: str,
    first: date,
    last: date,
    practitioner_id: str | None = None,
    *,
    now: datetime | None = None,
    holder: str | None = None,
) -> tuple[Clinic, list[FreeSlot]]:
    """`holder`: the caller as a slot holder (resolvers/booking/holds.py);
    their own holds count as free for them."""
    now = now or utcnow()
    settings = rt.settings
    if last < first:
        raise invalid("`to` must not be before `from`.", ["to"])
    if abs((first - now.date()).days) > MAX_YEARS_AWAY * 366:
        raise invalid(f"Ask for dates within {MAX_YEARS_AWAY} years of today.", ["from"])
    max_days = settings.max_slot_range_days
    if (last - first).days >= max_days:
        raise invalid(f"Ask for at most {max_days} days at a time.", ["to"])
    facts = await tenant.clinic_facts(rt.clinics, principal, clinic_slug)
    clinic = facts.clinic
    access.portal_open(clinic, principal)
    treatment = await bookable_treatment(facts, principal, treatment_id, ["treatmentId"])
    practitioner_ids = await offering_practitioners(facts, treatment, practitioner_id, ["practitionerId"])
    tz = ZoneInfo(clinic.timezone)
    shape = shape_of(treatment)
    step = timedelta(minutes=clinic.slot_step_minutes)
    earliest, latest = booking_window(clinic, now)
    if principal.is_staff:
        earliest, latest = now, datetime.max.replace(tzinfo=now.tzinfo)

    range_start = wall_to_utc(first, 0, tz, later=False) - shape.before
    range_end = wall_to_utc(last, 24 * 60, tz, later=True) + shape.duration + shape.after
    spans, busy = await asyncio.gather(
        load_spans(clinic.id, practitioner_ids, first, last, tz, weekly=facts.weekly),
        load_busy(clinic.id, practitioner_ids, range_start, range_end, own_holder=holder, now=now),
    )
    slots = [
        FreeSlot(start, start + shape.duration, pid)
        for pid in practitioner_ids
        for start in free_starts(spans[pid], busy[pid], shape, step, earliest, latest)
    ]
    slots.sort(key=lambda slot: slot.start)
    return clinic, slots
