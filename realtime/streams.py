"""One subscriber's stream: what the hub offers it on one channel, for as
long as its credential stays valid, after what it missed since its cursor."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from realtime.hub import Hub

# Given (after, through): what the subscriber missed between the two, from the log.
Replay = Callable[[int, int], AsyncIterator[Any]]


class CredentialEnded(Exception):
    """The credential behind the stream is no longer valid."""


async def offered(
    hub: Hub,
    channel: str,
    listener: Any,
    still_allowed: Callable[[], Awaitable[bool]],
    recheck_seconds: float,
    *,
    after: int | None = None,
    replay: Replay | None = None,
) -> AsyncIterator[Any]:
    """Yields what the hub's `prepare` offers this subscriber (`listener`
    tells it who the subscriber is). With `after` (a position in the
    channel's log), first what `replay` reads from the log between it and
    the moment the subscriber joined, then what the hub offers after that:
    no gap, and nothing twice. `still_allowed` is asked every
    `recheck_seconds`, busy or quiet, whatever the events are; a no raises
    CredentialEnded. Raises hub.Overflow when the subscriber falls behind."""
    async with hub.subscribe(channel, listener) as subscriber:
        seen = subscriber.start
        if after is not None and replay is not None:
            if after < subscriber.start:
                async for item in replay(after, subscriber.start):
                    yield item
            seen = max(seen, after)  # a cursor may be ahead of this process: what it covers is not repeated
        subscriber.set_alarm(recheck_seconds)
        while True:
            item = await subscriber.next()
            if item is None:  # the alarm: time to check
                if not await still_allowed():
                    raise CredentialEnded()
                subscriber.set_alarm(recheck_seconds)
                continue
            position, offer = item
            if position > seen:
                yield offer
