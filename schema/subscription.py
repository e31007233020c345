"""Live calendar subscriptions. The credential comes from `connection_init`
(checked in app.GraphQLApp.on_ws_connect); the clinic comes from it."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from realtime.events import AppointmentEvent
from realtime.streams import appointment_events
from resolvers import scope
from resolvers.loaders import Loaders
from resolvers.principal import PrincipalKind, Scope
from schema.context import Info
from schema.types.appointment import Appointment, CalendarEvent


async def _events(info: Info, accept) -> AsyncGenerator[CalendarEvent, None]:
    principal = info.context.principal
    async for event in appointment_events(principal.clinic_id, accept):
        info.context.loaders = Loaders()  # each event is read fresh
        row = await scope.find_appointment(principal, str(event.appointment_id))
        if row is not None:
            yield CalendarEvent(kind=event.kind, appointment=Appointment(model=row), occurred_at=event.occurred_at)


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Staff and partner keys with the calendar scope.")
    async def calendar_updates(
        self, info: Info, practitioner_ids: list[strawberry.ID] | None = None
    ) -> AsyncGenerator[CalendarEvent, None]:
        principal = info.context.principal
        scope.require_scope(principal, Scope.CALENDAR)
        wanted = {scope.parse_id(p) for p in practitioner_ids} if practitioner_ids is not None else None

        def accept(event: AppointmentEvent) -> bool:
            if principal.own_diary_only and event.practitioner_id != principal.practitioner_id:
                return False
            return wanted is None or event.practitioner_id in wanted

        async for item in _events(info, accept):
            yield item

    @strawberry.subscription(description="The signed-in client's own appointments.")
    async def my_appointment_updates(self, info: Info) -> AsyncGenerator[CalendarEvent, None]:
        principal = info.context.principal
        client_id = scope.require_client(principal)
        if principal.kind is not PrincipalKind.CLIENT:
            return
        async for item in _events(info, lambda event: event.client_id == client_id):
            yield item
