"""Live calendar subscriptions. The credential comes from `connection_init`
(checked in app.GraphQLApp.on_ws_connect); the clinic comes from it."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Hashable
from dataclasses import replace
from datetime import date
from typing import Annotated, Any

import strawberry

from resolvers.booking import live, slot_watch
from resolvers.booking.holds import holder_of
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.principal import PrincipalKind
from resolvers.core import access
from schema.loaders import Loaders
from schema import live_transport
from schema.context import Info
from schema.types.appointment import Appointment, CalendarEvent, CalendarEventKind
from schema.types.catalogue import Practitioner, Slot

# Opens the stream of events, each rendered by `render` for its `audience`.
Open = Callable[..., AsyncIterator[Any]]


def _payload(event: live.LiveEvent) -> CalendarEvent:
    return CalendarEvent(
        kind=CalendarEventKind(event.kind.value), appointment=Appointment(model=event.appointment), occurred_at=event.occurred_at, cursor=event.cursor
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


@strawberry.type(description="Free start times of one of the watched days, as they are now.")
class FreeDay:
    date: date
    slots: list[Slot]


@strawberry.type(description="The watched days whose free times changed, each with its new free times.")
class AvailableSlotsChange:
    days: list[FreeDay]


async def _free_days(change: slot_watch.SlotsChange) -> AvailableSlotsChange:
    ids = list(dict.fromkeys(s.practitioner_id for day in change.days for s in day.slots))
    rows = await Loaders().practitioner.load_many([(change.clinic_id, pid) for pid in ids])  # names as they are now
    practitioners = {pid: Practitioner(model=row) for pid, row in zip(ids, rows)}
    return AvailableSlotsChange(days=[
        FreeDay(date=day.date, slots=[Slot(start=s.start, end=s.end, practitioner=practitioners[s.practitioner_id]) for s in day.slots])
        for day in change.days
    ])


async def _watched(info: Info, stream) -> AsyncGenerator[AvailableSlotsChange, None]:
    context = info.context
    limit = context.runtime.settings.anonymous_slot_watches
    if context.principal.kind is PrincipalKind.ANONYMOUS and context.slot_watches >= limit:
        raise DomainError(ErrorCode.RATE_LIMITED, f"Watch at most {limit} ranges of free times on one connection.")
    context.slot_watches += 1
    try:
        async for change in stream:
            yield await _free_days(change)
    finally:
        context.slot_watches -= 1


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
        description="The booking page's free times kept current: after each change that adds or removes free start"
        " times of the treatment between the clinic's dates `from` and `to`, the days that changed with their new"
        " free times (never who took a time). Anyone who may see the booking page; at most"
        " `LIVE_SLOT_RANGE_DAYS` days, and a few watches per anonymous connection."
    )
    async def available_slots_changed(
        self,
        info: Info,
        clinic_slug: str,
        treatment_id: strawberry.ID,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        practitioner_id: strawberry.ID | None = None,
    ) -> AsyncGenerator[AvailableSlotsChange, None]:
        ctx = info.context
        stream = slot_watch.watch(
            ctx.runtime, ctx.principal, clinic_slug, treatment_id, from_, to, practitioner_id,
            holder=holder_of(ctx.principal, ctx.ip),
        )
        return _watched(info, stream)

    @strawberry.subscription(
        description="The signed-in client's own appointments; `after` resumes as in `calendarUpdates`."
    )
    async def my_appointment_updates(self, info: Info, after: str | None = None) -> AsyncGenerator[CalendarEvent, None]:
        principal = info.context.principal
        return _as_graphql(
            info, lambda **rendering: live.my_appointment_events(info.context.runtime, principal, after=after, **rendering)
        )
