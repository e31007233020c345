"""The seven reports: revenue, bookings, payments, staff performance,
treatment popularity, client retention and cancellations.

Each one is a function of a `ReportRange` (one clinic, a span of local
dates) that aggregates in the database (GROUP BY) and returns plain
dataclasses; `open_range` checks who is asking and what range. One report a
file; `sql.py` holds what PostgreSQL and SQLite spell differently."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from models import Clinic
from resolvers.core import access
from resolvers.booking.availability import wall_to_utc
from resolvers.core.errors import invalid
from resolvers.core.principal import Principal
from resolvers.core.times import EARLIEST_YEAR, LATEST_YEAR

MAX_DAYS = 400  # a year and a bit: this year against the same weeks last year


@dataclass(frozen=True)
class ReportRange:
    """Local dates `first`..`last` (inclusive) of one clinic, and the UTC
    instants that bound them: `start` is local midnight of `first`, `end`
    local midnight after `last`."""

    clinic_id: uuid.UUID
    timezone: str
    currency: str
    cancellation_notice_hours: int
    first: date
    last: date
    start: datetime
    end: datetime

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def params(self) -> dict[str, object]:
        """The parameters every report statement takes."""
        return {"clinic": self.clinic_id, "start": self.start, "end": self.end, "tz": self.timezone}


def range_of(clinic: Clinic, first: date, last: date) -> ReportRange:
    tz = ZoneInfo(clinic.timezone)
    return ReportRange(
        clinic_id=clinic.id,
        timezone=clinic.timezone,
        currency=clinic.currency,
        cancellation_notice_hours=clinic.cancellation_notice_hours,
        first=first,
        last=last,
        start=wall_to_utc(first, 0, tz, later=False),
        end=wall_to_utc(last + timedelta(days=1), 0, tz, later=False),
    )


async def open_range(principal: Principal, first: date, last: date) -> ReportRange:
    """The reports' range for an administrator of the clinic."""
    clinic_id = access.require_reports(principal)
    for value, field in ((first, "from"), (last, "to")):
        if not EARLIEST_YEAR <= value.year < LATEST_YEAR:
            raise invalid(f"Dates are between the years {EARLIEST_YEAR} and {LATEST_YEAR - 1}.", [field])
    if last < first:
        raise invalid("`to` is on or after `from`.", ["to"])
    if (last - first).days + 1 > MAX_DAYS:
        raise invalid(f"A report covers at most {MAX_DAYS} days.", ["to"])
    clinic = await Clinic.get(id=clinic_id)
    return range_of(clinic, first, last)
