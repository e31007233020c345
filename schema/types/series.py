"""Recurring series: the choices `bookSeries` and the scoped changes take,
what a series could not book, and the `series` query (the series type
itself lives with Appointment, in appointment.py)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.booking.series import SeriesMode as SeriesModeValues
from resolvers.booking.series_changes import ChangeScope
from resolvers.core import tenant
from schema.context import Info
from schema.errors import ErrorCode
from schema.types.appointment import AppointmentSeries

SeriesMode = strawberry.enum(
    SeriesModeValues,
    name="SeriesMode",
    description="ALL_OR_NOTHING: book nothing unless every occurrence can be booked. BOOK_WHAT_FITS: book the "
    "occurrences that can be, and list the others in `missed`.",
)
SeriesScope = strawberry.enum(
    ChangeScope,
    name="SeriesScope",
    description="THIS: only the named appointment. THIS_AND_FOLLOWING: it and the later booked occurrences of its "
    "series, all or none (for an appointment outside any series, the same as THIS).",
)


@strawberry.type(description="An occurrence of a series that could not be booked, and why.")
class SeriesMiss:
    number: int = strawberry.field(description="Its place in the series, from 1.")
    start: datetime
    code: ErrorCode
    message: str


@strawberry.type
class SeriesQueries:
    @strawberry.field(
        description="A recurring series with an appointment the credential may see; null otherwise."
    )
    async def series(self, info: Info, id: strawberry.ID) -> AppointmentSeries | None:
        row = await tenant.find_series(info.context.principal, id)
        return AppointmentSeries(id=strawberry.ID(str(row.id)), clinic_id=row.clinic_id) if row else None
