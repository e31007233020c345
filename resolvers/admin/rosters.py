"""Practitioners' working hours: the weekly roster and single-date
exceptions, in the clinic's local wall-clock time ("09:00" to "17:30")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models import Clinic, RosterEntry, RosterException, RosterExceptionKind
from models.db import write_transaction
from realtime import events
from resolvers.booking import waitlist_offers
from resolvers.core import access
from resolvers.core import ids
from resolvers.core import tenant
from resolvers.core.errors import invalid, not_found
from resolvers.core.principal import Principal
from resolvers.core.runtime import Runtime

_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def parse_time(text: str, field: list[str]) -> int:
    """Minutes from local midnight; "24:00" is the end of the day."""
    match = _TIME.match((text or "").strip())
    minutes = int(match.group(1)) * 60 + int(match.group(2)) if match else -1
    if not 0 <= minutes <= 1440:
        raise invalid('Give a time as "HH:MM", from 00:00 to 24:00.', field)
    return minutes


def format_time(minutes: int | None) -> str | None:
    return None if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Hours:
    weekday: int  # 0 = Monday
    start: str
    end: str


async def set_weekly_roster(principal: Principal, raw_practitioner_id: str, hours: list[Hours]) -> list[RosterEntry]:
    """Replaces the practitioner's weekly hours with `hours` (several spans a
    day are fine, e.g. around a lunch break; they may not overlap)."""
    clinic_id = access.require_admin(principal)
    practitioner = await tenant.any_practitioner(clinic_id, raw_practitioner_id, ["practitionerId"])
    spans: list[tuple[int, int, int]] = []
    for index, entry in enumerate(hours):
        field = ["hours", str(index)]
        if not 0 <= entry.weekday <= 6:
            raise invalid("A weekday is 0 (Monday) to 6 (Sunday).", [*field, "weekday"])
        start, end = parse_time(entry.start, [*field, "start"]), parse_time(entry.end, [*field, "end"])
        if end <= start:
            raise invalid("The end must be after the start.", [*field, "end"])
        spans.append((entry.weekday, start, end))
    spans.sort()
    for (day_a, _, end_a), (day_b, start_b, _) in zip(spans, spans[1:]):
        if day_a == day_b and start_b < end_a:
            raise invalid("Two spans of one weekday overlap.", ["hours"])
    async with write_transaction():
        await RosterEntry.filter(clinic_id=clinic_id, practitioner_id=practitioner.id).delete()
        for weekday, start, end in spans:
            await RosterEntry.create(
                clinic_id=clinic_id, practitioner_id=practitioner.id, weekday=weekday, start_minute=start, end_minute=end
            )
        await events.record_span(events.EventKind.ROSTER_CHANGED, clinic_id, practitioner.id, None, None)
    return await weekly_roster(clinic_id, practitioner.id)


async def weekly_roster(clinic_id, practitioner_id) -> list[RosterEntry]:
    return await RosterEntry.filter(clinic_id=clinic_id, practitioner_id=practitioner_id).order_by(
        "weekday", "start_minute"
    )


async def add_roster_exception(
    rt: Runtime,
    principal: Principal,
    raw_practitioner_id: str,
    day: date,
    kind: RosterExceptionKind,
    start: str | None,
    end: str | None,
    note: str | None,
) -> RosterException:
    """OFF without times: the whole day off; OFF with times: those hours
    blocked; EXTRA (times needed): hours worked besides the weekly ones.
    Appointments already booked are not touched; extra hours are offered to
    the waitlist at once."""
    clinic_id = access.require_admin(principal)
    practitioner = await tenant.any_practitioner(clinic_id, raw_practitioner_id, ["practitionerId"])
    if (start is None) != (end is None):
        raise invalid("Give both a start and an end, or neither.", ["end" if end is None else "start"])
    start_minute = parse_time(start, ["start"]) if start is not None else None
    end_minute = parse_time(end, ["end"]) if end is not None else None
    if start_minute is None and kind is RosterExceptionKind.EXTRA:
        raise invalid("Extra hours need a start and an end.", ["start"])
    if start_minute is not None and end_minute <= start_minute:
        raise invalid("The end must be after the start.", ["end"])
    note = (note or "").strip() or None
    if note and len(note) > 200:
        raise invalid("At most 200 characters.", ["note"])
    async with write_transaction():
        exception = await RosterException.create(
            clinic_id=clinic_id,
            practitioner_id=practitioner.id,
            date=day,
            kind=kind,
            start_minute=start_minute,
            end_minute=end_minute,
            note=note,
        )
        clinic = await Clinic.get(id=clinic_id)
        await _day_changed(clinic, practitioner.id, day)
        if kind is RosterExceptionKind.EXTRA:
            await waitlist_offers.offer_hours(rt, clinic, practitioner.id, day, start_minute, end_minute)
    rt.changes_committed()
    return exception


async def remove_roster_exception(principal: Principal, raw_id: str) -> None:
    clinic_id = access.require_admin(principal)
    ident = ids.parse_id(raw_id)
    row = await RosterException.get_or_none(id=ident, clinic_id=clinic_id) if ident else None
    if row is None:
        raise not_found("Roster exception", ["id"])
    async with write_transaction():
        if await RosterException.filter(id=row.id).delete():
            await _day_changed(await Clinic.get(id=clinic_id), row.practitioner_id, row.date)


async def _day_changed(clinic: Clinic, practitioner_id, day: date) -> None:
    """The event that the practitioner's hours on `day` changed: the booking
    pages watching it read its free times again."""
    tz = ZoneInfo(clinic.timezone)
    start = datetime.combine(day, time.min, tz)
    await events.record_span(events.EventKind.ROSTER_CHANGED, clinic.id, practitioner_id, start, start + timedelta(days=1))


async def roster_exceptions(clinic_id, practitioner_id, start: date | None = None) -> list[RosterException]:
    query = RosterException.filter(clinic_id=clinic_id, practitioner_id=practitioner_id)
    if start is not None:
        query = query.filter(date__gte=start)
    return await query.order_by("date", "start_minute")
