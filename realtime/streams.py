"""Subscription streams: the events of one clinic's calendar channel that a
subscriber may see, for as long as its credential stays valid."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from realtime import hub
from realtime.events import AppointmentEvent


class CredentialEnded(Exception):
    """The credential behind the stream is no longer valid."""


async def appointment_events(
    clinic_id: uuid.UUID,
    accept: Callable[[AppointmentEvent], bool],
    still_allowed: Callable[[], Awaitable[bool]],
    recheck_seconds: float,
) -> AsyncIterator[tuple[AppointmentEvent, dict[str, Any]]]:
    """Yields (event, memo); the memo is shared by every local subscriber of
    that event. `still_allowed` is asked every `recheck_seconds`, busy or
    quiet, whatever the events are; a no raises CredentialEnded. Raises
    hub.Overflow when the subscriber falls behind."""
    current = hub.current()
    if current is None:
        raise RuntimeError("live updates are not running in this process")
    due = time.monotonic() + recheck_seconds
    async with current.subscribe(hub.calendar_channel(clinic_id)) as subscriber:
        while True:
            delivery = await subscriber.next(timeout=max(0.0, due - time.monotonic()))
            if time.monotonic() >= due:
                if not await still_allowed():
                    raise CredentialEnded()
                due = time.monotonic() + recheck_seconds
            if delivery is None:
                continue
            event = delivery.memo.get("event")
            if event is None:
                event = delivery.memo["event"] = AppointmentEvent.loads(delivery.message)
            if event.clinic_id == clinic_id and accept(event):
                yield event, delivery.memo
