"""Revenue, told two ways side by side.

- Money taken: payments taken in the range less refunds given in it, each
  dated by when the money moved (in the clinic's time zone), in all and by
  the payment's method (the payments report's net). This is what the
  clinic has.
- List value: the price of the appointments COMPLETED in the range, dated
  by when they took place (their start, in the clinic's time zone), by
  day, by treatment and by practitioner. It is the value of the work done,
  paid for or not; no-shows, cancellations and visits still to come are
  not in it.

By day, both figures are given for every day when either is not zero.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from resolvers.reports import ReportRange, payments, sql


@dataclass(frozen=True)
class RevenueLine:
    appointments: int
    amount: Decimal


@dataclass(frozen=True)
class DayRevenue(RevenueLine):
    day: date
    taken: Decimal  # money taken that day, less refunds


@dataclass(frozen=True)
class NamedRevenue(RevenueLine):
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class Revenue:
    total: RevenueLine  # list value of the completed visits
    taken: payments.Payments  # money taken less refunds, in all and by method
    by_day: list[DayRevenue]
    by_treatment: list[NamedRevenue]
    by_practitioner: list[NamedRevenue]


WHERE = "a.clinic_id = :clinic AND a.status = 'COMPLETED' AND a.start_at >= :start AND a.start_at < :end"


def _statement() -> str:
    """One statement for the four groupings: GROUPING SETS on PostgreSQL
    (one pass over the rows), UNION ALL of four GROUP BYs on SQLite."""
    day, amount = sql.day_bucket("a.start_at"), sql.money_sum("a.price")
    if sql.postgres():
        grouped = (
            f"SELECT CASE WHEN GROUPING({day}) = 0 THEN 'day' WHEN GROUPING(a.treatment_id) = 0 THEN 'treatment'"
            f" WHEN GROUPING(a.practitioner_id) = 0 THEN 'practitioner' ELSE 'total' END AS grouping,"
            f" {day} AS day, a.treatment_id, a.practitioner_id, COUNT(*) AS appointments, {amount} AS amount"
            f" FROM appointment a WHERE {WHERE}"
            f" GROUP BY GROUPING SETS (({day}), (a.treatment_id), (a.practitioner_id), ())"
        )
    else:
        parts = [
            ("day", f"{day}", "NULL", "NULL", f"GROUP BY {day}"),
            ("treatment", "NULL", "a.treatment_id", "NULL", "GROUP BY a.treatment_id"),
            ("practitioner", "NULL", "NULL", "a.practitioner_id", "GROUP BY a.practitioner_id"),
            ("total", "NULL", "NULL", "NULL", ""),
        ]
        grouped = " UNION ALL ".join(
            f"SELECT '{name}' AS grouping, {d} AS day, {t} AS treatment_id, {p} AS practitioner_id,"
            f" COUNT(*) AS appointments, {amount} AS amount FROM appointment a WHERE {WHERE} {group}"
            for name, d, t, p, group in parts
        )
    return (
        f"SELECT g.grouping, g.day, g.treatment_id, g.practitioner_id, g.appointments, g.amount,"
        f" t.name AS treatment_name, p.name AS practitioner_name FROM ({grouped}) g"
        f" LEFT JOIN treatment t ON t.id = g.treatment_id LEFT JOIN practitioner p ON p.id = g.practitioner_id"
    )


def _by_amount(lines: list[NamedRevenue]) -> list[NamedRevenue]:
    return sorted(lines, key=lambda line: (-line.amount, -line.appointments, line.name, str(line.id)))


@dataclass(frozen=True)
class ListValue:
    total: RevenueLine
    by_day: dict[date, RevenueLine]
    by_treatment: list[NamedRevenue]
    by_practitioner: list[NamedRevenue]


async def list_value(r: ReportRange) -> ListValue:
    """The price of the visits completed in the range, in all and by day,
    treatment and practitioner."""
    tz = r.tz
    days: dict[date, RevenueLine] = {}
    treatments, practitioners = [], []
    total = RevenueLine(0, Decimal("0.00"))
    for row in await sql.rows(_statement(), **r.params()):
        count, amount = int(row["appointments"]), sql.money(row["amount"])
        kind = row["grouping"]
        if kind == "day":
            # On SQLite several quarter-hours fold into one local day.
            day = sql.local_day(row["day"], tz)
            so_far = days.get(day, RevenueLine(0, Decimal("0.00")))
            days[day] = RevenueLine(so_far.appointments + count, so_far.amount + amount)
        elif kind == "treatment":
            treatments.append(NamedRevenue(count, amount, uuid.UUID(str(row["treatment_id"])), row["treatment_name"]))
        elif kind == "practitioner":
            practitioners.append(
                NamedRevenue(count, amount, uuid.UUID(str(row["practitioner_id"])), row["practitioner_name"])
            )
        else:
            total = RevenueLine(count, amount)
    return ListValue(total, dict(sorted(days.items())), _by_amount(treatments), _by_amount(practitioners))


async def revenue(r: ReportRange) -> Revenue:
    # Independent reads: on PostgreSQL they run at once on pooled connections.
    listed, taken, taken_by_day = await asyncio.gather(list_value(r), payments.payments(r), payments.net_by_day(r))
    zero = Decimal("0.00")
    by_day = []
    for day in sorted(set(listed.by_day) | set(taken_by_day)):
        line = listed.by_day.get(day, RevenueLine(0, zero))
        by_day.append(DayRevenue(line.appointments, line.amount, day, taken_by_day.get(day, zero)))
    return Revenue(listed.total, taken, by_day, listed.by_treatment, listed.by_practitioner)
