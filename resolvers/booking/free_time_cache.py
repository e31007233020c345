"""Free times from a cache that the clinic's events keep true.

Per (clinic, practitioner, local day) a process keeps the day's diary: its
working spans, the booked time that reaches into it, the holds that reach
into it (with their expiry and holder, so an expired hold and the caller's
own holds are left out when the diary is used, without any event), and,
per treatment shape and slot step, the day's free slots against what is
booked. A warm `availableSlots` reads nothing but the clinic's event log
(resolvers/core/clinic_cache.py), which getting the clinic's facts does.

What the log says changed drops exactly the diaries it touches: an
appointment, a move, a hold or a day's exception drops the practitioner's
days that its stretch reaches, widened by the clinic's longest treatment
with its buffers, in the clinic's time zone (so a change near midnight
drops both days); a change of weekly hours drops the practitioner's
days; a settings change (or a gap in the log) drops the whole clinic.

Memory is bounded: at most `MAX_DAYS` practitioner-days per process, the
least recently used dropped first."""

from __future__ import annotations

import uuid
from bisect import bisect_left
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo

from models import Appointment, AppointmentStatus, HoldStatus, RosterException, RosterExceptionKind, SlotHold
from models.events import EventKind
from resolvers.booking.availability import DayRule, Shape, Span, free_starts, wall_to_utc, working_spans
from resolvers.core.clinic_cache import Change, ClinicCache, ClinicFacts

# Practitioner-days kept per process (a day with one treatment shape asked
# for takes a few kilobytes).
MAX_DAYS = 10_000

_ALWAYS = datetime.min.replace(tzinfo=UTC)
_NEVER = datetime.max.replace(tzinfo=UTC)
_by_start = attrgetter("start")

ShapeKey = tuple[timedelta, timedelta, timedelta, timedelta]  # duration, before, after, step


@dataclass(frozen=True, slots=True)
class FreeSlot:
    start: datetime
    end: datetime
    practitioner_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class HeldTime:
    """A hold's occupied time: it counts while `expires_at` is ahead, and
    not for its own holder."""

    start: datetime
    end: datetime
    expires_at: datetime
    holder: str


@dataclass(slots=True)
class Diary:
    """One practitioner's local day. Shared by the process's requests:
    read, never modify (but `free`, which only grows)."""

    practitioner_id: uuid.UUID
    spans: list[Span]  # working time, UTC, in order
    booked: list[Span]  # appointments reaching into the day, by start
    held: tuple[HeldTime, ...]  # holds reaching into the day, live or not
    free: dict[ShapeKey, list[FreeSlot]] = field(default_factory=dict)  # against `booked` alone

    def live_holds(self, now: datetime, own_holder: str | None) -> list[HeldTime]:
        return [h for h in self.held if h.expires_at > now and h.holder != own_holder]

    def free_slots(self, shape: Shape, step: timedelta) -> list[FreeSlot]:
        key = (shape.duration, shape.before, shape.after, step)
        found = self.free.get(key)
        if found is None:
            found = self.free[key] = [
                FreeSlot(start, start + shape.duration, self.practitioner_id)
                for start in free_starts(self.spans, self.booked, shape, step, _ALWAYS, _NEVER)
            ]
        return found


@dataclass(frozen=True, slots=True)
class _Clinic:
    """What the listener needs to turn a change's stretch into local days."""

    tz: ZoneInfo
    reach: timedelta  # the longest treatment with its buffers


