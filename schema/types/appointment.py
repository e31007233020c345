"""Appointments as a caller may see them, and live calendar events."""

from __future__ import annotations

from enum import StrEnum

import uuid
from datetime import datetime

import strawberry

from models import Appointment as AppointmentModel
from models import AppointmentStatus as AppointmentStatusValues
from models import SeriesUnit as SeriesUnitValues
from models import utcnow
from models.events import APPOINTMENT_KINDS
from resolvers.booking import policy
from resolvers.core import access
from resolvers.core import tenant
from resolvers.account.personal import When
from schema.context import Info
from schema.types.admin import Client
from schema.types.catalogue import Practitioner, Treatment
from schema.types.consent import ConsentStatus
from schema.types.common import Money, PageInfo, mirror, prices_visible
from schema.types.payments import Payment

AppointmentStatus = strawberry.enum(AppointmentStatusValues, name="AppointmentStatus")
AppointmentWhen = strawberry.enum(When, name="AppointmentWhen")
SeriesUnit = strawberry.enum(SeriesUnitValues, name="SeriesUnit", description="What a series' `every` counts.")


@strawberry.type(description="The membership a session of which pays for an appointment.")
class CoveringMembership:
    id: strawberry.ID
    name: str


@strawberry.type
class Appointment:
    model: strawberry.Private[AppointmentModel]

    id: strawberry.ID = mirror("id")
    start: datetime = mirror("start_at")
    end: datetime = mirror("end_at")
    status: AppointmentStatus = mirror("status")

    @strawberry.field
    async def treatment(self, info: Info) -> Treatment:
        row = await info.context.loaders.treatment.load((self.model.clinic_id, self.model.treatment_id))
        return Treatment(model=row)

    @strawberry.field
    async def practitioner(self, info: Info) -> Practitioner:
        row = await info.context.loaders.practitioner.load((self.model.clinic_id, self.model.practitioner_id))
        return Practitioner(model=row)

    @strawberry.field(
        description="Whom it is for (name, phone, e-mail): the clinic's staff and partner keys with the read scope"
        " see it; null for everyone else, clients included (a client reads their own details from `me`)."
    )
    async def client(self, info: Info) -> Client | None:
        if not access.client_details_visible(info.context.principal, self.model):
            return None
        row = await info.context.loaders.client.load((self.model.clinic_id, self.model.client_id))
        return Client(model=row) if row is not None else None

    @strawberry.field(description="The price when booked; null when the clinic hides prices.")
    async def price(self, info: Info) -> Money | None:
        clinic = await info.context.loaders.clinic.load(self.model.clinic_id)
        return Money.of(self.model.price, self.model.currency) if prices_visible(info, clinic) else None

    @strawberry.field(
        description="Whether the caller may cancel it now (for clients: also whether the clinic lets them cancel"
        " in the portal)."
    )
    async def can_cancel(self, info: Info) -> bool:
        clinic = await info.context.loaders.clinic.load(self.model.clinic_id)
        return policy.can_change(self.model, clinic, info.context.principal, utcnow(), access.PortalAction.CANCEL)

    @strawberry.field(
        description="Whether the caller may move it now: the notice rule of cancelling, and for clients whether the"
        " clinic lets them reschedule in the portal."
    )
    async def can_reschedule(self, info: Info) -> bool:
        clinic = await info.context.loaders.clinic.load(self.model.clinic_id)
        return policy.can_change(self.model, clinic, info.context.principal, utcnow(), access.PortalAction.RESCHEDULE)

    @strawberry.field(
        description="Whether the caller may book this past appointment's treatment again (not when it was moved)."
    )
    async def can_repeat(self, info: Info) -> bool:
        clinic = await info.context.loaders.clinic.load(self.model.clinic_id)
        treatment = await info.context.loaders.treatment.load((self.model.clinic_id, self.model.treatment_id))
        repeatable = policy.can_repeat(self.model, clinic, treatment, info.context.principal, utcnow())
        return repeatable and await self._moved_to(info) is None

    cancelled_at: datetime | None = mirror("cancelled_at")

    @strawberry.field(description="Whether the treatment's consent form is signed.")
    async def consent_status(self, info: Info) -> ConsentStatus:
        return await info.context.loaders.consent_status.load((self.model.clinic_id, self.model.id))

    @strawberry.field(description="Money taken for it, oldest first: staff, partners that read the diary, and its client.")
    async def payments(self, info: Info) -> list[Payment]:
        if not access.payments_visible(info.context.principal, self.model):
            return []
        rows = await info.context.loaders.payments_by_appointment.load((self.model.clinic_id, self.model.id))
        return [Payment(model=p) for p in rows]

    @strawberry.field(
        description="The membership one of whose sessions pays for it (taken when booked, given back by a"
        " cancellation in time); null when none does. Shown to whoever sees its payments."
    )
    async def covered_by(self, info: Info) -> CoveringMembership | None:
        if not access.payments_visible(info.context.principal, self.model):
            return None
        found = await info.context.loaders.covering_membership.load((self.model.clinic_id, self.model.id))
        return CoveringMembership(id=strawberry.ID(str(found.id)), name=found.name) if found else None

    @strawberry.field(description="The recurring series it belongs to; null for an appointment booked on its own.")
    def series(self) -> AppointmentSeries | None:
        ident = self.model.series_id
        return AppointmentSeries(id=strawberry.ID(str(ident)), clinic_id=self.model.clinic_id) if ident else None

    @strawberry.field(description="The appointment this one was moved from.")
    def rescheduled_from_id(self) -> strawberry.ID | None:
        ident = self.model.rescheduled_from_id
        return strawberry.ID(str(ident)) if ident else None

    @strawberry.field(
        description="The appointment this one was moved to (null unless it was moved): a moved appointment "
        "stays, cancelled, as the history, and every later change goes through the new id."
    )
    async def rescheduled_to_id(self, info: Info) -> strawberry.ID | None:
        ident = await self._moved_to(info)
        return strawberry.ID(str(ident)) if ident else None

    async def _moved_to(self, info: Info) -> uuid.UUID | None:
        if self.model.status is not AppointmentStatusValues.CANCELLED:
            return None  # only a cancelled appointment can have been moved
        return await info.context.loaders.rescheduled_to.load((self.model.clinic_id, self.model.id))


