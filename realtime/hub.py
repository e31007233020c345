"""The process's hub for live events.

Publishing only queues the message: a booking never waits for Redis, and a
lost connection costs live events, never a booking. A background task hands
messages to the backend (Redis, when configured) or, in one process,
straight to local subscribers. Each subscriber has a bounded queue; one that
stops reading overflows and its stream ends (it re-syncs with the `calendar`
query), so a stalled client cannot grow server memory. Channel names always
carry the clinic."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from broadcaster import BroadcastBackend

from telemetry import metrics

log = logging.getLogger(__name__)

SUBSCRIBER_QUEUE = 256
PUBLISH_QUEUE = 10_000
PREPARE_AT_ONCE = 4  # events whose appointment is read at the same time


def calendar_channel(clinic_id: uuid.UUID | str) -> str:
    return f"clinic:{clinic_id}:calendar"


@dataclass
class Delivery:
    """One message as received, before it is offered to the local
    subscribers of its channel; `received_at` (time.monotonic) is when it
    reached this hub, from Redis or from a local publish."""

    message: str
    received_at: float = 0.0


class Overflow(Exception):
    """The subscriber fell too far behind."""


class Subscriber:
    """A bounded queue for one subscriber, as small as an idle one can be:
    a thousand calendars sit open all day, waiting. Nothing is allocated
    until an item arrives or the subscriber waits for one. `listener` is
    what the hub's `prepare` needs to know of the subscriber (what it wants,
    who it is); the hub itself never looks at it. An alarm (`set_alarm`)
    makes `next` return None once, before any item, so that a stream can
    check something now and then however busy it is, without a timer per
    wait."""

    __slots__ = ("_alarm", "_items", "_rang", "_size", "_waiter", "listener", "overflowed")

    def __init__(self, size: int, listener: Any = None) -> None:
        self.listener = listener
        self._items: deque[Any] | None = None
        self._size = size
        self._waiter: asyncio.Future | None = None
        self._alarm: asyncio.TimerHandle | None = None
        self._rang = False
        self.overflowed = False

    @property
    def pending(self) -> int:
        return len(self._items) if self._items else 0

    def offer(self, item: Any) -> None:
        if self.overflowed:
            return
        if self._items is None:
            self._items = deque()
        if len(self._items) >= self._size:
            self.overflowed = True
            self._items = None  # what it held is dropped
        else:
            self._items.append(item)
        self._wake()

    def set_alarm(self, delay: float) -> None:
        self.cancel_alarm()
        self._alarm = asyncio.get_running_loop().call_later(delay, self._ring)

    def cancel_alarm(self) -> None:
        if self._alarm is not None:
            self._alarm.cancel()
            self._alarm = None

    def _ring(self) -> None:
        self._alarm = None
        self._rang = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next(self) -> Any:
        """The next item, or None when the alarm has rung."""
        if not self._items and not self.overflowed and not self._rang:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self.overflowed:
            raise Overflow()
        if self._rang:
            self._rang = False
            return None
        item = self._items.popleft()
        if not self._items:
            self._items = None
        return item


Offers = Iterable[tuple[Subscriber, Any]]
# Given a message and the channel's local subscribers, what to offer to whom.
Prepare = Callable[[Delivery, list[Subscriber]], Awaitable[Offers]]


class Hub:
    """Without `prepare`, every local subscriber of a channel is offered
    each message as it is (a Delivery). With it, `prepare` runs once per
    received message that has local subscribers and decides what each of
    them is offered: the work all of them need (reading the appointment,
    rendering it) is done once, in one place, instead of once per
    subscriber. Messages are prepared a few at a time and still offered in
    the order they arrived."""

    def __init__(
        self, backend: BroadcastBackend | None = None, subscriber_queue: int = SUBSCRIBER_QUEUE,
        prepare: Prepare | None = None,
    ) -> None:  # fmt: skip
        self.backend = backend
        self.prepare = prepare
        self._preparing: asyncio.Queue[asyncio.Future[tuple[Delivery, Offers]]] = asyncio.Queue(maxsize=PUBLISH_QUEUE)
        # A burst of events (a Redis backlog, a bulk change) reads a few
        # appointments at a time, leaving the database pool to bookings.
        self._prepare_slots = asyncio.Semaphore(PREPARE_AT_ONCE)
        self._subscriber_queue = subscriber_queue
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._outgoing: asyncio.Queue[tuple[str, str, float]] = asyncio.Queue(maxsize=PUBLISH_QUEUE)
        self._tasks: list[asyncio.Task] = []

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    async def start(self) -> None:
        if self.backend is not None:
            await self.backend.connect()
            self._tasks.append(asyncio.create_task(self._receive(), name="hub-receive"))
        self._tasks.append(asyncio.create_task(self._send(), name="hub-send"))
        if self.prepare is not None:
            self._tasks.append(asyncio.create_task(self._offer_prepared(), name="hub-offer"))

    async def stop(self) -> None:
        # Events still being prepared go too: they would read a closed
        # database. (The one being offered is cancelled with its task.)
        pending = [self._preparing.get_nowait() for _ in range(self._preparing.qsize())]
        for task in [*pending, *self._tasks]:
            task.cancel()
        await asyncio.gather(*pending, *self._tasks, return_exceptions=True)
        if self.backend is not None:
            await self.backend.disconnect()

    def publish(self, channel: str, message: str) -> None:
        try:
            self._outgoing.put_nowait((channel, message, time.monotonic()))
        except asyncio.QueueFull:
            metrics.LIVE_EVENTS_DROPPED.labels("publish").inc()
            log.error("live event dropped on %s: the publish queue is full", channel)

    @asynccontextmanager
    async def subscribe(self, channel: str, listener: Any = None) -> AsyncIterator[Subscriber]:
        subscriber = Subscriber(self._subscriber_queue, listener)
        self._subscribers.setdefault(channel, set()).add(subscriber)
        metrics.LIVE_SUBSCRIBERS.inc()
        try:
            yield subscriber
        finally:
            metrics.LIVE_SUBSCRIBERS.dec()
            subscriber.cancel_alarm()
            subscribers = self._subscribers.get(channel, set())
            subscribers.discard(subscriber)
            if not subscribers:
                self._subscribers.pop(channel, None)

    def _deliver(self, channel: str, message: str, received_at: float) -> None:
        subscribers = self._subscribers.get(channel)
        if not subscribers:
            return
        delivery = Delivery(message, received_at)
        if self.prepare is None:
            for subscriber in subscribers:
                subscriber.offer(delivery)
            metrics.LIVE_DELIVERY_LAG.observe(time.monotonic() - received_at)
            return
        if self._preparing.full():
            metrics.LIVE_EVENTS_DROPPED.labels("prepare").inc()
            log.error("live event dropped on %s: the local hub is not keeping up", channel)
            return
        # The subscribers as of the message's arrival: one who joins while it
        # is prepared starts with the next message.
        self._preparing.put_nowait(asyncio.ensure_future(self._prepared(delivery, list(subscribers))))

    async def _prepared(self, delivery: Delivery, subscribers: list[Subscriber]) -> tuple[Delivery, Offers]:
        async with self._prepare_slots:
            return delivery, await self.prepare(delivery, subscribers)

    async def _offer_prepared(self) -> None:
        while True:
            ready = await self._preparing.get()
            try:
                delivery, offers = await ready
            except Exception:  # noqa: BLE001 - `prepare` reports its own failures to the subscribers
                log.exception("live event could not be prepared")
                continue
            for subscriber, item in offers:
                subscriber.offer(item)
            metrics.LIVE_DELIVERY_LAG.observe(time.monotonic() - delivery.received_at)

    async def _send(self) -> None:
        while True:
            channel, message, published_at = await self._outgoing.get()
            if self.backend is None:
                self._deliver(channel, message, published_at)
                continue
            try:
                await self.backend.publish(channel, message)
            except Exception as exc:  # noqa: BLE001 - any transport failure loses this live event only
                log.warning("live event on %s not published (%s); subscribers re-sync with the calendar query", channel, exc)

    async def _receive(self) -> None:
        while True:
            event = await self.backend.next_published()
            self._deliver(event.channel, event.message, time.monotonic())


def build(redis_url: str | None, prepare: Prepare | None = None) -> Hub:
    """The process's hub: across processes through Redis when `redis_url`
    is set, within this process otherwise. Its owner starts and stops it."""
    from realtime.redis_backend import ResilientRedisBackend

    return Hub(ResilientRedisBackend(redis_url) if redis_url else None, prepare=prepare)
