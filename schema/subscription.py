"""Live calendar subscriptions. The credential comes from `connection_init`
(checked in app.GraphQLApp.on_ws_connect); the clinic comes from it."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

import strawberry

from resolvers import live, scope
from resolvers.loaders import Loaders
from schema.context import Info
from schema.types.appointment import Appointment, CalendarEvent


async def _as_graphql(info: Info, events: AsyncIterator[live.LiveEvent]) -> AsyncGenerator[CalendarEvent, None]:
    """One payload per event and view, shared by the subscribers that have
    that view, so the same selection is rendered once."""
    view = scope.view_of(info.context.principal)
    async for event in events:
        info.context.loaders = event.memo.setdefault("loaders", Loaders())
        payload = event.memo.get(view)
        if payload is None:
            payload = event.memo[view] = CalendarEvent(
                kind=event.kind, appointment=Appointment(model=event.appointment), occurred_at=event.occurred_at
            )
        yield payload


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Staff and partner keys with the calendar scope.")
    async def calendar_updates(
        self, info: Info, practitioner_ids: list[strawberry.ID] | None = None
    ) -> AsyncGenerator[CalendarEvent, None]:
        async for item in _as_graphql(info, live.calendar_events(info.context.principal, practitioner_ids)):
            yield item

    @strawberry.subscription(description="The signed-in client's own appointments.")
    async def my_appointment_updates(self, info: Info) -> AsyncGenerator[CalendarEvent, None]:
        async for item in _as_graphql(info, live.my_appointment_events(info.context.principal)):
            yield item
