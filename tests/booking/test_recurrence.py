"""When a series' occurrences fall: on the clinic's wall clock, across a
change of the clocks too."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from models import SeriesUnit
from resolvers.booking.recurrence import Recurrence, starts, wall_offset, wall_shift

LONDON = ZoneInfo("Europe/London")


def test_a_weekly_series_keeps_its_local_time_when_the_clocks_go_back():
    first = datetime(2026, 10, 19, 10, 0, tzinfo=LONDON)  # British Summer Time ends on 25 October
    found = starts(first, Recurrence(every=1, unit=SeriesUnit.WEEKS, count=3), LONDON)
    assert [s.astimezone(LONDON).hour for s in found] == [10, 10, 10]
    assert [s.astimezone(UTC).hour for s in found] == [9, 10, 10]


def test_an_end_date_includes_an_occurrence_on_that_day():
    first = datetime(2026, 3, 2, 23, 30, tzinfo=LONDON)
    found = starts(first, Recurrence(every=2, unit=SeriesUnit.DAYS, until=date(2026, 3, 8)), LONDON)
    assert [s.astimezone(LONDON).date().day for s in found] == [2, 4, 6, 8]


def test_a_move_by_wall_clock_offset_lands_at_the_same_local_shift_after_the_clocks_change():
    before = datetime(2026, 10, 19, 10, 0, tzinfo=LONDON)
    offset = wall_offset(before, datetime(2026, 10, 19, 12, 30, tzinfo=LONDON), LONDON)
    later = datetime(2026, 10, 26, 10, 0, tzinfo=LONDON)
    assert wall_shift(later, offset, LONDON).astimezone(LONDON).strftime("%H:%M") == "12:30"
