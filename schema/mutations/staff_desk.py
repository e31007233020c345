"""What staff do all day: client records, and how appointments went."""

from __future__ import annotations

import strawberry

from models import AppointmentStatus
from resolvers.booking import attendance
from resolvers.admin import clients
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.inputs import provided
from schema.mutations.booking import _appointment
from schema.types.admin import AppointmentOutcome, Client
from schema.types.appointment import Appointment

UNSET = strawberry.UNSET


@strawberry.input(description="Only the fields given change; email or phone sent as null is cleared.")
class ClientInput:
    full_name: str | None = UNSET
    email: str | None = UNSET
    phone: str | None = UNSET
    language: str | None = UNSET


@strawberry.type
class ClientPayload(Payload):
    client: Client | None = None


@strawberry.type
class MarkAppointmentPayload(Payload):
    appointment: Appointment | None = None


async def _client(work) -> dict:
    return {"client": Client(model=await work)}


@strawberry.type
class StaffDeskMutations:
    @strawberry.mutation(description="Staff, or partners with the book scope. Needs fullName.")
    async def create_client(self, info: Info, input: ClientInput) -> ClientPayload:
        return await payload(ClientPayload, _client(clients.create_client(info.context.runtime, info.context.principal, provided(input))))

    @strawberry.mutation(description="Staff, or partners with the book scope.")
    async def update_client(self, info: Info, id: strawberry.ID, input: ClientInput) -> ClientPayload:
        work = clients.update_client(info.context.runtime, info.context.principal, id, provided(input))
        return await payload(ClientPayload, _client(work))

    @strawberry.mutation(description="Admin: moves everything of the duplicate to the client kept, then deletes it.")
    async def merge_clients(self, info: Info, keep_id: strawberry.ID, duplicate_id: strawberry.ID) -> ClientPayload:
        work = clients.merge_clients(info.context.principal, keep_id, duplicate_id)
        return await payload(ClientPayload, _client(work))

    @strawberry.mutation(description="Staff: a BOOKED appointment that has started went ahead, or the client did not come.")
    async def mark_appointment(
        self, info: Info, id: strawberry.ID, outcome: AppointmentOutcome
    ) -> MarkAppointmentPayload:
        work = attendance.mark_appointment(info.context.runtime, info.context.principal, id, AppointmentStatus(outcome.value))
        return await payload(MarkAppointmentPayload, _appointment(work))

    @strawberry.mutation(
        description="Staff: take back a COMPLETED or NO_SHOW mark made by mistake; the appointment is BOOKED "
        "again and what the visit earned on loyalty cards is taken back."
    )
    async def undo_appointment_outcome(self, info: Info, id: strawberry.ID) -> MarkAppointmentPayload:
        work = attendance.undo_outcome(info.context.runtime, info.context.principal, id)
        return await payload(MarkAppointmentPayload, _appointment(work))
