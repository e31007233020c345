"""One subscriber's stream: what the hub offers it on one channel, for as
long as its credential stays valid."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from realtime.hub import Hub


class CredentialEnded(Exception):
    """The credential behind the stream is no longer valid."""


async def offered(
    hub: Hub,
    channel: str,
    listener: Any,
    still_allowed: Callable[[], Awaitable[bool]],
    recheck_seconds: float,
) -> AsyncIterator[Any]:
    """Yields what the hub's `prepare` offers this subscriber (`listener`
    tells it who the subscriber is). `still_allowed` is asked every
    `recheck_seconds`, busy or quiet, whatever the events are; a no raises
    CredentialEnded. Raises hub.Overflow when the subscriber falls behind."""
    async with hub.subscribe(channel, listener) as subscriber:
        subscriber.set_alarm(recheck_seconds)
        while True:
            item = await subscriber.next()
            if item is None:  # the alarm: time to check
                if not await still_allowed():
                    raise CredentialEnded()
                subscriber.set_alarm(recheck_seconds)
            else:
                yield item