@strawberry.type(description="A recurring series of appointments made by `bookSeries`.")
class AppointmentSeries:
    id: strawberry.ID
    clinic_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="How many days or weeks from one occurrence to the next.")
    async def every(self, info: Info) -> int:
        return (await self._row(info)).every

    @strawberry.field
    async def unit(self, info: Info) -> SeriesUnit:
        return (await self._row(info)).unit

    async def _row(self, info: Info):
        return await info.context.loaders.series.load((self.clinic_id, uuid.UUID(str(self.id))))

    @strawberry.field(
        description="Its occurrences the caller may see, in order of start; moved and cancelled ones stay, cancelled."
    )
    async def appointments(self, info: Info) -> list[Appointment]:
        rows = await tenant.series_appointments(info.context.principal, uuid.UUID(str(self.id)))
        return [Appointment(model=row) for row in rows]


@strawberry.type
class AppointmentEdge:
    node: Appointment
    cursor: str


@strawberry.type
class AppointmentConnection:
    edges: list[AppointmentEdge]
    page_info: PageInfo


# What calendars hear: the appointment kinds of the event log (holds are the booking page's).
CalendarEventKind = strawberry.enum(
    StrEnum("CalendarEventKind", {kind.value: kind.value for kind in APPOINTMENT_KINDS}), name="CalendarEventKind"
)


@strawberry.type
class CalendarEvent:
    kind: CalendarEventKind
    appointment: Appointment
    occurred_at: datetime
    cursor: str = strawberry.field(
        description="Where this event stands in the clinic's event log: pass the last one seen as `after` to"
        " resume the stream after a dropped connection, missing nothing."
    )
