"""Live appointment events for one subscriber: which events it may see,
each appointment read once per event for every local subscriber, and the
end of the stream when its credential stops being valid."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from models import Appointment
from realtime.events import AppointmentEvent, EventKind
from realtime.hub import Delivery, Overflow
from realtime.streams import CredentialEnded, appointment_events
from resolvers import credentials, runtime, scope
from resolvers.errors import DomainError, ErrorCode
from resolvers.principal import Principal, Scope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveEvent:
    kind: EventKind
    appointment: Appointment
    occurred_at: Any
    memo: dict[str, Any]  # shared by the local subscribers of this event


async def _shared_row(event: AppointmentEvent, memo: dict[str, Any]) -> Appointment | None:
    row = memo.get("row")
    if row is None:
        row = memo["row"] = asyncio.ensure_future(
            Appointment.get_or_none(id=event.appointment_id, clinic_id=event.clinic_id)
        )
    if row.done():  # every subscriber but the first few: no future, no wait
        return row.result()
    # Shielded: one subscriber leaving must not cancel the read the others await.
    return await asyncio.shield(row)


async def prepare_delivery(delivery: Delivery) -> None:
    """Run by the hub once per event before its local subscribers are
    offered it: the event is parsed and its appointment read once, so no
    subscriber waits on a read another one started."""
    event = delivery.memo.get("event")
    if event is None:
        event = delivery.memo["event"] = AppointmentEvent.loads(delivery.message)
    await _shared_row(event, delivery.memo)


async def _events(principal: Principal, accept: Callable[[AppointmentEvent], bool]) -> AsyncIterator[LiveEvent]:
    # Spread over the interval, so sockets that connected together do not check together.
    recheck = runtime.current().settings.ws_recheck_seconds * random.uniform(0.8, 1.0)

    async def still_allowed() -> bool:
        try:
            return await credentials.still_valid_recently(principal.credential_id, recheck / 2)
        except Exception:  # noqa: BLE001 - a failed check keeps the stream; the next one decides
            log.warning("credential check failed; the stream goes on until the next check", exc_info=True)
            return True

    try:
        async for event, memo in appointment_events(principal.clinic_id, accept, still_allowed, recheck):
            row = await _shared_row(event, memo)
            if row is not None and scope.can_see(principal, row):
                yield LiveEvent(event.kind, row, event.occurred_at, memo)
    except CredentialEnded:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "The session behind this subscription has ended.") from None
    except Overflow:
        raise DomainError(
            ErrorCode.RATE_LIMITED, "Too many live events went unread; re-sync with the calendar query."
        ) from None


def calendar_events(principal: Principal, practitioner_ids: list[str] | None) -> AsyncIterator[LiveEvent]:
    """Staff and partner keys with the calendar scope."""
    scope.require_scope(principal, Scope.CALENDAR)
    wanted: set[uuid.UUID | None] | None = None
    if practitioner_ids is not None:
        wanted = {scope.parse_id(p) for p in practitioner_ids}
    return _events(principal, lambda event: wanted is None or event.practitioner_id in wanted)


def my_appointment_events(principal: Principal) -> AsyncIterator[LiveEvent]:
    """A signed-in client's own appointments."""
    client_id = scope.require_client(principal)
    return _events(principal, lambda event: event.client_id == client_id)
