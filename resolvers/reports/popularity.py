"""Treatment popularity: appointments that took place in the range
(starting in it, not cancelled) per treatment, and each treatment's share
of them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from resolvers.reports import ReportRange, sql


@dataclass(frozen=True)
class TreatmentCount:
    treatment_id: uuid.UUID
    name: str
    bookings: int
    share: float  # of all the range's appointments, 0..1


STATEMENT = (
    "SELECT g.treatment_id, t.name, g.bookings FROM (SELECT a.treatment_id, COUNT(*) AS bookings FROM appointment a"
    " WHERE a.clinic_id = :clinic AND a.status <> 'CANCELLED' AND a.start_at >= :start AND a.start_at < :end"
    " GROUP BY a.treatment_id) g JOIN treatment t ON t.id = g.treatment_id"
)


async def treatment_popularity(r: ReportRange) -> list[TreatmentCount]:
    found = await sql.rows(STATEMENT, **r.params())
    total = sum(int(row["bookings"]) for row in found)
    lines = [
        TreatmentCount(
            uuid.UUID(str(row["treatment_id"])), row["name"], int(row["bookings"]), round(int(row["bookings"]) / total, 4)
        )
        for row in found
    ]
    return sorted(lines, key=lambda line: (-line.bookings, line.name, str(line.treatment_id)))
