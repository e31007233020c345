"""Booking, cancelling, rescheduling and repeating appointments."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.booking import book
from resolvers.booking import changes
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.types.appointment import Appointment
from schema.types.series import SeriesScope


@strawberry.input
class ClientDetailsInput:
    full_name: str
    email: str
    phone: str


@strawberry.input
class BookAppointmentInput:
    clinic_slug: str
    treatment_id: strawberry.ID
    start: datetime
    practitioner_id: strawberry.ID | None = None
    client: ClientDetailsInput | None = strawberry.field(
        default=None, description="Manual entry; ignored when the credential names the client."
    )
    client_id: strawberry.ID | None = strawberry.field(default=None, description="Staff and partners only.")
    idempotency_key: str | None = None
    verification_code: str | None = strawberry.field(
        default=None,
        description="The one-time code sent after a VERIFICATION_REQUIRED answer: manual entry that matches an"
        " existing client books once it is given.",
    )
    hold_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="A time the caller holds (`holdSlot`): books exactly that time and practitioner; "
        "HOLD_EXPIRED, HOLD_ALREADY_USED or HOLD_RELEASED when it can no longer be booked.",
    )


@strawberry.type
class BookAppointmentPayload(Payload):
    appointment: Appointment | None = None


@strawberry.type
class CancelAppointmentPayload(Payload):
    appointment: Appointment | None = None
    appointments: list[Appointment] = strawberry.field(
        default_factory=list,
        description="Every appointment cancelled, the named one first (with THIS_AND_FOLLOWING, the later"
        " occurrences of its series too).",
    )


@strawberry.type
class RescheduleAppointmentPayload(Payload):
    appointment: Appointment | None = None
    appointments: list[Appointment] = strawberry.field(
        default_factory=list,
        description="Every new appointment, the named one's first (with THIS_AND_FOLLOWING, the later"
        " occurrences of its series too, each moved by the same offset).",
    )


@strawberry.type
class RepeatAppointmentPayload(Payload):
    appointment: Appointment | None = None


async def _appointment(work) -> dict:
    return {"appointment": Appointment(model=await work)}


async def _appointments(work) -> dict:
    rows = [Appointment(model=row) for row in await work]
    return {"appointment": rows[0], "appointments": rows}


def _request(data: BookAppointmentInput, ip: str, language: str) -> book.BookingRequest:
    details = data.client
    return book.BookingRequest(
        clinic_slug=data.clinic_slug,
        treatment_id=data.treatment_id,
        start=data.start,
        practitioner_id=data.practitioner_id,
        client=book.ClientDetails(details.full_name, details.email, details.phone, language) if details else None,
        client_id=data.client_id,
        idempotency_key=data.idempotency_key,
        verification_code=data.verification_code,
        requested_from=ip,
        hold_id=data.hold_id,
    )


@strawberry.type
class BookingMutations:
    @strawberry.mutation
    async def book_appointment(self, info: Info, input: BookAppointmentInput) -> BookAppointmentPayload:
        work = book.book_appointment(info.context.runtime, info.context.principal, _request(input, info.context.ip, info.context.language))
        return await payload(BookAppointmentPayload, _appointment(work))

    @strawberry.mutation
    async def cancel_appointment(
        self, info: Info, id: strawberry.ID, reason: str | None = None, scope: SeriesScope = SeriesScope.THIS
    ) -> CancelAppointmentPayload:
        ctx = info.context
        work = changes.cancel_appointment(ctx.runtime, ctx.principal, id, reason, scope=scope)
        return await payload(CancelAppointmentPayload, _appointments(work))

    @strawberry.mutation
    async def reschedule_appointment(
        self,
        info: Info,
        id: strawberry.ID,
        start: datetime,
        practitioner_id: strawberry.ID | None = None,
        scope: SeriesScope = SeriesScope.THIS,
    ) -> RescheduleAppointmentPayload:
        ctx = info.context
        work = changes.reschedule_appointment(ctx.runtime, ctx.principal, id, start, practitioner_id, scope=scope)
        return await payload(RescheduleAppointmentPayload, _appointments(work))

    @strawberry.mutation(description="Book a past appointment's treatment again at a new time.")
    async def repeat_appointment(self, info: Info, id: strawberry.ID, start: datetime) -> RepeatAppointmentPayload:
        work = changes.repeat_appointment(info.context.runtime, info.context.principal, id, start)
        return await payload(RepeatAppointmentPayload, _appointment(work))
