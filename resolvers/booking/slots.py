"""`availableSlots`: free start times of a treatment over a date range."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from models import Clinic, utcnow
from resolvers.core.runtime import Runtime
from resolvers.core import access
from resolvers.core import tenant
from resolvers.booking.book import bookable_treatment, offering_practitioners, shape_of
from resolvers.core.errors import invalid
from resolvers.booking.free_time_cache import FreeSlot, FreeTimeCache
from resolvers.booking.policy import booking_window
from resolvers.core.principal import Principal


MAX_YEARS_AWAY = 10


__all__ = ["FreeSlot", "MAX_YEARS_AWAY", "available_slots"]


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
    their own holds count as free for them. The days' diaries come from the
    process's free-time cache (resolvers/booking/free_time_cache.py): warm,
    the answer costs the one statement that syncs the clinic."""
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
    shape = shape_of(treatment)
    step = timedelta(minutes=clinic.slot_step_minutes)
    earliest, latest = booking_window(clinic, now)
    if principal.is_staff:
        earliest, latest = now, datetime.max.replace(tzinfo=now.tzinfo)
    slots = await rt.clinics.kept(FreeTimeCache).free_slots(
        facts, practitioner_ids, first, last, shape, step, earliest, latest, now=now, own_holder=holder
    )
    return clinic, slots
