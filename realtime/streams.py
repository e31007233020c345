"""Subscription streams: the events of one clinic's calendar channel that a
subscriber may see."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

from realtime import hub
from realtime.events import AppointmentEvent


async def appointment_events(
    clinic_id: uuid.UUID, accept: Callable[[AppointmentEvent], bool]
) -> AsyncIterator[AppointmentEvent]:
    broadcast = hub.current()
    if broadcast is None:
        raise RuntimeError("live updates are not running in this process")
    async with broadcast.subscribe(hub.calendar_channel(clinic_id)) as subscriber:
        async for message in subscriber:
            event = AppointmentEvent.loads(message.message)
            if event.clinic_id == clinic_id and accept(event):
                yield event
