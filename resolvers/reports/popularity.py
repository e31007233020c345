"""Treatment popularity: visits that took place in the range (appointments
starting in it and marked COMPLETED) per treatment, and each treatment's
share of them. No-shows, cancellations and bookings not yet attended are
left out: they say what was asked for, not what was done."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from resolvers.reports import ReportRange, sql


@dataclass(frozen=True)
class TreatmentCount:
    treatment_id: uuid.UUID
    name: str
    visits: int
    share: float  # of all the range's completed visits, 0..1


STATEMENT = (
    "SELECT g.treatment_id, t.name, g.visits FROM (SELECT a.treatment_id, COUNT(*) AS visits FROM appointment a"
    " WHERE a.clinic_id = :clinic AND a.status = 'COMPLETED' AND a.start_at >= :start AND a.start_at < :end"
    " GROUP BY a.treatment_id) g JOIN treatment t ON t.id = g.treatment_id"
)


async def treatment_popularity(r: ReportRange) -> list[TreatmentCount]:
    found = await sql.rows(STATEMENT, **r.params())
    total = sum(int(row["visits"]) for row in found)
    lines = []
    for row in found:
        visits = int(row["visits"])
        lines.append(TreatmentCount(uuid.UUID(str(row["treatment_id"])), row["name"], visits, round(visits / total, 4)))
    return sorted(lines, key=lambda line: (-line.visits, line.name, str(line.treatment_id)))
