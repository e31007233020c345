"""`availableSlotsChanged`: the booking page told at once when free times
in the range it shows appear or disappear.

A watcher listens on the clinic's event channel like a calendar does, but
hears only what touches the diaries of the practitioners who offer the
treatment, near the watched dates; nothing is read for it until such an
event arrives. Then it reads the free times of the affected days again and
yields the days whose free times changed, with their new free times: never
who took a time or why. Anyone who may see the booking page may watch;
the range is bounded and an anonymous connection may hold only a few
watches (settings)."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from realtime.events import AppointmentEvent, EventKind, calendar_channel
from realtime.hub import Overflow
from realtime.streams import offered
from resolvers.booking import slots
from resolvers.booking.book import offering_practitioners, shape_of, bookable_treatment
from resolvers.account import credentials
from resolvers.core.errors import DomainError, ErrorCode, invalid
from resolvers.core.principal import Principal
from resolvers.core.runtime import Runtime


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FreeDay:
    date: date
    slots: list[slots.FreeSlot]


@dataclass(frozen=True)
class SlotsChange:
    clinic_id: uuid.UUID
    days: list[FreeDay]


@dataclass(eq=False, slots=True)
class SlotWatcher:
    """What the hub's preparation knows of a watcher: the events it takes."""

    clinic_id: uuid.UUID
    practitioner_ids: frozenset[uuid.UUID]
    start: datetime  # the watched range, widened by the treatment's length and buffers
    end: datetime

    def accept(self, event: AppointmentEvent) -> bool:
        if event.clinic_id != self.clinic_id:
            return False
        if event.kind is EventKind.SETTINGS_CHANGED:  # a treatment's length, who offers it, the hours...
            return True
        if event.practitioner_id not in self.practitioner_ids:
            return False
        if event.span_start is None or event.span_end is None:
            return True
        return event.span_start < self.end and event.span_end > self.start


def _by_day(found: list[slots.FreeSlot], tz: ZoneInfo) -> dict[date, list[slots.FreeSlot]]:
    return {day: list(group) for day, group in groupby(found, key=lambda s: s.start.astimezone(tz).date())}


async def watch(
    rt: Runtime, principal: Principal, clinic_slug: str, treatment_id: str, first: date, last: date,
    practitioner_id: str | None = None, *, holder: str | None = None,
) -> AsyncIterator[SlotsChange]:
    """Yields, after each change that touches them, the watched days whose
    free times changed. Refusals (unknown clinic or treatment, a range too
    long) come as the stream's first step, as for `availableSlots`."""
    settings = rt.settings
    if rt.hub is None:
        raise RuntimeError("live updates are not running in this process")
    if last >= first and (last - first).days >= settings.live_slot_range_days:
        raise invalid(f"Watch at most {settings.live_slot_range_days} days at a time.", ["to"])
    clinic, found = await slots.available_slots(
        rt, principal, clinic_slug, treatment_id, first, last, practitioner_id, holder=holder
    )
    tz = ZoneInfo(clinic.timezone)
    facts = await rt.clinics.facts(clinic.id)
    treatment = await bookable_treatment(facts, principal, treatment_id, ["treatmentId"])
    practitioners = await offering_practitioners(facts, treatment, practitioner_id, ["practitionerId"])
    shape = shape_of(treatment)
    reach = shape.before + shape.duration + shape.after  # a change this far away moves a start on the day
    start = datetime.combine(first, datetime.min.time(), tz) - reach
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz) + reach
    known = _by_day(found, tz)
    watcher = SlotWatcher(clinic.id, frozenset(p for p in practitioners if p is not None), start, end)
    recheck = settings.ws_recheck_seconds * random.uniform(0.8, 1.0)

    async def still_allowed() -> bool:  # a signed-in watcher's session must last; the page itself is public
        if principal.credential_id is None:
            return True
        try:
            return await credentials.still_valid_recently(principal.credential_id, recheck / 2)
        except Exception:  # noqa: BLE001 - a failed check keeps the stream; the next one decides
            log.warning("credential check failed; the watch goes on until the next check", exc_info=True)
            return True

    try:
        async for event in offered(rt.hub, calendar_channel(clinic.id), watcher, still_allowed, recheck):
            days = _touched(event, tz, reach, first, last)
            if not days:
                continue
            _, fresh = await slots.available_slots(
                rt, principal, clinic_slug, treatment_id, days[0], days[-1], practitioner_id, holder=holder
            )
            now = _by_day(fresh, tz)
            changed = []
            for day in _dates(days[0], days[-1]):
                before, after = known.get(day, []), now.get(day, [])
                if before != after:
                    changed.append(FreeDay(day, after))
                    known[day] = after
            if changed:
                yield SlotsChange(clinic.id, changed)
    except Overflow:
        raise DomainError(ErrorCode.RATE_LIMITED, "Too many changes went unread; ask availableSlots again.") from None


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _touched(event: AppointmentEvent, tz: ZoneInfo, reach: timedelta, first: date, last: date) -> list[date]:
    """The watched dates whose free times the event may have changed."""
    if event.span_start is None or event.span_end is None:
        return _dates(first, last)
    low = max(first, (event.span_start - reach).astimezone(tz).date())
    high = min(last, (event.span_end + reach).astimezone(tz).date())
    return _dates(low, high) if low <= high else []
