"""Bookings: appointments booked in the range, dated by when the booking
was made (its creation, in the clinic's time zone), by source. A move
(reschedule) is not a new booking and is counted on its own; a booking
later cancelled still counts as booked."""

from __future__ import annotations

from dataclasses import dataclass

from models import AppointmentSource
from resolvers.reports import ReportRange, sql


@dataclass(frozen=True)
class SourceCount:
    source: AppointmentSource
    bookings: int


@dataclass(frozen=True)
class Bookings:
    total: int
    by_source: list[SourceCount]
    rescheduled: int  # moves made in the range


STATEMENT = (
    "SELECT a.source, CASE WHEN a.rescheduled_from_id IS NULL THEN 0 ELSE 1 END AS moved, COUNT(*) AS n"
    " FROM appointment a WHERE a.clinic_id = :clinic AND a.created_at >= :start AND a.created_at < :end"
    " GROUP BY a.source, CASE WHEN a.rescheduled_from_id IS NULL THEN 0 ELSE 1 END"
)


async def bookings(r: ReportRange) -> Bookings:
    counts = {source: 0 for source in AppointmentSource}
    moved = 0
    for row in await sql.rows(STATEMENT, **r.params()):
        if int(row["moved"]):
            moved += int(row["n"])
        else:
            counts[AppointmentSource(row["source"])] += int(row["n"])
    return Bookings(sum(counts.values()), [SourceCount(s, n) for s, n in counts.items()], moved)
