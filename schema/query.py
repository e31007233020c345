"""Queries."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry

from resolvers.account import personal
from resolvers.booking import calendar
from resolvers.booking import catalogue
from resolvers.core import tenant
from resolvers.core.clinic_cache import request_scope
from resolvers.booking import slots
from schema import cursors
from resolvers.booking.holds import holder_of
from schema.context import Info
from schema.mutations.messaging import MessagingQueries
from schema.types.account import ClientAccount
from schema.types.appointment import Appointment
from schema.types.catalogue import Clinic, Practitioner, Slot
from schema.types.consent import ConsentQueries
from schema.types.legal import LegalQueries
from schema.types.notifications import NotificationQueries
from schema.types.reports import ReportsQuery
from schema.types.series import SeriesQueries


@strawberry.type
class Query(NotificationQueries, ConsentQueries, MessagingQueries, ReportsQuery, LegalQueries, SeriesQueries):
    @strawberry.field(description="The public face of a portal; null if unknown.")
    async def clinic(self, slug: str) -> Clinic | None:
        row = await catalogue.clinic_by_slug(slug)
        return Clinic(model=row) if row else None

    @strawberry.field(description="Staff and partners: the clinic the credential works for; null otherwise.")
    async def my_clinic(self, info: Info) -> Clinic | None:
        row = await catalogue.insider_clinic(info.context.principal)
        return Clinic(model=row) if row else None

    @strawberry.field(
        description="Free start times, in the clinic's dates from `from` to `to`. Times others hold "
        "(`holdSlot`) are left out; the caller's own holds stay in, for the caller to book."
    )
    async def available_slots(
        self,
        info: Info,
        clinic_slug: str,
        treatment_id: strawberry.ID,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        practitioner_id: strawberry.ID | None = None,
    ) -> list[Slot]:
        ctx = info.context
        with request_scope():  # the clinic is synced once for the slots and their practitioners
            clinic, found = await slots.available_slots(
                ctx.runtime, ctx.principal, clinic_slug, treatment_id, from_, to, practitioner_id,
                holder=holder_of(ctx.principal, ctx.ip),
            )
            facts = await ctx.runtime.clinics.facts(clinic.id)  # kept, synced above: no statement
        ids = list(dict.fromkeys(slot.practitioner_id for slot in found))
        rows = [facts.practitioners.get(pid) for pid in ids]
        if None in rows:  # gone since the slots were read (the kept facts were dropped meanwhile)
            rows = await info.context.loaders.practitioner.load_many([(clinic.id, pid) for pid in ids])
        practitioners = {pid: Practitioner(model=row) for pid, row in zip(ids, rows)}
        return [Slot(start=s.start, end=s.end, practitioner=practitioners[s.practitioner_id]) for s in found]

    @strawberry.field(description="The signed-in client; null otherwise.")
    async def me(self, info: Info) -> ClientAccount | None:
        client = await personal.me(info.context.principal)
        return ClientAccount(model=client) if client else None

    @strawberry.field(description="Admins: any client's account (balances, appointments); a client: their own; null otherwise.")
    async def client_account(self, info: Info, id: strawberry.ID) -> ClientAccount | None:
        client = await personal.client_account(info.context.principal, id)
        return ClientAccount(model=client) if client else None

    @strawberry.field(description="One appointment the credential may see; null otherwise.")
    async def appointment(self, info: Info, id: strawberry.ID) -> Appointment | None:
        row = await tenant.find_appointment(info.context.principal, id)
        return Appointment(model=row) if row else None

    @strawberry.field(description="Staff and partners: the diary between two instants.")
    async def calendar(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        practitioner_ids: list[strawberry.ID] | None = None,
    ) -> list[Appointment]:
        await cursors.before_reading(info)
        rows = await calendar.calendar(info.context.principal, from_, to, practitioner_ids)
        return [Appointment(model=a) for a in rows]

    @strawberry.field(
        description="Staff, partners and signed-in clients: the clinic's live-event cursor that this request's"
        " `calendar` and `me { appointments }` answers are consistent with. Ask it in the same request, then"
        " pass it as `after` to `calendarUpdates` or `myAppointmentUpdates`: the stream replays what changed"
        " since and goes live, missing nothing. Null for a caller of no clinic."
    )
    async def calendar_cursor(self, info: Info) -> str | None:
        cursor = cursors.of_request(info)
        return await cursor if cursor is not None else None