def _reach(facts: ClinicFacts) -> timedelta:
    longest = max(
        (t.duration_minutes + t.buffer_before_minutes + t.buffer_after_minutes for t in facts.treatments.values()),
        default=0,
    )
    return timedelta(minutes=longest)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class FreeTimeCache:
    """One per process: `rt.clinics.kept(FreeTimeCache)`. Answers are as of
    the clinic's last sync, which getting its facts does."""

    def __init__(self, clinics: ClinicCache, max_days: int = MAX_DAYS) -> None:
        self._clinics = clinics
        self._max_days = max_days
        self._diaries: OrderedDict[tuple[uuid.UUID, uuid.UUID, date], Diary] = OrderedDict()
        self._kept: dict[uuid.UUID, dict[uuid.UUID, set[date]]] = {}  # clinic -> practitioner -> days
        self._zones: dict[uuid.UUID, _Clinic] = {}
        self._zone_facts: dict[uuid.UUID, ClinicFacts] = {}  # the facts each zone was last checked against

    def __len__(self) -> int:
        return len(self._diaries)

    # -- what the log says changed ------------------------------------------

    def changed(self, clinic_id: uuid.UUID, changes: list[Change] | None) -> None:
        kept = self._kept.get(clinic_id)
        if kept is None:
            return
        if changes is None or any(c.kind is EventKind.SETTINGS_CHANGED or c.practitioner_id is None for c in changes):
            self.drop_clinic(clinic_id)
            return
        zone = self._zones[clinic_id]
        for change in changes:
            days = kept.get(change.practitioner_id)
            if not days:
                continue
            if change.span_start is None or change.span_end is None:
                touched = list(days)
            else:
                first = (change.span_start - zone.reach).astimezone(zone.tz).date()
                last = (change.span_end + zone.reach).astimezone(zone.tz).date()
                touched = [day for day in days if first <= day <= last]
            for day in touched:
                self._forget((clinic_id, change.practitioner_id, day))

    def drop_clinic(self, clinic_id: uuid.UUID) -> None:
        for practitioner_id, days in self._kept.pop(clinic_id, {}).items():
            for day in days:
                self._diaries.pop((clinic_id, practitioner_id, day), None)
        self._zones.pop(clinic_id, None)
        self._zone_facts.pop(clinic_id, None)

    def _forget(self, key: tuple[uuid.UUID, uuid.UUID, date]) -> None:
        if self._diaries.pop(key, None) is not None:
            clinic_id, practitioner_id, day = key
            self._kept[clinic_id][practitioner_id].discard(day)

    def _keep(self, clinic_id: uuid.UUID, day: date, diary: Diary) -> None:
        key = (clinic_id, diary.practitioner_id, day)
        self._diaries[key] = diary
        self._kept.setdefault(clinic_id, {}).setdefault(diary.practitioner_id, set()).add(day)
        while len(self._diaries) > self._max_days:
            (old_clinic, old_practitioner, old_day), _ = self._diaries.popitem(last=False)
            self._kept[old_clinic][old_practitioner].discard(old_day)

    def _zone(self, facts: ClinicFacts) -> _Clinic:
        clinic = facts.clinic
        if self._zone_facts.get(clinic.id) is facts:
            return self._zones[clinic.id]
        zone = _Clinic(ZoneInfo(clinic.timezone), _reach(facts))
        if self._zones.get(clinic.id) != zone:  # new here, or its zone or treatments changed
            self.drop_clinic(clinic.id)
            self._zones[clinic.id] = zone
            self._kept[clinic.id] = {}
        self._zone_facts[clinic.id] = facts
        return self._zones[clinic.id]

    # -- reading --------------------------------------------------------------

    def kept_spans(self, facts: ClinicFacts, practitioner_ids: list[uuid.UUID], day: date) -> dict[uuid.UUID, list[Span]] | None:
        """The working spans of `day` for each practitioner when all are
        kept; None otherwise (no statement either way)."""
        clinic_id = facts.clinic.id
        if clinic_id not in self._zones or self._clinics.kept_facts(clinic_id) is not facts:
            return None
        self._zone(facts)  # drops what was kept under other facts
        found = {}
        for practitioner_id in practitioner_ids:
            key = (clinic_id, practitioner_id, day)
            diary = self._diaries.get(key)
            if diary is None:
                return None
            self._diaries.move_to_end(key)
            found[practitioner_id] = diary.spans
        return found

    async def diaries(
        self, facts: ClinicFacts, practitioner_ids: list[uuid.UUID], first: date, last: date
    ) -> dict[uuid.UUID, list[Diary]]:
        """Each practitioner's diaries from `first` to `last`, day by day:
        the kept ones, the others read (three statements, whatever the
        range) and kept unless the clinic changed meanwhile."""
        clinic_id = facts.clinic.id
        generation = self._clinics.generation(clinic_id)
        # Facts the process no longer keeps were dropped by a change since the
        # request read them: what is read with them serves this request alone.
        current = self._clinics.kept_facts(clinic_id) is facts
        zone = self._zone(facts) if current else _Clinic(ZoneInfo(facts.clinic.timezone), _reach(facts))
        days = _days(first, last)
        found: dict[uuid.UUID, list[Diary | None]] = {}
        missing: dict[uuid.UUID, list[date]] = {}
        diaries, move_to_end = self._diaries, self._diaries.move_to_end
        for practitioner_id in practitioner_ids:
            row: list[Diary | None] = []
            for day in days:
                key = (clinic_id, practitioner_id, day)
                diary = diaries.get(key)
                if diary is None:
                    missing.setdefault(practitioner_id, []).append(day)
                else:
                    move_to_end(key)
                row.append(diary)
            found[practitioner_id] = row
        if missing:
            low = min(d[0] for d in missing.values())
            high = max(d[-1] for d in missing.values())
            read = await _read(facts, zone, list(missing), low, high)
            keep = current and self._clinics.generation(clinic_id) == generation and self._zones.get(clinic_id) is zone
            for practitioner_id, wanted in missing.items():
                row = found[practitioner_id]
                for day in wanted:
                    diary = read[practitioner_id][day]
                    row[(day - first).days] = diary
                    if keep:
                        self._keep(clinic_id, day, diary)
        return found  # type: ignore[return-value]

    async def free_slots(
        self,
        facts: ClinicFacts,
        practitioner_ids: list[uuid.UUID],
        first: date,
        last: date,
        shape: Shape,
        step: timedelta,
        earliest: datetime,
        latest: datetime,
        *,
        now: datetime,
        own_holder: str | None = None,
    ) -> list[FreeSlot]:
        """Free slots of the treatment `shape` from local `first` to `last`,
        starting within [earliest, latest], by start (then by practitioner,
        in the order given)."""
        slots: list[FreeSlot] = []
        for row in (await self.diaries(facts, practitioner_ids, first, last)).values():
            for diary in row:
                day_slots = diary.free_slots(shape, step)
                if not day_slots:
                    continue
                if diary.held and (live := diary.live_holds(now, own_holder)):
                    day_slots = [s for s in day_slots if not _meets(shape.occupied(s.start), live)]
                if day_slots and (day_slots[0].start < earliest or day_slots[-1].start > latest):
                    day_slots = [s for s in day_slots if earliest <= s.start <= latest]
                slots.extend(day_slots)
        if len(practitioner_ids) > 1:
            slots.sort(key=_by_start)
        return slots


