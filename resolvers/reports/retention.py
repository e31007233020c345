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


# One pass over the range's appointments, one row a client; the client's
# history outside the range is only probed (by the client_id, start_at
# index): for an appointment before the range (returning), and, when nothing
# later in the range follows their first completed visit, for one after it.
STATEMENT = """
WITH per_client AS (
  SELECT a.client_id, MIN(CASE WHEN a.status = 'COMPLETED' THEN a.start_at END) AS done_at,
         MAX(a.start_at) AS last_at
  FROM appointment a
  WHERE a.clinic_id = :clinic AND a.start_at >= :start AND a.start_at < :end AND a.status <> 'CANCELLED'
  GROUP BY a.client_id
)
SELECT COUNT(*) AS clients_seen,
  COALESCE(SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM appointment f WHERE f.client_id = p.client_id
      AND f.clinic_id = :clinic AND f.start_at < :start AND f.status <> 'CANCELLED') THEN 1 ELSE 0 END), 0) AS new_clients,
  COALESCE(SUM(CASE WHEN p.done_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS completed_clients,
  COALESCE(SUM(CASE WHEN p.done_at IS NULL THEN 0 WHEN p.last_at > p.done_at THEN 1
      WHEN EXISTS (SELECT 1 FROM appointment n WHERE n.client_id = p.client_id AND n.clinic_id = :clinic
        AND n.start_at >= :end AND n.status <> 'CANCELLED') THEN 1 ELSE 0 END), 0) AS rebooked_clients
FROM per_client p
"""


async def retention(r: ReportRange) -> Retention:
    [row] = await sql.rows(STATEMENT, **r.params())
    seen, new = int(row["clients_seen"]), int(row["new_clients"])
    return Retention(seen, new, seen - new, int(row["completed_clients"]), int(row["rebooked_clients"]))
