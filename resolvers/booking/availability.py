"""When a practitioner is free.

Working hours are kept in local wall-clock minutes; they are turned into UTC
spans date by date, so a roster means the same local times on either side of
a daylight-saving change. Candidate starts step through each span in real
time, so on a change day no instant is skipped or offered twice. Busy times
for the whole range come from one query and are walked with one pointer per
practitioner, so the work grows with slots plus appointments, not their
product."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models import (
    Appointment,
    AppointmentStatus,
    HoldStatus,
    RosterEntry,
    RosterException,
    RosterExceptionKind,
    SlotHold,
    utcnow,
)

Span = tuple[datetime, datetime]  # UTC, [start, end)


def wall_to_utc(day: date, minute: int, tz: ZoneInfo, *, later: bool) -> datetime:
    """The instant of local minute `minute` of `day`. A time skipped by a
    spring-forward change moves past the gap; a time repeated by a fall-back
    change is its first occurrence, or its second when `later` (span ends)."""
    wall = datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=minute)
    first = wall.replace(fold=0).astimezone(UTC)
    second = wall.replace(fold=1).astimezone(UTC)
    if first < second:  # repeated wall time
        return second if later else first
    return first  # unambiguous, or inside a gap (fold=0 lands past it)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(ranges: list[tuple[int, int]], cut: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    for start, end in ranges:
        if cut[1] <= start or cut[0] >= end:
            out.append((start, end))
            continue
        if start < cut[0]:
            out.append((start, cut[0]))
        if cut[1] < end:
            out.append((cut[1], end))
    return out


@dataclass(frozen=True)
class DayRule:
    """A date's exceptions for one practitioner."""

    kind: RosterExceptionKind
    start_minute: int | None
    end_minute: int | None


def working_spans(
    first: date,
    last: date,
    tz: ZoneInfo,
    weekly: dict[int, list[tuple[int, int]]],
    exceptions: dict[date, list[DayRule]],
) -> list[Span]:
    """UTC spans of work between two local dates, inclusive, in order."""
    spans: list[Span] = []
    day = first
    while day <= last:
        minutes = list(weekly.get(day.weekday(), ()))
        rules = exceptions.get(day, ())
        for rule in rules:
            if rule.kind is RosterExceptionKind.EXTRA and rule.start_minute is not None:
                minutes.append((rule.start_minute, rule.end_minute))
        minutes = _merge(minutes)
        for rule in rules:
            if rule.kind is RosterExceptionKind.OFF:
                if rule.start_minute is None:
                    minutes = []
                else:
                    minutes = _subtract(minutes, (rule.start_minute, rule.end_minute))
        for start, end in minutes:
            spans.append((wall_to_utc(day, start, tz, later=False), wall_to_utc(day, end, tz, later=True)))
        day += timedelta(days=1)
    return spans


@dataclass(frozen=True)
class Shape:
    """What a booking of one treatment takes from a diary."""

    duration: timedelta
    before: timedelta
    after: timedelta

    def occupied(self, start: datetime) -> Span:
        return start - self.before, start + self.duration + self.after


def free_starts(
    spans: list[Span],
    busy: list[Span],
    shape: Shape,
    step: timedelta,
    earliest: datetime,
    latest: datetime,
) -> list[datetime]:
    """Start times on each span's step grid where the treatment fits inside
    the span and its occupied time (buffers included) touches nothing busy.
    `busy` is sorted by start."""
    found: list[datetime] = []
    j, n = 0, len(busy)
    for span_start, span_end in spans:
        start = span_start
        if start < earliest:
            start += step * -((span_start - earliest) // step)
        while start + shape.duration <= span_end and start <= latest:
            occupied_start, occupied_end = shape.occupied(start)
            while j < n and busy[j][1] <= occupied_start:
                j += 1
            if j < n and busy[j][0] < occupied_end:
                # Jump to the first grid point clear of this busy block.
                clear_from = busy[j][1] + shape.before
                start += step * max(1, -((start - clear_from) // step))
                continue
            found.append(start)
            start += step
    return found


def fits(spans: list[Span], busy: list[Span], shape: Shape, start: datetime, step: timedelta | None = None) -> bool:
    """Whether one given start fits: inside a working span (on its step grid
    when `step` is given), clear of busy."""
    end = start + shape.duration
    if not any(s <= start and end <= e and (step is None or not (start - s) % step) for s, e in spans):
        return False
    occupied_start, occupied_end = shape.occupied(start)
    return not any(b_start < occupied_end and occupied_start < b_end for b_start, b_end in busy)


async def load_spans(
    clinic_id: uuid.UUID,
    practitioner_ids: list[uuid.UUID],
    first: date,
    last: date,
    tz: ZoneInfo,
    *,
    weekly: dict[uuid.UUID, dict[int, list[tuple[int, int]]]] | None = None,
) -> dict[uuid.UUID, list[Span]]:
    """Working spans per practitioner: two queries, whatever the range; one
    when the weekly hours are given (the clinic's kept facts)."""
    if weekly is None:
        weekly = defaultdict(lambda: defaultdict(list))
        for pid, weekday, start, end in await RosterEntry.filter(
            clinic_id=clinic_id, practitioner_id__in=practitioner_ids
        ).values_list("practitioner_id", "weekday", "start_minute", "end_minute"):
            weekly[pid][weekday].append((start, end))
    exceptions: dict[uuid.UUID, dict[date, list[DayRule]]] = defaultdict(lambda: defaultdict(list))
    for pid, day, kind, start, end in await RosterException.filter(
        clinic_id=clinic_id, practitioner_id__in=practitioner_ids, date__gte=first, date__lte=last
    ).values_list("practitioner_id", "date", "kind", "start_minute", "end_minute"):
        exceptions[pid][day].append(DayRule(RosterExceptionKind(kind), start, end))
    return {
        pid: working_spans(first, last, tz, weekly.get(pid, {}), exceptions.get(pid, {}))
        for pid in practitioner_ids
    }


async def load_busy(
    clinic_id: uuid.UUID,
    practitioner_ids: list[uuid.UUID],
    start: datetime,
    end: datetime,
    *,
    ignore: uuid.UUID | None = None,
    own_holder: str | None = None,
    now: datetime | None = None,
) -> dict[uuid.UUID, list[Span]]:
    """Occupied time in [start, end) of every active appointment and every
    hold still live at `now` (but those of `own_holder`), per practitioner,
    sorted: two queries."""
    query = Appointment.filter(
        clinic_id=clinic_id,
        practitioner_id__in=practitioner_ids,
        occupied_end__gt=start,
        occupied_start__lt=end,
    ).exclude(status=AppointmentStatus.CANCELLED)
    if ignore is not None:
        query = query.exclude(id=ignore)
    holds = SlotHold.filter(
        clinic_id=clinic_id,
        practitioner_id__in=practitioner_ids,
        status=HoldStatus.HELD,
        expires_at__gt=now or utcnow(),
        occupied_end__gt=start,
        occupied_start__lt=end,
    )
    if own_holder is not None:
        holds = holds.exclude(holder=own_holder)
    busy: dict[uuid.UUID, list[Span]] = {pid: [] for pid in practitioner_ids}
    for pid, s, e in await query.order_by("occupied_start").values_list(
        "practitioner_id", "occupied_start", "occupied_end"
    ):
        busy[pid].append((s, e))
    held = await holds.values_list("practitioner_id", "occupied_start", "occupied_end")
    for pid, s, e in held:
        busy[pid].append((s, e))
    if held:
        for spans in busy.values():
            spans.sort()
    return busy
