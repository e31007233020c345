"""Booking a recurring series of appointments."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from resolvers.booking import series
from resolvers.booking.recurrence import MAX_OCCURRENCES, Recurrence
from resolvers.core.errors import DomainError
from schema.context import Info
from schema.errors import UserError, payload
from schema.payload import Payload
from schema.types.appointment import Appointment, AppointmentSeries, SeriesUnit
from schema.types.series import SeriesMiss, SeriesMode


@strawberry.input(description=f"A series of at most {MAX_OCCURRENCES} appointments: give `count` or `until`.")
class BookSeriesInput:
    clinic_slug: str
    treatment_id: strawberry.ID
    start: datetime = strawberry.field(description="The first appointment; the others follow at the same wall-clock time.")
    client_id: strawberry.ID = strawberry.field(description="Whom the series is for: a client of the clinic.")
    practitioner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Null: whoever offers the treatment and is free, at each occurrence."
    )
    every: int = strawberry.field(default=1, description="How many days or weeks from one occurrence to the next.")
    unit: SeriesUnit = SeriesUnit.WEEKS
    count: int | None = strawberry.field(default=None, description="How many appointments, the first included.")
    until: date | None = strawberry.field(
        default=None, description="The last day an occurrence may fall on, in the clinic's time zone."
    )
    mode: SeriesMode = SeriesMode.ALL_OR_NOTHING
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A retry with the same key and input answers the series first booked (without `missed`);"
        " the same key with other input is IDEMPOTENCY_CONFLICT.",
    )


@strawberry.type
class BookSeriesPayload(Payload):
    series: AppointmentSeries | None = strawberry.field(default=None, description="Null when nothing was booked.")
    appointments: list[Appointment] = strawberry.field(default_factory=list, description="The occurrences booked, in order.")
    missed: list[SeriesMiss] = strawberry.field(
        default_factory=list, description="The occurrences that could not be booked, and why."
    )


def _request(data: BookSeriesInput) -> series.SeriesRequest:
    return series.SeriesRequest(
        clinic_slug=data.clinic_slug,
        treatment_id=data.treatment_id,
        start=data.start,
        client_id=data.client_id,
        practitioner_id=data.practitioner_id,
        recurrence=Recurrence(every=data.every, unit=data.unit, count=data.count, until=data.until),
        mode=data.mode,
        idempotency_key=data.idempotency_key,
    )


def _missed_error(miss: SeriesMiss) -> UserError:
    return UserError.of(
        DomainError(
            miss.code, f"Appointment {miss.number} of the series could not be booked: {miss.message}", ["input", "start"]
        )
    )


async def _outcome(work) -> dict:
    outcome: series.SeriesOutcome = await work
    missed = [SeriesMiss(number=m.number, start=m.start, code=m.error.code, message=m.error.message) for m in outcome.missed]
    if outcome.series is None:
        return {"missed": missed}
    return {
        "series": AppointmentSeries(id=strawberry.ID(str(outcome.series.id)), clinic_id=outcome.series.clinic_id),
        "appointments": [Appointment(model=row) for row in outcome.booked],
        "missed": missed,
    }


@strawberry.type
class SeriesMutations:
    @strawberry.mutation(
        description="Staff, and partner keys with the book scope: book the same treatment every N days or weeks."
    )
    async def book_series(self, info: Info, input: BookSeriesInput) -> BookSeriesPayload:
        work = series.book_series(info.context.runtime, info.context.principal, _request(input))
        answer = await payload(BookSeriesPayload, _outcome(work))
        if answer.series is None and answer.missed:  # nothing booked: say why, occurrence by occurrence
            answer.user_errors = [_missed_error(miss) for miss in answer.missed]
        return answer
