"""A broadcaster backend for Redis pub/sub that survives Redis restarts.

broadcaster's own Redis backend never reconnects, and with redis-py 8 it
listens before SUBSCRIBE has completed and delivers nothing. This one
subscribes to the channels of the clinics the process has subscribers of
(so adding processes adds capacity, not traffic: Redis sends a process only
what it listens to), waits for each subscription to be confirmed, and when
the connection drops it reconnects with backoff by itself, subscribes every
channel again and then hands the hub RESUBSCRIBED, so that the hub reads
what was published meanwhile from the event log. It logs how long the
connection was lost and counts the reconnection
(`clinicportal_redis_reconnects_total`)."""

from __future__ import annotations

import asyncio
import logging
import time

from broadcaster import BroadcastBackend, Event
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from telemetry import metrics

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 5.0
# What the backend puts among the received messages once it has subscribed
# every channel again after a lost connection: what was published meanwhile
# did not arrive (the hub reads it from the event log).
RESUBSCRIBED = ""
CONFIRM_SECONDS = 2.0  # how long `subscribe` waits for Redis to confirm


class ResilientRedisBackend(BroadcastBackend):
    def __init__(self, url: str, *, max_buffered: int = 10_000) -> None:
        self._url = url
        self._received: asyncio.Queue[Event] = asyncio.Queue(maxsize=max_buffered)
        self._publisher: Redis | None = None
        self._listener: asyncio.Task | None = None
        self._pubsub: PubSub | None = None
        self._channels: set[str] = set()
        self._confirmed: dict[str, asyncio.Future[None]] = {}
        self._has_channels = asyncio.Event()
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
        """Returns once Redis confirmed the subscription, or after a short
        wait while Redis is away (the channel is subscribed on reconnection,
        and the hub then reads what it missed from the log)."""
        self._channels.add(channel)
        confirmed = self._confirmed.setdefault(channel, asyncio.get_running_loop().create_future())
        self._has_channels.set()
        if self._pubsub is not None and self.connected.is_set():
            try:
                await self._pubsub.subscribe(channel)
            except (RedisError, OSError):
                return  # the listener reconnects and subscribes it
        try:
            await asyncio.wait_for(asyncio.shield(confirmed), CONFIRM_SECONDS)
        except TimeoutError:
            log.warning("redis did not confirm the subscription to %s in time", channel)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        self._confirmed.pop(channel, None)
        if self._pubsub is not None and self.connected.is_set():
            try:
                await self._pubsub.unsubscribe(channel)
            except (RedisError, OSError):
                pass  # a new connection subscribes only what is still wanted

    async def publish(self, channel: str, message: str) -> None:
        await self._publisher.publish(channel, message)

    async def publish_many(self, messages: list[tuple[str, str]]) -> None:
        """In order, in one round trip; raises unless Redis took them all."""
        async with self._publisher.pipeline(transaction=False) as pipe:
            for channel, message in messages:
                pipe.publish(channel, message)
            await pipe.execute()

    async def next_published(self) -> Event:
        return await self._received.get()

    async def _listen(self) -> None:
        backoff, down_since = 0.1, None
        while True:
            await self._has_channels.wait()  # a pub/sub connection with nothing to listen to cannot be read
            client = Redis.from_url(self._url, socket_connect_timeout=2, health_check_interval=10)
            pubsub = client.pubsub()
            try:
                wanted = set(self._channels)
                await pubsub.subscribe(*wanted)
                self._pubsub = pubsub
                if added := self._channels - wanted:  # asked for while this connection was made
                    await pubsub.subscribe(*added)
                self.connected.set()
                if down_since is not None:
                    metrics.REDIS_RECONNECTS.inc()
                    log.warning("redis pub/sub is back after %.1fs; missed live events are read from the log",
                                time.monotonic() - down_since)
                    down_since = None
                    self._put(Event(RESUBSCRIBED, ""))
                backoff = 0.1
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    kind = message["type"]
                    if kind == "message":
                        self._put(Event(message["channel"].decode(), message["data"].decode()))
                    elif kind == "subscribe":
                        waiting = self._confirmed.get(message["channel"].decode())
                        if waiting is not None and not waiting.done():
                            waiting.set_result(None)
            except (RedisError, OSError) as exc:
                self.connected.clear()
                self._pubsub = None
                if down_since is None:
                    down_since = time.monotonic()
                    log.warning("redis pub/sub lost (%s); reconnecting", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            finally:
                await asyncio.gather(pubsub.aclose(), client.aclose(), return_exceptions=True)

    def _put(self, event: Event) -> None:
        try:
            self._received.put_nowait(event)
        except asyncio.QueueFull:
            metrics.LIVE_EVENTS_DROPPED.labels("redis").inc()
            log.error("live event dropped: the local hub is not keeping up (it is read from the log later)")
