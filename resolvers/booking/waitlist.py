"""Joining, reading and leaving the waitlist.

A client (signed in, or a visitor who signed in on the booking page, by
phone code too) waits for a treatment, optionally with one practitioner,
between two dates and within times of day. When a matching time frees up,
resolvers/booking/waitlist_offers.py offers it, in the order they joined."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from models import WaitlistEntry, WaitlistStatus, utcnow
from models.db import write_transaction
from resolvers.booking.book import bookable_treatment, offering_practitioners
from resolvers.core import access, ids, tenant
from resolvers.core.errors import invalid
from resolvers.core.principal import Principal, Scope
from resolvers.core.runtime import Runtime

MAX_DAYS = 92
MAX_WAITING = 5  # entries one client waits on at once


@dataclass(frozen=True)
class JoinRequest:
    clinic_slug: str
    treatment_id: str
    date_from: date
    date_to: date
    practitioner_id: str | None = None
    earliest: time | None = None
    latest: time | None = None


def _minutes(value: time | None, default: int) -> int:
    return default if value is None else value.hour * 60 + value.minute


def _check_dates(request: JoinRequest, today: date, horizon_days: int) -> None:
    if request.date_to < request.date_from:
        raise invalid("`to` must not be before `from`.", ["input", "to"])
    if request.date_from < today:
        raise invalid("Choose dates from today on.", ["input", "from"])
    if (request.date_to - request.date_from).days >= MAX_DAYS:
        raise invalid(f"Wait for at most {MAX_DAYS} days at a time.", ["input", "to"])
    if (request.date_to - today).days > horizon_days:
        raise invalid(f"The clinic takes bookings up to {horizon_days} days ahead.", ["input", "to"])


async def join_waitlist(
    rt: Runtime, principal: Principal, request: JoinRequest, *, now: datetime | None = None
) -> WaitlistEntry:
    now = now or utcnow()
    client_id = access.require_waitlister(principal)
    facts = await tenant.clinic_facts(rt.clinics, principal, request.clinic_slug)
    clinic = facts.clinic
    access.portal_open(clinic, principal)
    treatment = await bookable_treatment(facts, principal, request.treatment_id, ["input", "treatmentId"])
    if request.practitioner_id is not None:
        await offering_practitioners(facts, treatment, request.practitioner_id, ["input", "practitionerId"])
    _check_dates(request, now.astimezone(ZoneInfo(clinic.timezone)).date(), clinic.booking_horizon_days)
    earliest, latest = _minutes(request.earliest, 0), _minutes(request.latest, 24 * 60 - 1)
    if latest <= earliest:
        raise invalid("The latest time must be after the earliest.", ["input", "latestTime"])
    fields = dict(
        clinic_id=clinic.id, client_id=client_id, treatment_id=treatment.id,
        practitioner_id=ids.parse_id(request.practitioner_id) if request.practitioner_id else None,
        date_from=request.date_from, date_to=request.date_to, earliest_minute=earliest, latest_minute=latest,
    )  # fmt: skip
    async with write_transaction():
        same = await WaitlistEntry.get_or_none(**fields, status=WaitlistStatus.WAITING)
        if same is not None:  # joining twice is waiting once
            return same
        waiting = await WaitlistEntry.filter(clinic_id=clinic.id, client_id=client_id, status=WaitlistStatus.WAITING).count()
        if waiting >= MAX_WAITING:
            raise invalid(f"You are on the waitlist {MAX_WAITING} times already; leave one first.", ["input"])
        return await WaitlistEntry.create(**fields)


async def leave_waitlist(principal: Principal, raw_id: str) -> WaitlistEntry:
    """A client's own entry; leaving twice is no error."""
    access.require_waitlister(principal)
    return await _end(principal, raw_id, WaitlistStatus.LEFT)


async def remove_waitlist_entry(principal: Principal, raw_id: str) -> WaitlistEntry:
    """Staff (or a partner key with the book scope) take an entry off."""
    access.require_client_records(principal, Scope.BOOK)
    return await _end(principal, raw_id, WaitlistStatus.REMOVED)


async def _end(principal: Principal, raw_id: str, status: WaitlistStatus) -> WaitlistEntry:
    async with write_transaction():
        entry = await tenant.waitlist_entry(principal, raw_id, ["id"])
        if entry.status is WaitlistStatus.WAITING:
            await WaitlistEntry.filter(id=entry.id, status=WaitlistStatus.WAITING).update(status=status)
            entry.status = status
    return entry


async def my_waitlist(principal: Principal) -> list[WaitlistEntry]:
    access.require_waitlister(principal)
    return await tenant.waitlist(principal).filter(status=WaitlistStatus.WAITING).order_by("created_at")


async def clinic_waitlist(
    principal: Principal, status: WaitlistStatus | None = WaitlistStatus.WAITING, treatment_id: str | None = None
) -> list[WaitlistEntry]:
    """The clinic's list in the order clients joined, for its staff."""
    access.require_client_records(principal, Scope.READ)
    query = tenant.waitlist(principal)
    if status is not None:
        query = query.filter(status=status)
    if treatment_id is not None:
        query = query.filter(treatment_id=(await tenant.any_treatment(principal.clinic_id, treatment_id, ["treatmentId"])).id)
    return await query.order_by("created_at")
