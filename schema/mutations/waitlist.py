"""Joining and leaving the waitlist, and claiming an offer."""

from __future__ import annotations

from datetime import date, time
import strawberry

from resolvers.booking import waitlist, waitlist_claim
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.types.appointment import Appointment
from models import WaitlistStatus as WaitlistStatusValues
from schema.types.waitlist import WaitlistEntry, WaitlistStatus


@strawberry.input
class JoinWaitlistInput:
    clinic_slug: str
    treatment_id: strawberry.ID
    from_: date = strawberry.field(name="from")
    to: date
    practitioner_id: strawberry.ID | None = strawberry.field(default=None, description="Null: any practitioner.")
    earliest_time: time | None = strawberry.field(default=None, description="Earliest start, local time; null: any.")
    latest_time: time | None = strawberry.field(default=None, description="Latest start, local time; null: any.")


@strawberry.type
class WaitlistEntryPayload(Payload):
    entry: WaitlistEntry | None = None


@strawberry.type
class ClaimWaitlistOfferPayload(Payload):
    appointment: Appointment | None = None
    entry: WaitlistEntry | None = None


async def _entry(work) -> dict:
    return {"entry": WaitlistEntry(model=await work)}


async def _claimed(work) -> dict:
    done = await work
    return {"appointment": Appointment(model=done.appointment), "entry": WaitlistEntry(model=done.entry)}


@strawberry.type
class WaitlistMutations:
    @strawberry.mutation(
        description="Client session or booking session: wait for a treatment between two dates (the clinic's), "
        "within times of day, optionally with one practitioner. A visitor signs in first (by phone code too)."
    )
    async def join_waitlist(self, info: Info, input: JoinWaitlistInput) -> WaitlistEntryPayload:
        request = waitlist.JoinRequest(
            clinic_slug=input.clinic_slug, treatment_id=input.treatment_id, date_from=input.from_, date_to=input.to,
            practitioner_id=input.practitioner_id, earliest=input.earliest_time, latest=input.latest_time,
        )  # fmt: skip
        return await payload(WaitlistEntryPayload, _entry(waitlist.join_waitlist(info.context.runtime, info.context.principal, request)))

    @strawberry.mutation(description="The client leaves one of their own waitlist entries.")
    async def leave_waitlist(self, info: Info, id: strawberry.ID) -> WaitlistEntryPayload:
        return await payload(WaitlistEntryPayload, _entry(waitlist.leave_waitlist(info.context.principal, id)))

    @strawberry.mutation(description="Staff: take an entry off the clinic's waitlist.")
    async def remove_waitlist_entry(self, info: Info, id: strawberry.ID) -> WaitlistEntryPayload:
        return await payload(WaitlistEntryPayload, _entry(waitlist.remove_waitlist_entry(info.context.principal, id)))

    @strawberry.mutation(
        description="Spend the single-use link of a waitlist offer: books the offered time for its client. "
        "TOKEN_ALREADY_USED, TOKEN_EXPIRED, TOKEN_INVALID for a spent, late or unknown link; SLOT_UNAVAILABLE "
        "when the time has gone meanwhile (the client stays on the list). With `clinicSlug` (the page's clinic) "
        "another clinic's link answers TOKEN_INVALID, like an unknown one."
    )
    async def claim_waitlist_offer(
        self, info: Info, token: str, clinic_slug: str | None = None
    ) -> ClaimWaitlistOfferPayload:
        ctx = info.context
        work = waitlist_claim.claim_waitlist_offer(ctx.runtime, token, ctx.ip, clinic_slug)
        return await payload(ClaimWaitlistOfferPayload, _claimed(work))


@strawberry.type
class WaitlistQueries:
    @strawberry.field(description="Staff: the clinic's waitlist in the order clients joined (WAITING unless asked).")
    async def waitlist(
        self, info: Info, treatment_id: strawberry.ID | None = None, status: WaitlistStatus | None = None
    ) -> list[WaitlistEntry]:
        rows = await waitlist.clinic_waitlist(
            info.context.principal, status or WaitlistStatusValues.WAITING, treatment_id
        )
        return [WaitlistEntry(model=row) for row in rows]

    @strawberry.field(description="The signed-in client's own waitlist entries that are still waiting.")
    async def my_waitlist(self, info: Info) -> list[WaitlistEntry]:
        return [WaitlistEntry(model=row) for row in await waitlist.my_waitlist(info.context.principal)]
