"""A demo recurring series: a consultation every two weeks, four
times, with the clinic's second practitioner, starting about ten days out.
Its rows are written as `bookSeries` writes them (a series row, and
appointments naming it), without the messages a real booking queues."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models import (
    Appointment,
    AppointmentSeries,
    AppointmentSource,
    Client,
    Clinic,
    Practitioner,
    SeriesUnit,
    Treatment,
    utcnow,
)
from resolvers.booking.recurrence import Recurrence, starts

DEMO_RECURRENCE = Recurrence(every=2, unit=SeriesUnit.WEEKS, count=4)
DEMO_TIME = time(16, 0)
DAYS_AHEAD = 10


async def seed_series(clinic: Clinic, client: Client, practitioner: Practitioner, treatment: Treatment) -> AppointmentSeries:
    tz = ZoneInfo(clinic.timezone)
    day = utcnow().astimezone(tz).date() + timedelta(days=DAYS_AHEAD)
    while day.weekday() == 6:  # the practitioners work Monday to Saturday; every two weeks keeps the weekday
        day += timedelta(days=1)
    first = datetime.combine(day, DEMO_TIME, tzinfo=tz).astimezone(UTC)
    series = await AppointmentSeries.create(
        clinic=clinic, client=client, treatment=treatment,
        every=DEMO_RECURRENCE.every, unit=DEMO_RECURRENCE.unit, created_by="STAFF",
    )
    duration = timedelta(minutes=treatment.duration_minutes)
    after = timedelta(minutes=treatment.buffer_after_minutes)
    for start in starts(first, DEMO_RECURRENCE, tz):
        await Appointment.create(
            clinic=clinic,
            practitioner=practitioner,
            treatment=treatment,
            client=client,
            start_at=start,
            end_at=start + duration,
            occupied_start=start,
            occupied_end=start + duration + after,
            source=AppointmentSource.STAFF,
            price=treatment.price,
            currency=clinic.currency,
            series=series,
        )
    return series
