"""Waitlist entries as their client, or the clinic's staff, see them."""

from __future__ import annotations

from datetime import date, datetime, time

import strawberry

from models import OfferMode as OfferModeValues
from models import WaitlistEntry as WaitlistEntryModel
from models import WaitlistStatus as WaitlistStatusValues
from resolvers.core import access
from schema.context import Info
from schema.types.admin import Client
from schema.types.catalogue import Practitioner, Treatment
from schema.types.common import mirror

WaitlistStatus = strawberry.enum(WaitlistStatusValues, name="WaitlistStatus")
WaitlistOfferMode = strawberry.enum(
    OfferModeValues,
    name="WaitlistOfferMode",
    description="How a freed time is offered: HOLD, to the first in line only, the time held for them while "
    "the offer lasts; ALL, to everyone waiting whom it suits at once, the first to claim books it.",
)


def _time(minute: int) -> time:
    return time(minute // 60, minute % 60)


@strawberry.type(description="A client waiting for a time; offered freed times in the order they joined.")
class WaitlistEntry:
    model: strawberry.Private[WaitlistEntryModel]

    id: strawberry.ID = mirror("id")
    status: WaitlistStatus = mirror("status")
    from_: date = strawberry.field(name="from", resolver=lambda self: self.model.date_from)
    to: date = mirror("date_to")
    joined_at: datetime = mirror("created_at")
    appointment_id: strawberry.ID | None = mirror("appointment_id", "The appointment a claimed offer booked.")

    @strawberry.field(description="Earliest start, the clinic's local time.")
    def earliest_time(self) -> time:
        return _time(self.model.earliest_minute)

    @strawberry.field(description="Latest start, the clinic's local time.")
    def latest_time(self) -> time:
        return _time(self.model.latest_minute)

    @strawberry.field
    async def treatment(self, info: Info) -> Treatment:
        row = await info.context.loaders.treatment.load((self.model.clinic_id, self.model.treatment_id))
        return Treatment(model=row)

    @strawberry.field(description="Null: any practitioner.")
    async def practitioner(self, info: Info) -> Practitioner | None:
        if self.model.practitioner_id is None:
            return None
        row = await info.context.loaders.practitioner.load((self.model.clinic_id, self.model.practitioner_id))
        return Practitioner(model=row)

    @strawberry.field(description="Who waits: for the clinic's staff; null for clients.")
    async def client(self, info: Info) -> Client | None:
        if not access.reads_client_records(info.context.principal):
            return None
        row = await info.context.loaders.client.load((self.model.clinic_id, self.model.client_id))
        return Client(model=row)
