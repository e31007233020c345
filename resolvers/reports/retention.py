"""Client retention.

- Clients seen: clients with an appointment that took place in the range
  (starting in it, not cancelled; a no-show counts, they were expected).
- New: of those, the ones whose first such appointment ever is in the
  range; returning: the others (they had one before the range).
- Rebooking rate: of the clients with a COMPLETED appointment in the range,
  the share who booked again: who have another appointment, not cancelled,
  starting after their first completed one in the range (inside the range
  or after it)."""

from __future__ import annotations

from dataclasses import dataclass

from resolvers.reports import ReportRange, sql


@dataclass(frozen=True)
class Retention:
    clients_seen: int
    new_clients: int
    returning_clients: int
    completed_clients: int
    rebooked_clients: int

    @property
    def rebooking_rate(self) -> float | None:
        return round(self.rebooked_clients / self.completed_clients, 4) if self.completed_clients else None


IN_RANGE = "a.clinic_id = :clinic AND a.start_at >= :start AND a.start_at < :end"
STATEMENT = f"""
WITH seen AS (
  SELECT DISTINCT a.client_id FROM appointment a WHERE {IN_RANGE} AND a.status <> 'CANCELLED'
), firsts AS (
  SELECT s.client_id, (SELECT MIN(f.start_at) FROM appointment f
     WHERE f.clinic_id = :clinic AND f.client_id = s.client_id AND f.status <> 'CANCELLED') AS first_at
  FROM seen s
), done AS (
  SELECT a.client_id, MIN(a.start_at) AS done_at FROM appointment a
  WHERE {IN_RANGE} AND a.status = 'COMPLETED' GROUP BY a.client_id
)
SELECT
  (SELECT COUNT(*) FROM firsts) AS clients_seen,
  (SELECT COUNT(*) FROM firsts WHERE first_at >= :start) AS new_clients,
  (SELECT COUNT(*) FROM done) AS completed_clients,
  (SELECT COUNT(*) FROM done d WHERE EXISTS (SELECT 1 FROM appointment n
     WHERE n.clinic_id = :clinic AND n.client_id = d.client_id AND n.status <> 'CANCELLED'
       AND n.start_at > d.done_at)) AS rebooked_clients
"""


async def retention(r: ReportRange) -> Retention:
    [row] = await sql.rows(STATEMENT, **r.params())
    seen, new = int(row["clients_seen"]), int(row["new_clients"])
    return Retention(seen, new, seen - new, int(row["completed_clients"]), int(row["rebooked_clients"]))
