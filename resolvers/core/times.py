"""Instants that callers send: aware, in range, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from resolvers.core.errors import invalid

EARLIEST_YEAR, LATEST_YEAR = 2000, 2999  # keeps date arithmetic far from its limits


def as_utc(moment: datetime, field: list[str], *, whole_minutes: bool = True) -> datetime:
    if moment.tzinfo is None:
        raise invalid("Give the time with its UTC offset, e.g. 2027-01-05T10:00:00+00:00.", field)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        moment = None
    if moment is None or not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise invalid(f"Times are between the years {EARLIEST_YEAR} and {LATEST_YEAR}.", field)
    if whole_minutes and (moment.second or moment.microsecond):
        raise invalid("Times are whole minutes.", field)
    return moment
