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


@strawberry.type
class RescheduleAppointmentPayload(Payload):
    appointment: Appointment | None = None


@strawberry.type
class RepeatAppointmentPayload(Payload):
    appointment: Appointment | None = None


async def _appointment(work) -> dict:
    return {"appointment": Appointment(model=await work)}


def _request(data: BookAppointmentInput) -> book.BookingRequest:
    details = data.client
    return book.BookingRequest(
        clinic_slug=data.clinic_slug,
        treatment_id=data.treatment_id,
        start=data.start,
        practitioner_id=data.practitioner_id,
        client=book.ClientDetails(details.full_name, details.email, details.phone) if details else None,
        client_id=data.client_id,
        idempotency_key=data.idempotency_key,
        hold_id=data.hold_id,
    )


@strawberry.type
class BookingMutations:
    @strawberry.mutation
    async def book_appointment(self, info: Info, input: BookAppointmentInput) -> BookAppointmentPayload:
        ctx = info.context
        work = book.book_appointment(ctx.runtime, ctx.principal, _request(input), ip=ctx.ip)
        return await payload(BookAppointmentPayload, _appointment(work))

    @strawberry.mutation
    async def cancel_appointment(
        self, info: Info, id: strawberry.ID, reason: str | None = None
    ) -> CancelAppointmentPayload:
        work = changes.cancel_appointment(info.context.runtime, info.context.principal, id, reason)
        return await payload(CancelAppointmentPayload, _appointment(work))

    @strawberry.mutation
    async def reschedule_appointment(
        self, info: Info, id: strawberry.ID, start: datetime, practitioner_id: strawberry.ID | None = None
    ) -> RescheduleAppointmentPayload:
        work = changes.reschedule_appointment(info.context.runtime, info.context.principal, id, start, practitioner_id)
        return await payload(RescheduleAppointmentPayload, _appointment(work))

    @strawberry.mutation(description="Book a past appointment's treatment again at a new time.")
    async def repeat_appointment(self, info: Info, id: strawberry.ID, start: datetime) -> RepeatAppointmentPayload:
        work = changes.repeat_appointment(info.context.runtime, info.context.principal, id, start)
        return await payload(RepeatAppointmentPayload, _appointment(work))
