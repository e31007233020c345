"""Live calendar subscriptions. The credential comes from `connection_init`
(checked in app.GraphQLApp.on_ws_connect); the clinic comes from it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from typing import Any

import strawberry

from models import Appointment as AppointmentModel
from realtime.events import AppointmentEvent
from realtime.hub import Overflow
from realtime.streams import StreamEnded, appointment_events
from resolvers import credentials, runtime, scope
from resolvers.errors import DomainError, ErrorCode
from resolvers.loaders import Loaders
from resolvers.principal import PrincipalKind, Scope
from schema.context import Info
from schema.types.appointment import Appointment, CalendarEvent


def _shared_row(event: AppointmentEvent, memo: dict[str, Any]) -> asyncio.Future:
    """The appointment, loaded once per event for every local subscriber."""
    if "row" not in memo:
        memo["row"] = asyncio.ensure_future(
            AppointmentModel.get_or_none(id=event.appointment_id, clinic_id=event.clinic_id)
        )
    return memo["row"]


async def _events(info: Info, accept: Callable[[AppointmentEvent], bool]) -> AsyncGenerator[CalendarEvent, None]:
    principal = info.context.principal
    stream = appointment_events(
        principal.clinic_id,
        accept,
        still_allowed=lambda: credentials.still_valid(principal.credential_id),
        recheck_seconds=runtime.current().settings.ws_recheck_seconds,
    )
    try:
        async for event, memo in stream:
            row = await _shared_row(event, memo)
            if row is None or not scope.can_see(principal, row):
                continue
            info.context.loaders = memo.setdefault("loaders", Loaders())
            yield CalendarEvent(kind=event.kind, appointment=Appointment(model=row), occurred_at=event.occurred_at)
    except StreamEnded:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "The session behind this subscription has ended.") from None
    except Overflow:
        raise DomainError(
            ErrorCode.RATE_LIMITED, "Too many live events went unread; re-sync with the calendar query."
        ) from None


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Staff and partner keys with the calendar scope.")
    async def calendar_updates(
        self, info: Info, practitioner_ids: list[strawberry.ID] | None = None
    ) -> AsyncGenerator[CalendarEvent, None]:
        scope.require_scope(info.context.principal, Scope.CALENDAR)
        wanted = {scope.parse_id(p) for p in practitioner_ids} if practitioner_ids is not None else None
        async for item in _events(info, lambda event: wanted is None or event.practitioner_id in wanted):
            yield item

    @strawberry.subscription(description="The signed-in client's own appointments.")
    async def my_appointment_updates(self, info: Info) -> AsyncGenerator[CalendarEvent, None]:
        principal = info.context.principal
        if principal.kind is not PrincipalKind.CLIENT:
            scope.require_client(principal)  # raises: a booking session may only book
        async for item in _events(info, lambda event: event.client_id == principal.client_id):
            yield item
