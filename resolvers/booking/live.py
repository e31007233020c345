"""Live appointment events: who hears which event, each event read and
rendered once per process and audience, and the end of a stream when its
credential stops being valid.

The hub calls `prepare_delivery` once per event with the local
subscribers of the clinic's channel. It reads the appointment once, keeps
the subscribers who asked for the event and may see the appointment, and
asks one of each audience (subscribers who would be shown the very same
thing) to render it. Each subscriber is then offered its audience's
rendering; the subscriber's own task only hands it on."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models import Appointment
from realtime.events import AppointmentEvent, EventKind
from realtime.hub import Delivery, Offers, Overflow, Subscriber, calendar_channel
from realtime.streams import CredentialEnded, offered
from resolvers.account import credentials
from resolvers.core.runtime import Runtime
from resolvers.core import access
from resolvers.core import ids
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.principal import Principal, Scope

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveEvent:
    kind: EventKind
    appointment: Appointment
    occurred_at: datetime
    memo: dict[str, Any] = field(default_factory=dict)  # shared by the renderings of this event


Render = Callable[[LiveEvent], Awaitable[Any]]


async def as_is(event: LiveEvent) -> LiveEvent:
    return event


@dataclass(eq=False, slots=True)
class Listener:
    """What the hub's preparation knows of one subscriber. Listeners with
    the same `audience` are offered the same rendering, made by the first
    one's `render`: the audience must name everything the rendering
    depends on besides the appointment."""

    principal: Principal
    accept: Callable[[AppointmentEvent], bool]
    audience: Hashable
    render: Render
    sees: Callable[[Appointment], bool]  # access.can_see for this principal


class LiveEventLost(Exception):
    """An event its subscribers should have heard could not be read or
    rendered; the stream ends so that the client re-syncs."""

    def __init__(self) -> None:
        super().__init__("A live event could not be delivered; re-sync with the calendar query.")


async def prepare_delivery(delivery: Delivery, subscribers: list[Subscriber]) -> Offers:
    event = AppointmentEvent.loads(delivery.message)
    wanted = [
        s for s in subscribers
        if isinstance(s.listener, Listener) and s.listener.principal.clinic_id == event.clinic_id and s.listener.accept(event)
    ]  # fmt: skip
    if not wanted:  # nobody here asked for it: nothing is read
        return ()
    try:
        row = await Appointment.get_or_none(id=event.appointment_id, clinic_id=event.clinic_id)
    except Exception:  # noqa: BLE001 - the subscribers are told, below
        log.warning("the appointment of a live event could not be read", exc_info=True)
        lost = LiveEventLost()
        return [(s, lost) for s in wanted]
    if row is None:
        return ()
    audiences: dict[Hashable, list[Subscriber]] = {}
    for subscriber in wanted:
        if subscriber.listener.sees(row):
            audiences.setdefault(subscriber.listener.audience, []).append(subscriber)
    live_event = LiveEvent(event.kind, row, event.occurred_at)
    renderings = await asyncio.gather(
        *(members[0].listener.render(live_event) for members in audiences.values()), return_exceptions=True
    )
    offers: list[tuple[Subscriber, Any]] = []
    for members, rendering in zip(audiences.values(), renderings):
        if isinstance(rendering, BaseException):
            log.error("a live event could not be rendered", exc_info=rendering)
            rendering = LiveEventLost()
        offers.extend((member, rendering) for member in members)
    return offers


async def _offered(rt: Runtime, principal: Principal, accept, audience: Hashable, render: Render) -> AsyncIterator[Any]:
    # Spread over the interval, so sockets that connected together do not check together.
    if rt.hub is None:
        raise RuntimeError("live updates are not running in this process")
    recheck = rt.settings.ws_recheck_seconds * random.uniform(0.8, 1.0)

    async def still_allowed() -> bool:
        try:
            return await credentials.still_valid_recently(principal.credential_id, recheck / 2)
        except Exception:  # noqa: BLE001 - a failed check keeps the stream; the next one decides
            log.warning("credential check failed; the stream goes on until the next check", exc_info=True)
            return True

    if (render is as_is) != (audience is as_is):
        raise ValueError("a rendering needs the audience it is made for")
    listener = Listener(principal, accept, audience, render, access.seer(principal))
    try:
        async for item in offered(rt.hub, calendar_channel(principal.clinic_id), listener, still_allowed, recheck):
            if isinstance(item, LiveEventLost):
                raise item
            yield item
    except CredentialEnded:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "The session behind this subscription has ended.") from None
    except Overflow:
        raise DomainError(
            ErrorCode.RATE_LIMITED, "Too many live events went unread; re-sync with the calendar query."
        ) from None


def calendar_events(
    rt: Runtime,
    principal: Principal, practitioner_ids: list[str] | None, *, render: Render = as_is, audience: Hashable = as_is
) -> AsyncIterator[Any]:
    """Staff and partner keys with the calendar scope. Yields each event's
    rendering: the LiveEvent itself, or what `render` makes of it for
    everyone in `audience`."""
    access.require_scope(principal, Scope.CALENDAR)
    wanted: set[uuid.UUID | None] | None = None
    if practitioner_ids is not None:
        wanted = {ids.parse_id(p) for p in practitioner_ids}
    return _offered(rt, principal, lambda event: wanted is None or event.practitioner_id in wanted, audience, render)


def my_appointment_events(rt: Runtime, principal: Principal, *, render: Render = as_is, audience: Hashable = as_is) -> AsyncIterator[Any]:
    """A signed-in client's own appointments."""
    client_id = access.require_client(principal)
    return _offered(rt, principal, lambda event: event.client_id == client_id, audience, render)
