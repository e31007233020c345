"""Live appointment events: who hears which event, each event read and
rendered once per process and audience, resuming after a cursor, and the
end of a stream when its credential stops being valid.

A cursor names a clinic and a position in its event log. Resuming after
one replays, from the log, the events the subscriber may see since then,
then goes live with no gap between the two; a cursor of another clinic, or
older than the log keeps, answers RESYNC_REQUIRED.

The hub calls `prepare_delivery` once per event with the local
subscribers of the clinic's channel. It reads the appointment once, keeps
the subscribers who asked for the event and may see the appointment, and
asks one of each audience (subscribers who would be shown the very same
thing) to render it. Each subscriber is then offered its audience's
rendering; the subscriber's own task only hands it on."""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models import Appointment
from realtime import events
from realtime.events import AppointmentEvent, EventKind, calendar_channel
from realtime.hub import Delivery, Offers, Overflow, Subscriber
from realtime.streams import CredentialEnded, offered
from resolvers.account import credentials
from resolvers.booking.slot_watch import SlotWatcher
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
    cursor: str = ""
    memo: dict[str, Any] = field(default_factory=dict)  # shared by the renderings of this event


def cursor_of(clinic_id: uuid.UUID, position: int) -> str:
    return base64.urlsafe_b64encode(f"{clinic_id}:{position}".encode()).decode().rstrip("=")


def _resync(message: str) -> DomainError:
    return DomainError(ErrorCode.RESYNC_REQUIRED, f"{message} Re-read the calendar and subscribe with the cursor it gives.")


async def resume_point(clinic_id: uuid.UUID, cursor: str) -> int:
    """The position after which a stream resumes; RESYNC_REQUIRED unless the
    cursor is this clinic's and the log still holds what came after it."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        clinic, position = text.split(":")
        owner, after = uuid.UUID(clinic), int(position)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _resync("This cursor is not one this API gave.") from None
    if owner != clinic_id or after < 0:
        raise _resync("This cursor is another clinic's.")
    head = await events.head(clinic_id)
    if after > head:
        raise _resync("This cursor is ahead of the clinic's events.")
    if after < head:
        oldest = await events.oldest_kept(clinic_id)
        if oldest is None or oldest > after + 1:
            raise _resync("The events after this cursor are no longer kept.")
    return after


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
    # Free-time watchers take the event itself: they read the free times, not the appointment.
    offers: list[tuple[Subscriber, Any]] = [
        (s, event) for s in subscribers if isinstance(s.listener, SlotWatcher) and s.listener.accept(event)
    ]
    wanted = [
        s for s in subscribers
        if isinstance(s.listener, Listener) and s.listener.principal.clinic_id == event.clinic_id and s.listener.accept(event)
    ]  # fmt: skip
    if not wanted or event.appointment_id is None:  # nobody here asked for it: nothing is read
        return offers
    try:
        row = await Appointment.get_or_none(id=event.appointment_id, clinic_id=event.clinic_id)
    except Exception:  # noqa: BLE001 - the subscribers are told, below
        log.warning("the appointment of a live event could not be read", exc_info=True)
        lost = LiveEventLost()
        return offers + [(s, lost) for s in wanted]
    if row is None:
        return offers
    audiences: dict[Hashable, list[Subscriber]] = {}
    for subscriber in wanted:
        if subscriber.listener.sees(row):
            audiences.setdefault(subscriber.listener.audience, []).append(subscriber)
    live_event = LiveEvent(event.kind, row, event.occurred_at, cursor_of(event.clinic_id, event.position))
    renderings = await asyncio.gather(
        *(members[0].listener.render(live_event) for members in audiences.values()), return_exceptions=True
    )
    for members, rendering in zip(audiences.values(), renderings):
        if isinstance(rendering, BaseException):
            log.error("a live event could not be rendered", exc_info=rendering)
            rendering = LiveEventLost()
        offers.extend((member, rendering) for member in members)
    return offers


async def _replayed(listener: Listener, clinic_id: uuid.UUID, after: int, through: int) -> AsyncIterator[Any]:
    """What `listener` may see of the log between the two positions, rendered
    as the live events are."""
    position = after
    while position < through:
        batch = await events.after(clinic_id, position, through=through, limit=200)
        if not batch:
            return
        position = batch[-1].position
        wanted = [e for e in batch if e.appointment_id is not None and listener.accept(e)]
        rows = {
            row.id: row
            for row in await Appointment.filter(clinic_id=clinic_id, id__in={e.appointment_id for e in wanted})
        }
        for event in wanted:
            row = rows.get(event.appointment_id)
            if row is None or not listener.sees(row):
                continue
            try:
                yield await listener.render(LiveEvent(event.kind, row, event.occurred_at, cursor_of(clinic_id, event.position)))
            except Exception:  # noqa: BLE001 - the stream ends; the client resumes or re-syncs
                log.error("a replayed event could not be rendered", exc_info=True)
                raise LiveEventLost() from None


async def _offered(
    rt: Runtime, principal: Principal, accept, audience: Hashable, render: Render, after: str | None
) -> AsyncIterator[Any]:
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
    clinic_id = principal.clinic_id
    resume = await resume_point(clinic_id, after) if after is not None else None
    listener = Listener(principal, accept, audience, render, access.seer(principal))

    def replay(since: int, through: int) -> AsyncIterator[Any]:
        return _replayed(listener, clinic_id, since, through)

    try:
        async for item in offered(
            rt.hub, calendar_channel(clinic_id), listener, still_allowed, recheck, after=resume, replay=replay
        ):
            if isinstance(item, LiveEventLost):
                raise item
            yield item
    except CredentialEnded:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "The session behind this subscription has ended.") from None
    except Overflow:
        raise DomainError(
            ErrorCode.RATE_LIMITED, "Too many live events went unread; resume from the last event's cursor."
        ) from None


def calendar_events(
    rt: Runtime,
    principal: Principal, practitioner_ids: list[str] | None, *, after: str | None = None,
    render: Render = as_is, audience: Hashable = as_is,
) -> AsyncIterator[Any]:
    """Staff and partner keys with the calendar scope. Yields each event's
    rendering: the LiveEvent itself, or what `render` makes of it for
    everyone in `audience`."""
    access.require_scope(principal, Scope.CALENDAR)
    wanted: set[uuid.UUID | None] | None = None
    if practitioner_ids is not None:
        wanted = {ids.parse_id(p) for p in practitioner_ids}
    return _offered(rt, principal, lambda event: wanted is None or event.practitioner_id in wanted, audience, render, after)


def my_appointment_events(
    rt: Runtime, principal: Principal, *, after: str | None = None, render: Render = as_is, audience: Hashable = as_is
) -> AsyncIterator[Any]:
    """A signed-in client's own appointments."""
    client_id = access.require_client(principal)
    return _offered(rt, principal, lambda event: event.client_id == client_id, audience, render, after)
