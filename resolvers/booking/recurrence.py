"""When the occurrences of a recurring series fall: every N days or weeks
from the first, a count of them or up to an end date, at most
MAX_OCCURRENCES. Times repeat on the clinic's wall clock: a 10:00 series
stays at 10:00 when the clocks change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from models import SeriesUnit
from resolvers.core.errors import invalid

MAX_OCCURRENCES = 52
MAX_EVERY = 52  # days or weeks between two occurrences
DAYS_IN = {SeriesUnit.DAYS: 1, SeriesUnit.WEEKS: 7}


@dataclass(frozen=True)
class Recurrence:
    every: int
    unit: SeriesUnit
    count: int | None = None
    until: date | None = None  # the last day an occurrence may fall on, in the clinic's time zone

    @property
    def step(self) -> timedelta:
        return timedelta(days=self.every * DAYS_IN[self.unit])


def wall_shift(start: datetime, delta: timedelta, tz: ZoneInfo) -> datetime:
    """`start` moved by `delta` on the clinic's wall clock, in UTC."""
    local = start.astimezone(tz).replace(tzinfo=None) + delta
    return local.replace(tzinfo=tz).astimezone(UTC)


def wall_offset(old: datetime, new: datetime, tz: ZoneInfo) -> timedelta:
    """How far `new` is from `old` on the clinic's wall clock."""
    return new.astimezone(tz).replace(tzinfo=None) - old.astimezone(tz).replace(tzinfo=None)


def _how_many(first: datetime, rule: Recurrence, tz: ZoneInfo) -> int:
    if (rule.count is None) == (rule.until is None):
        raise invalid("Give either a number of appointments or an end date.", ["input", "count"])
    if rule.count is not None:
        if not 2 <= rule.count <= MAX_OCCURRENCES:
            raise invalid(f"A series has from 2 to {MAX_OCCURRENCES} appointments.", ["input", "count"])
        return rule.count
    first_day = first.astimezone(tz).date()
    if rule.until <= first_day:
        raise invalid("The end date must come after the first appointment's day.", ["input", "until"])
    count = (rule.until - first_day).days // rule.step.days + 1
    if count < 2:
        raise invalid("The end date leaves room for only one appointment.", ["input", "until"])
    if count > MAX_OCCURRENCES:
        raise invalid(f"A series has at most {MAX_OCCURRENCES} appointments; choose an earlier end date.", ["input", "until"])
    return count


def starts(first: datetime, rule: Recurrence, tz: ZoneInfo) -> list[datetime]:
    """Every occurrence's start, the first included, in UTC."""
    if not 1 <= rule.every <= MAX_EVERY:
        raise invalid(f"Repeat every 1 to {MAX_EVERY} {rule.unit.value.lower()}.", ["input", "every"])
    return [wall_shift(first, rule.step * i, tz) for i in range(_how_many(first, rule, tz))]
