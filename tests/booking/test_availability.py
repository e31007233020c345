"""The slot engine: rosters in local time, daylight saving, buffers,
exceptions, notice and horizon."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models import Appointment, AppointmentSource, Client, RosterException, RosterExceptionKind
from resolvers.booking.availability import Shape, free_starts, wall_to_utc, working_spans
from resolvers.core.principal import ANONYMOUS
from resolvers.booking.slots import available_slots
from tests.support.factories import make_clinic

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
FAR_AHEAD = datetime(2030, 1, 1, tzinfo=UTC)


def _night_slots(day: date, tz: ZoneInfo) -> list[datetime]:
    """Hourly slots of a 00:00-04:00 roster on `day`."""
    spans = working_spans(day, day, tz, {day.weekday(): [(0, 240)]}, {})
    return free_starts(spans, [], Shape(HOUR, timedelta(0), timedelta(0)), HOUR, LONG_AGO, FAR_AHEAD)


@pytest.mark.parametrize(
    ("tz", "day", "expected_local"),
    [
        # Clocks go forward at 01:00 (London) / 02:00 (New York): three real hours.
        (LONDON, date(2027, 3, 28), ["00:00+00:00", "02:00+01:00", "03:00+01:00"]),
        (NEW_YORK, date(2027, 3, 14), ["00:00-05:00", "01:00-05:00", "03:00-04:00"]),
        # Clocks go back: five real hours, the repeated hour offered once per instant.
        (LONDON, date(2027, 10, 31), ["00:00+01:00", "01:00+01:00", "01:00+00:00", "02:00+00:00", "03:00+00:00"]),
        (NEW_YORK, date(2027, 11, 7), ["00:00-04:00", "01:00-04:00", "01:00-05:00", "02:00-05:00", "03:00-05:00"]),
    ],
)
def test_on_a_clock_change_night_no_instant_is_lost_or_repeated(tz, day, expected_local):
    slots = _night_slots(day, tz)
    assert [s.astimezone(tz).isoformat(timespec="minutes")[11:] for s in slots] == expected_local
    assert len(set(slots)) == len(slots)
    assert all(b - a == HOUR for a, b in zip(slots, slots[1:]))


@pytest.mark.parametrize(
    ("tz", "before", "change", "after"),
    [
        (LONDON, date(2027, 3, 27), date(2027, 3, 28), date(2027, 3, 29)),
        (LONDON, date(2027, 10, 30), date(2027, 10, 31), date(2027, 11, 1)),
        (NEW_YORK, date(2027, 3, 13), date(2027, 3, 14), date(2027, 3, 15)),
        (NEW_YORK, date(2027, 11, 6), date(2027, 11, 7), date(2027, 11, 8)),
    ],
)
def test_day_rosters_keep_their_local_times_across_a_clock_change(tz, before, change, after):
    weekly = {weekday: [(9 * 60, 12 * 60)] for weekday in range(7)}
    spans = working_spans(before, after, tz, weekly, {})
    slots = free_starts(spans, [], Shape(HOUR, timedelta(0), timedelta(0)), HOUR, LONG_AGO, FAR_AHEAD)
    by_day: dict[date, list[str]] = {}
    for slot in slots:
        local = slot.astimezone(tz)
        by_day.setdefault(local.date(), []).append(local.strftime("%H:%M"))
    assert by_day == {d: ["09:00", "10:00", "11:00"] for d in (before, change, after)}
    offsets = {s.astimezone(tz).utcoffset() for s in slots}
    assert len(offsets) == 2  # the UTC instants really moved by an hour


def test_a_skipped_wall_time_moves_past_the_gap_and_a_repeated_one_picks_its_side():
    assert wall_to_utc(date(2027, 3, 28), 90, LONDON, later=False) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert wall_to_utc(date(2027, 10, 31), 90, LONDON, later=False) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert wall_to_utc(date(2027, 10, 31), 90, LONDON, later=True) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_buffers_keep_slots_clear_of_a_booked_appointment():
    day = date(2027, 1, 5)
    spans = working_spans(day, day, UTC, {day.weekday(): [(9 * 60, 13 * 60)]}, {})
    busy = [(datetime(2027, 1, 5, 10, 0, tzinfo=UTC), datetime(2027, 1, 5, 11, 0, tzinfo=UTC))]
    shape = Shape(timedelta(minutes=30), timedelta(minutes=15), timedelta(minutes=15))
    starts = free_starts(spans, busy, shape, timedelta(minutes=15), LONG_AGO, FAR_AHEAD)
    times = [s.strftime("%H:%M") for s in starts]
    # 09:15 would end 09:45 + 15 min buffer = 10:00: just clear. 11:15 - 15 min buffer = 11:00: just clear.
    assert times == ["09:00", "09:15", "11:15", "11:30", "11:45", "12:00", "12:15", "12:30"]


def test_exceptions_take_days_off_block_hours_and_add_extra_hours():
    monday, tuesday, wednesday = date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6)
    weekly = {d.weekday(): [(9 * 60, 12 * 60)] for d in (monday, tuesday, wednesday)}

    class Rule:
        def __init__(self, kind, start=None, end=None):
            self.kind, self.start_minute, self.end_minute = kind, start, end

    exceptions = {
        monday: [Rule(RosterExceptionKind.OFF)],
        tuesday: [Rule(RosterExceptionKind.OFF, 10 * 60, 11 * 60)],
        wednesday: [Rule(RosterExceptionKind.EXTRA, 14 * 60, 15 * 60)],
    }
    spans = working_spans(monday, wednesday, UTC, weekly, exceptions)
    assert [(s.strftime("%a %H:%M"), e.strftime("%H:%M")) for s, e in spans] == [
        ("Tue 09:00", "10:00"),
        ("Tue 11:00", "12:00"),
        ("Wed 09:00", "12:00"),
        ("Wed 14:00", "15:00"),
    ]


async def test_available_slots_honour_notice_horizon_and_booked_time(backend, demo, runtime):
    built = await make_clinic("slotty", "Europe/London", duration=60, buffer_after=15, step=15, horizon_days=3)
    now = datetime.now(UTC)
    client = await Client.create(clinic=built.clinic, full_name="A B", email="a@b.co")
    tomorrow = (now + timedelta(days=1)).astimezone(LONDON).date()
    booked_start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=LONDON).replace(hour=12).astimezone(UTC)
    await Appointment.create(
        clinic=built.clinic, practitioner=built.practitioners[0], treatment=built.treatment, client=client,
        start_at=booked_start, end_at=booked_start + HOUR,
        occupied_start=booked_start, occupied_end=booked_start + HOUR + timedelta(minutes=15),
        source=AppointmentSource.STAFF, currency="GBP",
    )
    today = now.astimezone(LONDON).date()
    _, slots = await available_slots(runtime, ANONYMOUS, "slotty", str(built.treatment.id), today, today + timedelta(days=10))
    starts = [s.start for s in slots]
    assert starts, "a rostered practitioner has free time"
    assert min(starts) >= now + timedelta(minutes=60)
    assert max(starts) <= now + timedelta(days=3)
    for start in starts:
        occupied = (start, start + HOUR + timedelta(minutes=15))
        assert not (occupied[0] < booked_start + HOUR + timedelta(minutes=15) and booked_start < occupied[1])
    assert booked_start + HOUR + timedelta(minutes=15) in starts  # free again right after the buffer


async def test_available_slots_through_graphql_on_the_spring_forward_day(api, demo):
    built = await make_clinic("springy", "Europe/London", weekdays=range(7), hours=(9 * 60, 12 * 60), step=60, horizon_days=900)
    body = await api.data(
        "query($t: ID!) { availableSlots(clinicSlug: \"springy\", treatmentId: $t, from: \"2027-03-27\", to: \"2027-03-29\")"
        " { start end practitioner { name } } }",
        {"t": str(built.treatment.id)},
    )
    starts = [datetime.fromisoformat(s["start"]) for s in body["availableSlots"]]
    assert [s.astimezone(LONDON).strftime("%d %H:%M") for s in starts] == [
        f"{d} {h}" for d in ("27", "28", "29") for h in ("09:00", "10:00", "11:00")
    ]
    assert [s.astimezone(UTC).hour for s in starts] == [9, 10, 11, 8, 9, 10, 8, 9, 10]


async def test_a_day_off_empties_that_day(api, demo):
    built = await make_clinic("offday", "UTC", weekdays=range(7), step=60, horizon_days=900)
    await RosterException.create(
        clinic=built.clinic, practitioner=built.practitioners[0], date=date(2027, 6, 2), kind=RosterExceptionKind.OFF
    )
    body = await api.data(
        "query($t: ID!) { availableSlots(clinicSlug: \"offday\", treatmentId: $t, from: \"2027-06-01\", to: \"2027-06-03\") { start } }",
        {"t": str(built.treatment.id)},
    )
    days = {s["start"][:10] for s in body["availableSlots"]}
    assert days == {"2027-06-01", "2027-06-03"}


async def test_a_range_too_long_or_backwards_is_invalid_input(api, demo):
    tid = str(demo["demo"].treatments["Facial"].id)
    for first, last in (("2027-01-01", "2027-06-01"), ("2027-01-05", "2027-01-01")):
        body = await api.post(
            "query($t: ID!, $f: Date!, $l: Date!) { availableSlots(clinicSlug: \"demo\", treatmentId: $t, from: $f, to: $l) { start } }",
            {"t": tid, "f": first, "l": last},
        )
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_slots_show_no_client_details(api, demo):
    tid = str(demo["demo"].treatments["Facial"].id)
    body = await api.post(
        "query($t: ID!) { availableSlots(clinicSlug: \"demo\", treatmentId: $t, from: \"2027-01-05\", to: \"2027-01-05\") { start client { fullName } } }",
        {"t": tid},
    )
    assert "errors" in body  # a slot has no client field to ask for
