"""A broadcaster backend for Redis pub/sub that survives Redis restarts.

broadcaster's own Redis backend never reconnects, and with redis-py 8 it
listens before SUBSCRIBE has completed and delivers nothing. This one
pattern-subscribes once to every clinic channel (`clinic:*`), waits for the
subscription to be confirmed before reading, and when the connection drops it
reconnects with backoff by itself, logging how long live events were lost
and counting the reconnection (`clinicportal_redis_reconnects_total`)."""

from __future__ import annotations

import asyncio
import logging
import time

from broadcaster import BroadcastBackend, Event
from redis.asyncio import Redis
from redis.exceptions import RedisError

from telemetry import metrics

log = logging.getLogger(__name__)

PATTERN = "clinic:*"
MAX_BACKOFF_SECONDS = 5.0


class ResilientRedisBackend(BroadcastBackend):
    def __init__(self, url: str, *, max_buffered: int = 10_000) -> None:
        self._url = url
        self._received: asyncio.Queue[Event] = asyncio.Queue(maxsize=max_buffered)
        self._publisher: Redis | None = None
        self._listener: asyncio.Task | None = None
        self.connected = asyncio.Event()

    async def connect(self) -> None:
        self._publisher = Redis.from_url(self._url, socket_connect_timeout=2, socket_timeout=2)
        self._listener = asyncio.create_task(self._listen(), name="redis-listener")

    async def disconnect(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        if self._publisher is not None:
            await self._publisher.aclose()

    async def subscribe(self, channel: str) -> None:
        """Every clinic channel is already covered by the pattern."""

    async def unsubscribe(self, channel: str) -> None:
        """See subscribe."""

    async def publish(self, channel: str, message: str) -> None:
        await self._publisher.publish(channel, message)

    async def next_published(self) -> Event:
        return await self._received.get()

    async def _listen(self) -> None:
        backoff, down_since = 0.1, None
        while True:
            client = Redis.from_url(self._url, socket_connect_timeout=2, health_check_interval=10)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(PATTERN)
                self.connected.set()
                if down_since is not None:
                    metrics.REDIS_RECONNECTS.inc()
                    log.warning("redis pub/sub is back after %.1fs; live events in that gap were not delivered",
                                time.monotonic() - down_since)
                    down_since = None
                backoff = 0.1
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None and message["type"] == "pmessage":
                        self._deliver(message["channel"].decode(), message["data"].decode())
            except (RedisError, OSError) as exc:
                self.connected.clear()
                if down_since is None:
                    down_since = time.monotonic()
                    log.warning("redis pub/sub lost (%s); reconnecting", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            finally:
                await asyncio.gather(pubsub.aclose(), client.aclose(), return_exceptions=True)

    def _deliver(self, channel: str, data: str) -> None:
        try:
            self._received.put_nowait(Event(channel, data))
        except asyncio.QueueFull:
            metrics.LIVE_EVENTS_DROPPED.labels("redis").inc()
            log.error("live event dropped: the local hub is not keeping up")
