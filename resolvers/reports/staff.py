"""Staff performance: per practitioner, the appointments that took place in
the range (starting in it, not cancelled), how many were completed or
missed, their revenue (price of the completed ones, as in the revenue
report), and utilisation: booked minutes over rostered minutes.

Booked minutes are the appointments' own length (buffers left out), whether
or not they fall inside rostered hours, so utilisation can pass 1 when a
practitioner works extra. Rostered minutes are the weekly roster with its
exceptions (days off, blocked hours, extra hours), date by date, in real
minutes: a roster that spans a daylight-saving change is an hour shorter or
longer that day. Rosters are a few rows per practitioner: the weekly totals
are summed in SQL and multiplied by how many of each weekday the range has;
only dates with an exception or a clock change are worked out one by one."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from models import RosterExceptionKind
from resolvers.booking.availability import DayRule, wall_to_utc, working_spans
from resolvers.reports import ReportRange, sql


@dataclass(frozen=True)
class StaffLine:
    practitioner_id: uuid.UUID
    name: str
    appointments: int
    completed: int
    no_shows: int
    revenue: Decimal
    booked_minutes: int
    rostered_minutes: int

    @property
    def utilisation(self) -> float | None:
        return round(self.booked_minutes / self.rostered_minutes, 4) if self.rostered_minutes else None


def _appointments_statement() -> str:
    minutes = f"{sql.seconds_between('a.end_at', 'a.start_at')} / 60"
    revenue = sql.money_sum("CASE WHEN a.status = 'COMPLETED' THEN a.price END")
    return (
        "SELECT a.practitioner_id, COUNT(*) AS appointments,"
        " SUM(CASE WHEN a.status = 'COMPLETED' THEN 1 ELSE 0 END) AS completed,"
        " SUM(CASE WHEN a.status = 'NO_SHOW' THEN 1 ELSE 0 END) AS no_shows,"
        f" {revenue} AS revenue, SUM({minutes}) AS booked_minutes"
        " FROM appointment a WHERE a.clinic_id = :clinic AND a.status <> 'CANCELLED'"
        " AND a.start_at >= :start AND a.start_at < :end GROUP BY a.practitioner_id"
    )


WEEKLY = (
    "SELECT practitioner_id, weekday, start_minute, end_minute FROM roster_entry WHERE clinic_id = :clinic"
)
EXCEPTIONS = (
    "SELECT practitioner_id, date, kind, start_minute, end_minute FROM roster_exception"
    " WHERE clinic_id = :clinic AND date >= :first AND date <= :last"
)
PRACTITIONERS = "SELECT id, name, active FROM practitioner WHERE clinic_id = :clinic"


def _clock_changes(first: date, last: date, tz: ZoneInfo) -> set[date]:
    """Local dates on which the UTC offset changes."""
    changed = set()
    day = first
    while day <= last:
        following = day + timedelta(days=1)
        if wall_to_utc(following, 0, tz, later=False) - wall_to_utc(day, 0, tz, later=False) != timedelta(days=1):
            changed.add(day)
        day = following
    return changed


def _wall_minutes(ranges: list[tuple[int, int]]) -> int:
    """Minutes covered by local wall-clock ranges, overlaps counted once."""
    total, reach = 0, None
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if reach is None or start >= reach:
            total, reach = total + end - start, end
        elif end > reach:
            total, reach = total + end - reach, end
    return total


def _minutes(spans) -> int:
    return sum(int((end - start).total_seconds()) // 60 for start, end in spans)


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def rostered_minutes(r: ReportRange) -> dict[uuid.UUID, int]:
    tz = r.tz
    weekly_rows, exception_rows = await asyncio.gather(
        sql.rows(WEEKLY, clinic=r.clinic_id), sql.rows(EXCEPTIONS, clinic=r.clinic_id, first=r.first, last=r.last)
    )
    weekly: dict[uuid.UUID, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for row in weekly_rows:
        weekly[_uuid(row["practitioner_id"])][int(row["weekday"])].append((row["start_minute"], row["end_minute"]))
    exceptions: dict[uuid.UUID, dict[date, list[DayRule]]] = defaultdict(lambda: defaultdict(list))
    for row in exception_rows:
        rule = DayRule(RosterExceptionKind(row["kind"]), row["start_minute"], row["end_minute"])
        exceptions[_uuid(row["practitioner_id"])][_day(row["date"])].append(rule)
    changes = _clock_changes(r.first, r.last, tz)
    plain_weekdays = [0] * 7  # dates of each weekday without a clock change
    day = r.first
    while day <= r.last:
        if day not in changes:
            plain_weekdays[day.weekday()] += 1
        day += timedelta(days=1)
    totals: dict[uuid.UUID, int] = {}
    for pid in set(weekly) | set(exceptions):
        hours, rules = weekly.get(pid, {}), exceptions.get(pid, {})
        # A weekday's minutes on an ordinary date: its entries merged.
        per_weekday = {wd: _wall_minutes(ranges) for wd, ranges in hours.items()}
        total = sum(per_weekday.get(wd, 0) * n for wd, n in enumerate(plain_weekdays))
        for special in changes | set(rules):
            if special not in changes:
                total -= per_weekday.get(special.weekday(), 0)  # counted above as an ordinary date
            total += _minutes(working_spans(special, special, tz, hours, rules))
        totals[pid] = total
    return totals


async def staff_performance(r: ReportRange) -> list[StaffLine]:
    # Independent reads: on PostgreSQL they run at once on pooled connections.
    booked_rows, rostered, people = await asyncio.gather(
        sql.rows(_appointments_statement(), **r.params()), rostered_minutes(r), sql.rows(PRACTITIONERS, clinic=r.clinic_id)
    )
    booked = {_uuid(row["practitioner_id"]): row for row in booked_rows}
    lines = []
    for row in people:
        pid = _uuid(row["id"])
        if not (row["active"] or pid in booked or rostered.get(pid)):
            continue
        seen = booked.get(pid)
        lines.append(
            StaffLine(
                practitioner_id=pid,
                name=row["name"],
                appointments=int(seen["appointments"]) if seen else 0,
                completed=int(seen["completed"]) if seen else 0,
                no_shows=int(seen["no_shows"]) if seen else 0,
                revenue=sql.money(seen["revenue"]) if seen else Decimal("0.00"),
                booked_minutes=int(round(float(seen["booked_minutes"]))) if seen else 0,
                rostered_minutes=rostered.get(pid, 0),
            )
        )
    return sorted(lines, key=lambda line: (line.name, str(line.practitioner_id)))
