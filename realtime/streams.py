"""Subscription streams: the events of one clinic's calendar channel that a
subscriber may see, for as long as its credential stays valid."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from realtime import hub
from realtime.events import AppointmentEvent


async def appointment_events(
    clinic_id: uuid.UUID,
    accept: Callable[[AppointmentEvent], bool],
    still_allowed: Callable[[], Awaitable[bool]],
    recheck_seconds: float,
) -> AsyncIterator[tuple[AppointmentEvent, dict[str, Any]]]:
    """Yields (event, memo); the memo is shared by every local subscriber of
    that event. `still_allowed` is asked whenever the stream has been quiet
    for `recheck_seconds`; a no ends the stream with PermissionError.
    Raises hub.Overflow when the subscriber falls behind."""
    current = hub.current()
    if current is None:
        raise RuntimeError("live updates are not running in this process")
    async with current.subscribe(hub.calendar_channel(clinic_id)) as subscriber:
        while True:
            delivery = await subscriber.next(timeout=recheck_seconds)
            if delivery is None:
                if not await still_allowed():
                    raise PermissionError("credential no longer valid")
                continue
            event = delivery.memo.get("event")
            if event is None:
                event = delivery.memo["event"] = AppointmentEvent.loads(delivery.message)
            if event.clinic_id == clinic_id and accept(event):
                yield event, delivery.memo
