"""Running the reports' SQL on either database.

Statements are written once with named parameters (`:clinic`); they become
`$1..$n` for PostgreSQL and `?` for SQLite. The few things the two dialects
spell differently are functions here:

- Money. PostgreSQL sums `numeric` exactly. SQLite keeps decimals as text
  and would sum them as floating point, so there each amount is turned into
  whole cents (an integer) before it is summed.
- Local days. PostgreSQL groups by `(start_at AT TIME ZONE :tz)::date`,
  which follows the zone's daylight-saving rules. SQLite knows no zones: it
  groups by the UTC quarter-hour an instant falls in, and `local_day` folds
  each quarter-hour into the local date it belongs to. Every UTC offset in
  use since 1970 is a whole number of quarter-hours, so a quarter-hour never
  straddles two local dates.
- Seconds between two instants (`seconds_between`).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from models.db import connection

_PARAM = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")
CENT = Decimal("0.01")
QUARTER_HOUR = 900


def postgres() -> bool:
    return connection().capabilities.dialect == "postgres"


def _value(value: Any, pg: bool) -> Any:
    if pg:
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC)  # stored as UTC text; compared as text
    return value


def compile(sql: str, params: dict[str, Any], pg: bool) -> tuple[str, list[Any]]:
    """Named parameters to the dialect's placeholders, and their values in order."""
    order: list[str] = []

    def placeholder(match: re.Match) -> str:
        name = match.group(1)
        if name not in params:
            raise KeyError(f"no value for :{name}")
        if pg:
            if name not in order:
                order.append(name)
            return f"${order.index(name) + 1}"
        order.append(name)
        return "?"

    text = _PARAM.sub(placeholder, sql)
    return text, [_value(params[name], pg) for name in order]


async def rows(sql: str, **params: Any) -> list[dict[str, Any]]:
    pg = postgres()
    text, values = compile(sql, params, pg)
    return await connection().execute_query_dict(text, values)


def money_sum(expr: str) -> str:
    if postgres():
        return f"COALESCE(SUM({expr}), 0)"
    return f"COALESCE(SUM(CAST(ROUND(CAST({expr} AS REAL) * 100) AS INTEGER)), 0)"


def money(value: Any) -> Decimal:
    """A `money_sum` result as an amount."""
    if value is None:
        return Decimal("0.00")
    if postgres():
        return Decimal(value).quantize(CENT)
    return (Decimal(int(value)) / 100).quantize(CENT)


def day_bucket(column: str) -> str:
    """What to group by for the local day of `column` (needs `:tz`)."""
    if postgres():
        return f"({column} AT TIME ZONE :tz)::date"
    return f"CAST(strftime('%s', {column}) AS INTEGER) / {QUARTER_HOUR}"


def local_day(bucket: Any, tz: ZoneInfo) -> date:
    """The local date of a `day_bucket` value."""
    if isinstance(bucket, date):
        return bucket
    return datetime.fromtimestamp(int(bucket) * QUARTER_HOUR, UTC).astimezone(tz).date()


def seconds_between(later: str, earlier: str) -> str:
    if postgres():
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"(CAST(strftime('%s', {later}) AS INTEGER) - CAST(strftime('%s', {earlier}) AS INTEGER))"


def median(values_sql: str, column: str) -> str:
    """A scalar subquery: the median of `column` over `values_sql` (a
    subquery or CTE name), NULL when it has no rows."""
    if postgres():
        return f"(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {column}) FROM {values_sql} m)"
    count = f"(SELECT COUNT(*) FROM {values_sql} c)"
    return (
        f"(SELECT AVG({column}) FROM (SELECT {column} FROM {values_sql} m ORDER BY {column}"
        f" LIMIT 2 - {count} % 2 OFFSET ({count} - 1) / 2))"
    )
