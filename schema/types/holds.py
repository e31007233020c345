"""Slot holds as their holder sees them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import HoldStatus as HoldStatusValues
from models import SlotHold as SlotHoldModel
from schema.context import Info
from schema.types.catalogue import Practitioner, Treatment
from schema.types.common import mirror

HoldStatus = strawberry.enum(
    HoldStatusValues,
    name="HoldStatus",
    description="HELD until `expiresAt`; USED once booked; RELEASED when given back; EXPIRED when let go late.",
)


@strawberry.type(description="A time kept for its holder while they book it (`holdSlot`).")
class SlotHold:
    model: strawberry.Private[SlotHoldModel]

    id: strawberry.ID = mirror("id", "Pass as `bookAppointment(input: { holdId })` or to `releaseHold`.")
    start: datetime = mirror("start_at")
    end: datetime = mirror("end_at")
    expires_at: datetime = mirror("expires_at", "Until when no one else can book or hold this time.")
    status: HoldStatus = mirror("status")

    @strawberry.field
    async def treatment(self, info: Info) -> Treatment:
        row = await info.context.loaders.treatment.load((self.model.clinic_id, self.model.treatment_id))
        return Treatment(model=row)

    @strawberry.field
    async def practitioner(self, info: Info) -> Practitioner:
        row = await info.context.loaders.practitioner.load((self.model.clinic_id, self.model.practitioner_id))
        return Practitioner(model=row)
