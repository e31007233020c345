"""Payments: money taken in the range (dated by when it was taken, in the
clinic's time zone) and refunds given in the range (dated by when they were
given), by the payment's method. Net is taken less refunded. `net_by_day`
gives the same net money day by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from models import PaymentMethod
from resolvers.reports import ReportRange, sql


@dataclass(frozen=True)
class MethodTotal:
    method: PaymentMethod | None  # None: every method together
    payments: int
    taken: Decimal
    refunds: int
    refunded: Decimal

    @property
    def net(self) -> Decimal:
        return self.taken - self.refunded


@dataclass(frozen=True)
class Payments:
    total: MethodTotal
    by_method: list[MethodTotal]


def _statement() -> str:
    return (
        "SELECT method, SUM(payments) AS payments, SUM(taken) AS taken, SUM(refunds) AS refunds,"
        " SUM(refunded) AS refunded FROM ("
        f" SELECT p.method, COUNT(*) AS payments, {sql.money_sum('p.amount')} AS taken, 0 AS refunds, 0 AS refunded"
        " FROM payment p WHERE p.clinic_id = :clinic AND p.taken_at >= :start AND p.taken_at < :end"
        " GROUP BY p.method"
        " UNION ALL"
        f" SELECT p.method, 0, 0, COUNT(*), {sql.money_sum('r.amount')}"
        " FROM refund r JOIN payment p ON p.id = r.payment_id"
        " WHERE r.clinic_id = :clinic AND r.refunded_at >= :start AND r.refunded_at < :end"
        " GROUP BY p.method"
        ") x GROUP BY method"
    )


async def payments(r: ReportRange) -> Payments:
    found = {
        row["method"]: (int(row["payments"]), sql.money(row["taken"]), int(row["refunds"]), sql.money(row["refunded"]))
        for row in await sql.rows(_statement(), **r.params())
    }
    zero = (0, Decimal("0.00"), 0, Decimal("0.00"))
    by_method = [MethodTotal(method, *found.get(method.value, zero)) for method in PaymentMethod]
    total = MethodTotal(
        None,
        sum(m.payments for m in by_method),
        sum((m.taken for m in by_method), Decimal("0.00")),
        sum(m.refunds for m in by_method),
        sum((m.refunded for m in by_method), Decimal("0.00")),
    )
    return Payments(total, by_method)


def _by_day_statement() -> str:
    taken, refunded = sql.day_bucket("p.taken_at"), sql.day_bucket("r.refunded_at")
    return (
        f"SELECT {taken} AS day, {sql.money_sum('p.amount')} AS taken, 0 AS refunded FROM payment p"
        f" WHERE p.clinic_id = :clinic AND p.taken_at >= :start AND p.taken_at < :end GROUP BY {taken}"
        " UNION ALL"
        f" SELECT {refunded}, 0, {sql.money_sum('r.amount')} FROM refund r"
        f" WHERE r.clinic_id = :clinic AND r.refunded_at >= :start AND r.refunded_at < :end GROUP BY {refunded}"
    )


async def net_by_day(r: ReportRange) -> dict[date, Decimal]:
    """Money taken less money refunded, by local day; only days when money moved."""
    tz = r.tz
    days: dict[date, Decimal] = {}
    for row in await sql.rows(_by_day_statement(), **r.params()):
        # On SQLite several quarter-hours fold into one local day.
        day = sql.local_day(row["day"], tz)
        days[day] = days.get(day, Decimal("0.00")) + sql.money(row["taken"]) - sql.money(row["refunded"])
    return dict(sorted(days.items()))
