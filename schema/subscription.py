"""Live calendar subscriptions. The credential comes from `connection_init`
(checked in app.GraphQLApp.on_ws_connect); the clinic comes from it."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Hashable
from dataclasses import replace
from typing import Any

import strawberry

from resolvers.booking import live
from resolvers.core import access
from schema.loaders import Loaders
from schema import live_transport
from schema.context import Info
from schema.types.appointment import Appointment, CalendarEvent

# Opens the stream of events, each rendered by `render` for its `audience`.
Open = Callable[..., AsyncIterator[Any]]


def _payload(event: live.LiveEvent) -> CalendarEvent:
    return CalendarEvent(
        kind=event.kind, appointment=Appointment(model=event.appointment), occurred_at=event.occurred_at, cursor=event.cursor
    )


def _loaders(event: live.LiveEvent) -> Loaders:
    """One set of loaders per event, shared by all its renderings."""
    return event.memo.setdefault("loaders", Loaders())


async def _as_graphql(info: Info, open_events: Open) -> AsyncGenerator[CalendarEvent, None]:
    """Over the websocket transport, once the subscriber is authorised, its
    events are handed to the transport (schema/live_transport.py), each
    rendered once for every local subscriber with this view and document;
    this generator then ends without yielding. Elsewhere (an in-process
    subscribe), it yields each event for strawberry to execute. Either way
    the events are opened on the first iteration, so a refusal arrives as
    the stream's first result, as from any generator resolver."""
    context = info.context
    operation = live_transport.current()
    if operation is None or operation.executor is None:
        async for event in open_events():
            context.loaders = _loaders(event)
            yield _payload(event)
        return
    executor = operation.executor

    async def render(event: live.LiveEvent) -> str:
        per_event = executor.build_per_event_executor(_payload(event))
        per_event.context_value = replace(context, loaders=_loaders(event))
        result = per_event.execute_operation(False)
        return operation.encode(await result if executor.is_awaitable(result) else result)

    audience: Hashable = (access.view_of(context.principal), operation.document)
    operation.hand_over(open_events(render=render, audience=audience))


# The resolvers hand back the stream itself rather than re-yielding it: one
# generator fewer held by every subscription.
@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Staff and partner keys with the calendar scope. With `after` (an event's `cursor`, or"
        " `calendarCursor`), first every event since then, in order, then live ones: none missed, none twice."
        " A cursor of another clinic or older than the kept events ends the stream with RESYNC_REQUIRED."
    )
    async def calendar_updates(
        self, info: Info, practitioner_ids: list[strawberry.ID] | None = None, after: str | None = None
    ) -> AsyncGenerator[CalendarEvent, None]:
        principal = info.context.principal
        return _as_graphql(
            info, lambda **rendering: live.calendar_events(info.context.runtime, principal, practitioner_ids, after=after, **rendering)
        )

    @strawberry.subscription(
        description="The signed-in client's own appointments; `after` resumes as in `calendarUpdates`."
    )
    async def my_appointment_updates(self, info: Info, after: str | None = None) -> AsyncGenerator[CalendarEvent, None]:
        principal = info.context.principal
        return _as_graphql(
            info, lambda **rendering: live.my_appointment_events(info.context.runtime, principal, after=after, **rendering)
        )
