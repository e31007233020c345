"""`holdSlot` and `releaseHold`: keeping a picked time for its caller while
they fill in the booking form.

Anyone who may book may hold, under the same rules as booking (window,
working hours, treatment offered). A hold is written in a write
transaction like an appointment and meets the same guarantee (see
models/hold.py): of concurrent holds and bookings of one time exactly one
gets it. One caller holds at most the clinic's `max_holds_per_caller` times
at once, so a script cannot hold a diary empty."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from models import Clinic, HoldStatus, SlotHold, utcnow
from models.db import write_transaction
from resolvers.booking import holds, waitlist_offers
from resolvers.booking.book import (
    bookable_treatment,
    claim_first_free,
    offering_practitioners,
    shape_of,
    working_candidates,
)
from resolvers.booking.holds import HoldChange
from resolvers.booking.policy import ensure_in_window
from resolvers.core import access, tenant
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.principal import Principal
from resolvers.core.ratelimit import network
from resolvers.core.runtime import Runtime
from resolvers.core.times import as_utc


async def hold_slot(
    rt: Runtime,
    principal: Principal,
    ip: str,
    clinic_slug: str,
    treatment_id: str,
    start: datetime,
    practitioner_id: str | None = None,
    *,
    now: datetime | None = None,
) -> SlotHold:
    now = now or utcnow()
    await rt.check_rate(f"hold:ip:{network(ip)}", rt.settings.holds_per_ip_hour, "Too many holds.", 3600)
    facts = await tenant.clinic_facts(rt.clinics, principal, clinic_slug)
    clinic = facts.clinic
    if (refusal := access.booking_refusal(clinic, principal)) is not None:
        raise refusal
    start = as_utc(start, ["start"])
    ensure_in_window(clinic, principal, start, now)
    treatment = await bookable_treatment(facts, principal, treatment_id, ["treatmentId"])
    candidates = await offering_practitioners(facts, treatment, practitioner_id, ["practitionerId"])
    shape = shape_of(treatment)
    candidates = await working_candidates(clinic, principal, shape, candidates, start, facts)
    holder = holds.holder_of(principal, ip)
    occupied_start, occupied_end = shape.occupied(start)

    async def create(practitioner: uuid.UUID) -> SlotHold:
        return await SlotHold.create(
            clinic_id=clinic.id,
            practitioner_id=practitioner,
            treatment_id=treatment.id,
            start_at=start,
            end_at=start + shape.duration,
            occupied_start=occupied_start,
            occupied_end=occupied_end,
            expires_at=now + timedelta(minutes=clinic.hold_minutes),
            holder=holder,
        )

    async with write_transaction():
        await holds.lock_holder(holder)
        if await holds.live_count(clinic.id, holder, now) >= clinic.max_holds_per_caller:
            raise DomainError(
                ErrorCode.TOO_MANY_HOLDS,
                f"You are already holding {clinic.max_holds_per_caller} times. Book or release one first.",
            )
        hold = await claim_first_free(clinic, candidates, (occupied_start, occupied_end), create, now=now)
        await holds.hold_changed(HoldChange.CREATED, hold)
    rt.changes_committed()  # the booking pages watching this time hear it taken
    return hold


async def release_hold(
    rt: Runtime, principal: Principal, ip: str, raw_id: str, *, now: datetime | None = None
) -> SlotHold:
    """Give a held time back: the waitlist is offered it at once. Releasing
    twice, or after it expired, is no error (the time is free either way); a
    hold already booked cannot be released."""
    now = now or utcnow()
    # Anyone may call it with made-up ids: counted, and looked up before any write lock is taken.
    await rt.check_rate(f"hold-release:ip:{network(ip)}", rt.settings.holds_per_ip_hour, "Too many releases.", 3600)
    clinic_id = principal.clinic_id  # None for an anonymous caller: then the holder alone scopes the id
    holder = holds.holder_of(principal, ip)
    hold = await tenant.hold(clinic_id, holder, raw_id, ["id"])
    if hold.status is HoldStatus.USED:
        raise holds.spent_refusal(hold, now, ["id"])
    if hold.status is not HoldStatus.HELD:
        return hold
    changed = False
    async with write_transaction():
        change, status = (HoldChange.RELEASED, HoldStatus.RELEASED) if hold.expires_at > now else (
            HoldChange.EXPIRED, HoldStatus.EXPIRED)
        if await SlotHold.filter(id=hold.id, status=HoldStatus.HELD).update(status=status):
            hold.status, changed = status, True
            await holds.hold_changed(change, hold)
            clinic = await Clinic.get(id=hold.clinic_id)
            await waitlist_offers.offer_time(rt, clinic, hold.practitioner_id, hold.start_at, now=now)
    if changed:
        rt.changes_committed()
    else:
        hold = await SlotHold.get(id=hold.id)  # someone else changed it first: answer as it is
    return hold

