"""Live calendar subscriptions. The credential comes from `connection_init`
(checked in app.GraphQLApp.on_ws_connect); the clinic comes from it."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable

import strawberry

from resolvers import live, scope
from resolvers.loaders import Loaders
from schema.context import Info
from schema.types.appointment import Appointment, CalendarEvent


async def _as_graphql(info: Info, open_events: Callable[[], AsyncIterator[live.LiveEvent]]) -> AsyncGenerator[CalendarEvent, None]:
    """One payload per event and view, shared by the subscribers that have
    that view, so the same selection is rendered once. The events are
    opened on the first iteration, so a refusal arrives as the stream's
    first result, as from any generator resolver."""
    view = scope.view_of(info.context.principal)
    async for event in open_events():
        info.context.loaders = event.memo.setdefault("loaders", Loaders())
        payload = event.memo.get(view)
        if payload is None:
            payload = event.memo[view] = CalendarEvent(
                kind=event.kind, appointment=Appointment(model=event.appointment), occurred_at=event.occurred_at
            )
        yield payload


# The resolvers hand back the stream itself rather than re-yielding it: one
# generator fewer held by every subscription and stepped through per event.
@strawberry.type
class Subscription:
    @strawberry.subscription(description="Staff and partner keys with the calendar scope.")
    async def calendar_updates(
        self, info: Info, practitioner_ids: list[strawberry.ID] | None = None
    ) -> AsyncGenerator[CalendarEvent, None]:
        principal = info.context.principal
        return _as_graphql(info, lambda: live.calendar_events(principal, practitioner_ids))

    @strawberry.subscription(description="The signed-in client's own appointments.")
    async def my_appointment_updates(self, info: Info) -> AsyncGenerator[CalendarEvent, None]:
        principal = info.context.principal
        return _as_graphql(info, lambda: live.my_appointment_events(principal))
