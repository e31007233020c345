"""Holding a picked time while the booking form is filled in."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.booking import hold_slot
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.types.holds import SlotHold


@strawberry.type
class HoldSlotPayload(Payload):
    hold: SlotHold | None = None


@strawberry.type
class ReleaseHoldPayload(Payload):
    hold: SlotHold | None = None


async def _hold(work) -> dict:
    return {"hold": SlotHold(model=await work)}


@strawberry.type
class HoldMutations:
    @strawberry.mutation(
        description="Keep a free time for the caller for the clinic's `holdMinutes` (anyone who may book: "
        "a client, a booking session, an anonymous visitor, staff, a partner key). Until `expiresAt` no one "
        "else can book or hold it; book it with `bookAppointment(input: { ..., holdId })`. One caller holds "
        "at most the clinic's `maxHoldsPerCaller` times at once (TOO_MANY_HOLDS)."
    )
    async def hold_slot(
        self,
        info: Info,
        clinic_slug: str,
        treatment_id: strawberry.ID,
        start: datetime,
        practitioner_id: strawberry.ID | None = None,
    ) -> HoldSlotPayload:
        ctx = info.context
        work = hold_slot.hold_slot(ctx.runtime, ctx.principal, ctx.ip, clinic_slug, treatment_id, start, practitioner_id)
        return await payload(HoldSlotPayload, _hold(work))

    @strawberry.mutation(description="Give a held time back (its holder only). A booked hold answers HOLD_ALREADY_USED.")
    async def release_hold(self, info: Info, id: strawberry.ID) -> ReleaseHoldPayload:
        ctx = info.context
        return await payload(ReleaseHoldPayload, _hold(hold_slot.release_hold(ctx.runtime, ctx.principal, ctx.ip, id)))