def _meets(occupied: Span, holds: list[HeldTime]) -> bool:
    start, end = occupied
    return any(h.start < end and start < h.end for h in holds)


async def _read(
    facts: ClinicFacts, zone: _Clinic, practitioner_ids: list[uuid.UUID], first: date, last: date
) -> dict[uuid.UUID, dict[date, Diary]]:
    """The diaries of these practitioners from `first` to `last`, read
    afresh: the days' exceptions, appointments and holds (three statements)."""
    clinic_id, tz, reach = facts.clinic.id, zone.tz, zone.reach
    window_start = wall_to_utc(first, 0, tz, later=False) - reach
    window_end = wall_to_utc(last, 24 * 60, tz, later=True) + reach
    exceptions: dict[uuid.UUID, dict[date, list[DayRule]]] = defaultdict(lambda: defaultdict(list))
    for pid, day, kind, start, end in await RosterException.filter(
        clinic_id=clinic_id, practitioner_id__in=practitioner_ids, date__gte=first, date__lte=last
    ).values_list("practitioner_id", "date", "kind", "start_minute", "end_minute"):
        exceptions[pid][day].append(DayRule(RosterExceptionKind(kind), start, end))
    booked: dict[uuid.UUID, list[Span]] = defaultdict(list)
    for pid, start, end in await Appointment.filter(
        clinic_id=clinic_id, practitioner_id__in=practitioner_ids,
        occupied_end__gt=window_start, occupied_start__lt=window_end,
    ).exclude(status=AppointmentStatus.CANCELLED).order_by("occupied_start").values_list(
        "practitioner_id", "occupied_start", "occupied_end"
    ):  # fmt: skip
        booked[pid].append((start, end))
    held: dict[uuid.UUID, list[HeldTime]] = defaultdict(list)
    for pid, start, end, expires_at, holder in await SlotHold.filter(
        clinic_id=clinic_id, practitioner_id__in=practitioner_ids, status=HoldStatus.HELD,
        occupied_end__gt=window_start, occupied_start__lt=window_end,
    ).values_list("practitioner_id", "occupied_start", "occupied_end", "expires_at", "holder"):  # fmt: skip
        held[pid].append(HeldTime(start, end, expires_at, holder))
    # Each day with what may reach into it: from its midnight less the reach to the next one's plus it.
    days = [
        (day, wall_to_utc(day, 0, tz, later=False) - reach, wall_to_utc(day, 24 * 60, tz, later=True) + reach)
        for day in _days(first, last)
    ]
    read: dict[uuid.UUID, dict[date, Diary]] = {}
    for pid in practitioner_ids:
        weekly = facts.weekly.get(pid, {})
        own_booked, own_held = booked.get(pid, []), held.get(pid, [])
        longest = max((end - start for start, end in own_booked), default=timedelta(0))
        starts = [start for start, _ in own_booked]
        read[pid] = {}
        for day, day_start, day_end in days:
            spans = working_spans(day, day, tz, weekly, exceptions[pid])
            # Appointments by start: those that may reach into the day lie between these two.
            low, high = bisect_left(starts, day_start - longest), bisect_left(starts, day_end)
            read[pid][day] = Diary(
                pid,
                spans,
                [span for span in own_booked[low:high] if span[1] > day_start] if spans else [],
                tuple(h for h in own_held if h.start < day_end and h.end > day_start) if spans else (),
            )
    return read


