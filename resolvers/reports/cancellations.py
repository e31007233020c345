"""Cancellations of appointments due to start in the range.

- A rescheduled appointment (one that a move replaced) is not a
  cancellation: it is counted as `rescheduled`, and left out of the rate.
- Rate: cancellations over the appointments due in the range (all of them,
  cancelled or not, moves left out).
- Notice given: hours from the cancellation to the start; average, median,
  buckets, and how many came inside the clinic's cancellation notice.
  Negative when cancelled after the start.
- Who cancelled: CLIENT, STAFF or PARTNER.
- Slots reopened: cancellations made before the start, so the time went
  back on sale."""

from __future__ import annotations

from dataclasses import dataclass

from resolvers.reports import ReportRange, sql

# Notice buckets, in hours: [low, high), None meaning open.
BUCKETS: tuple[tuple[int | None, int | None], ...] = ((None, 0), (0, 24), (24, 48), (48, 168), (168, None))


@dataclass(frozen=True)
class NoticeBucket:
    min_hours: int | None
    max_hours: int | None
    cancellations: int


@dataclass(frozen=True)
class Cancellations:
    appointments: int
    cancellations: int
    rescheduled: int
    slots_reopened: int
    within_notice_period: int
    average_notice_hours: float | None
    median_notice_hours: float | None
    by_whom: dict[str, int]
    notice: list[NoticeBucket]

    @property
    def rate(self) -> float | None:
        return round(self.cancellations / self.appointments, 4) if self.appointments else None


IN_RANGE = "a.clinic_id = :clinic AND a.start_at >= :start AND a.start_at < :end"


def _bucket_sum(low: int | None, high: int | None) -> str:
    tests = [f"c.notice >= {low * 3600}" if low is not None else "", f"c.notice < {high * 3600}" if high is not None else ""]
    return f"SUM(CASE WHEN {' AND '.join(t for t in tests if t)} THEN 1 ELSE 0 END)"


def _statement() -> str:
    """Rows of four kinds: `due` (how many appointments start in the
    range), `moved` (of those, how many a reschedule replaced), `median`,
    and `cancelled`, one a canceller. Only the cancelled rows are looked at
    closely (notice, whether a move replaced them)."""
    notice = sql.seconds_between("a.start_at", "a.cancelled_at")
    buckets = ", ".join(f"{_bucket_sum(low, high)}" for low, high in BUCKETS)
    zeros = ", ".join("0" for _ in BUCKETS)
    named_zeros = ", ".join(f"0 AS b{i}" for i in range(len(BUCKETS)))
    return f"""
WITH cancelled_rows AS (
  SELECT a.cancelled_by, {notice} AS notice,
    CASE WHEN EXISTS (SELECT 1 FROM appointment n WHERE n.rescheduled_from_id = a.id
      AND n.clinic_id = a.clinic_id) THEN 1 ELSE 0 END AS moved
  FROM appointment a WHERE {IN_RANGE} AND a.status = 'CANCELLED'
), c AS (
  SELECT cancelled_by, notice FROM cancelled_rows WHERE moved = 0
)
SELECT 'due' AS kind, NULL AS cancelled_by, COUNT(*) AS n, CAST(NULL AS DOUBLE PRECISION) AS notice_total, 0 AS reopened, 0 AS late,
  {named_zeros} FROM appointment a WHERE {IN_RANGE}
UNION ALL SELECT 'moved', NULL, COUNT(*), NULL, 0, 0, {zeros} FROM cancelled_rows WHERE moved = 1
UNION ALL SELECT 'median', NULL, 0, {sql.median('c', 'notice')}, 0, 0, {zeros}
UNION ALL SELECT 'cancelled', c.cancelled_by, COUNT(*), SUM(c.notice),
  SUM(CASE WHEN c.notice > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN c.notice < :notice_seconds THEN 1 ELSE 0 END), {buckets}
FROM c GROUP BY c.cancelled_by
"""


async def cancellations(r: ReportRange) -> Cancellations:
    found = await sql.rows(_statement(), **r.params(), notice_seconds=r.cancellation_notice_hours * 3600)
    single = {row["kind"]: row for row in found if row["kind"] != "cancelled"}
    groups = [row for row in found if row["kind"] == "cancelled"]
    rescheduled = int(single["moved"]["n"])
    count = sum(int(row["n"]) for row in groups)
    notice_total = sum(float(row["notice_total"]) for row in groups if row["notice_total"] is not None)
    median = single["median"]["notice_total"]
    return Cancellations(
        appointments=int(single["due"]["n"]) - rescheduled,
        cancellations=count,
        rescheduled=rescheduled,
        slots_reopened=sum(int(row["reopened"]) for row in groups),
        within_notice_period=sum(int(row["late"]) for row in groups),
        average_notice_hours=round(notice_total / count / 3600, 2) if count else None,
        median_notice_hours=round(float(median) / 3600, 2) if median is not None else None,
        by_whom={who: sum(int(row["n"]) for row in groups if row["cancelled_by"] == who) for who in ("CLIENT", "STAFF", "PARTNER")},
        notice=[
            NoticeBucket(low, high, sum(int(row[f"b{i}"]) for row in groups))
            for i, (low, high) in enumerate(BUCKETS)
        ],
    )
