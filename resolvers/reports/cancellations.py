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


def _bucket_sum(low: int | None, high: int | None) -> str:
    tests = [f"c.notice >= {low * 3600}" if low is not None else "", f"c.notice < {high * 3600}" if high is not None else ""]
    return f"SUM(CASE WHEN {' AND '.join(t for t in tests if t)} THEN 1 ELSE 0 END)"


def _statement() -> str:
    notice = sql.seconds_between("a.start_at", "a.cancelled_at")
    buckets = ", ".join(f"{_bucket_sum(low, high)} AS b{i}" for i, (low, high) in enumerate(BUCKETS))
    return f"""
WITH due AS (
  SELECT a.status, a.cancelled_by,
    CASE WHEN a.status = 'CANCELLED' THEN {notice} END AS notice,
    CASE WHEN a.status = 'CANCELLED' AND EXISTS (SELECT 1 FROM appointment n WHERE n.rescheduled_from_id = a.id)
      THEN 1 ELSE 0 END AS moved
  FROM appointment a WHERE a.clinic_id = :clinic AND a.start_at >= :start AND a.start_at < :end
), cancelled AS (
  SELECT cancelled_by, notice FROM due WHERE status = 'CANCELLED' AND moved = 0
)
SELECT c.cancelled_by, COUNT(*) AS n, SUM(c.notice) AS notice_total,
  SUM(CASE WHEN c.notice > 0 THEN 1 ELSE 0 END) AS reopened,
  SUM(CASE WHEN c.notice < :notice_seconds THEN 1 ELSE 0 END) AS late, {buckets},
  (SELECT COUNT(*) FROM due WHERE moved = 0) AS appointments,
  (SELECT COUNT(*) FROM due WHERE moved = 1) AS rescheduled,
  {sql.median('cancelled', 'notice')} AS median_notice
FROM cancelled c GROUP BY c.cancelled_by
UNION ALL
SELECT NULL, 0, NULL, 0, 0, {', '.join('0' for _ in BUCKETS)},
  (SELECT COUNT(*) FROM due WHERE moved = 0), (SELECT COUNT(*) FROM due WHERE moved = 1), NULL
"""


async def cancellations(r: ReportRange) -> Cancellations:
    found = await sql.rows(_statement(), **r.params(), notice_seconds=r.cancellation_notice_hours * 3600)
    # The last row carries the counts even when nothing was cancelled.
    appointments, rescheduled = int(found[-1]["appointments"]), int(found[-1]["rescheduled"])
    groups = [row for row in found if row["cancelled_by"] is not None or int(row["n"])]
    count = sum(int(row["n"]) for row in groups)
    notice_total = sum(float(row["notice_total"]) for row in groups if row["notice_total"] is not None)
    median = next((row["median_notice"] for row in groups if row["median_notice"] is not None), None)
    return Cancellations(
        appointments=appointments,
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
