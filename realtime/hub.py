"""The process's hub for live events.

Events come from the clinic's log (models/events.py): the relay
(realtime/relay.py) hands committed events to `publish`, which sends them
through Redis to every process (or, in one process, straight to the local
subscribers). A process listens only on the channels of clinics it has
subscribers of.

Each channel is sequenced: the hub knows the last position it offered
(`through`) and offers only the next one. A repeat (a relay that published
twice) is dropped; a gap (a message lost while Redis was away, or relayed
out of turn) is filled from the log before anything later is offered. So is
every channel after the Redis connection comes back, and every channel
whose log head has moved past it (checked every few seconds), so a
subscriber hears every event once, in order, whatever Redis did.

Each subscriber has a bounded queue; one that stops reading overflows and
its stream ends (it resumes from its last cursor), so a stalled client
cannot grow server memory. Channel names always carry the clinic."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from broadcaster import BroadcastBackend

from realtime.redis_backend import RESUBSCRIBED, ResilientRedisBackend
from telemetry import metrics

log = logging.getLogger(__name__)

SUBSCRIBER_QUEUE = 256
PUBLISH_QUEUE = 10_000
PREPARE_AT_ONCE = 4  # events whose appointment is read at the same time


@dataclass
class Delivery:
    """One message as received, before it is offered to the local
    subscribers of its channel; `received_at` (time.monotonic) is when it
    reached this hub, from Redis or from a local publish."""

    message: str
    received_at: float = 0.0
    position: int = 0


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

    __slots__ = ("_alarm", "_items", "_rang", "_size", "_waiter", "listener", "overflowed", "start")

    def __init__(self, size: int, listener: Any = None) -> None:
        self.listener = listener
        self.start = 0  # the channel's position when it joined: it is offered what comes after
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

    def overflow(self) -> None:
        """Ends the stream: it missed something it cannot be given."""
        self.overflowed = True
        self._items = None
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
        """The next item as (position, item), or None when the alarm has rung."""
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

class Log(Protocol):
    """Where a channel's messages are kept, in position order."""

    def position(self, message: str) -> int: ...

    async def heads(self, channels: list[str]) -> dict[str, int]: ...

    async def after(self, channel: str, position: int) -> list[str]:
        """The next messages after `position`, in order (a bounded batch)."""


class _Channel:
    __slots__ = ("backlog", "filling", "joining", "ready", "subscribers", "through")

    def __init__(self) -> None:
        self.subscribers: set[Subscriber] = set()
        self.joining = 0
        self.through = 0  # the last position offered here
        self.ready = asyncio.Event()  # listened to, and `through` read from the log
        self.filling = False
        self.backlog: list[Delivery] = []  # arrived while not ready or filling


class Hub:
    """Without `prepare`, every local subscriber of a channel is offered
    each message as it is (a Delivery). With it, `prepare` runs once per
    received message that has local subscribers and decides what each of
    them is offered: the work all of them need (reading the appointment,
    rendering it) is done once, in one place, instead of once per
    subscriber. Messages are prepared a few at a time and still offered in
    the order they arrived."""

    def __init__(
        self, log: Log, backend: BroadcastBackend | None = None, subscriber_queue: int = SUBSCRIBER_QUEUE,
        prepare: Prepare | None = None, catch_up_seconds: float = 2.0,
    ) -> None:  # fmt: skip
        self.log = log
        self.backend = backend
        self.prepare = prepare
        self.catch_up_seconds = catch_up_seconds
        self._preparing: asyncio.Queue[asyncio.Future[tuple[Delivery, Offers]]] = asyncio.Queue(maxsize=PUBLISH_QUEUE)
        # A burst of events (a Redis backlog, a bulk change) reads a few
        # appointments at a time, leaving the database pool to bookings.
        self._prepare_slots = asyncio.Semaphore(PREPARE_AT_ONCE)
        self._subscriber_queue = subscriber_queue
        self._channels: dict[str, _Channel] = {}
        self._tasks: list[asyncio.Task] = []
        self._helpers: set[asyncio.Task] = set()  # opening, filling and closing channels
        self._context = contextvars.copy_context()

    @property
    def subscriber_count(self) -> int:
        return sum(len(c.subscribers) for c in self._channels.values())

    @property
    def channels(self) -> list[str]:
        return list(self._channels)

    async def start(self) -> None:
        # Work the hub starts for a message runs in the hub's own context,
        # never in a publisher's (a relay publishes inside its transaction).
        self._context = contextvars.copy_context()
        if self.backend is not None:
            await self.backend.connect()
            self._tasks.append(asyncio.create_task(self._receive(), name="hub-receive"))
        if self.prepare is not None:
            self._tasks.append(asyncio.create_task(self._offer_prepared(), name="hub-offer"))
        self._tasks.append(asyncio.create_task(self._watch(), name="hub-catch-up"))

    async def stop(self) -> None:
        # Events still being prepared go too: they would read a closed
        # database. (The one being offered is cancelled with its task.)
        pending = [self._preparing.get_nowait() for _ in range(self._preparing.qsize())]
        for task in [*pending, *self._tasks, *self._helpers]:
            task.cancel()
        await asyncio.gather(*pending, *self._tasks, *self._helpers, return_exceptions=True)
        if self.backend is not None:
            await self.backend.disconnect()

    async def publish(self, messages: list[tuple[str, str]]) -> None:
        """Sends (channel, message) pairs to every process, in order; raises
        if they could not all be handed to Redis (the relay tries again)."""
        if self.backend is None:
            now = time.monotonic()
            for channel, message in messages:
                self._arrived(channel, message, now)
            return
        await self.backend.publish_many(messages)

    @asynccontextmanager
    async def subscribe(self, channel: str, listener: Any = None) -> AsyncIterator[Subscriber]:
        """Waits until the channel is listened to; the subscriber's `start`
        is the position it joined at."""
        subscriber = Subscriber(self._subscriber_queue, listener)
        state = self._channels.get(channel)
        if state is None:
            state = self._channels[channel] = _Channel()
            self._spawn(self._open(channel, state))
        state.joining += 1
        try:
            await state.ready.wait()
        finally:
            state.joining -= 1
        subscriber.start = state.through
        state.subscribers.add(subscriber)
        metrics.LIVE_SUBSCRIBERS.inc()
        try:
            yield subscriber
        finally:
            metrics.LIVE_SUBSCRIBERS.dec()
            subscriber.cancel_alarm()
            state.subscribers.discard(subscriber)
            if not state.subscribers and not state.joining and self._channels.get(channel) is state:
                del self._channels[channel]
                if self.backend is not None:
                    self._spawn(self.backend.unsubscribe(channel))

    def _task(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task:
        return asyncio.get_running_loop().create_task(work, context=self._context)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = self._task(work)
        self._helpers.add(task)
        task.add_done_callback(self._helpers.discard)

    async def _open(self, channel: str, state: _Channel) -> None:
        """Listens to the channel, then reads where its log stands: whatever
        is published after the read is offered; nothing before it is."""
        delay = 0.1
        while self._channels.get(channel) is state:
            try:
                if self.backend is not None:
                    await self.backend.subscribe(channel)
                state.through = (await self.log.heads([channel]))[channel]
                break
            except Exception:  # noqa: BLE001 - the subscribers wait; this tries again
                log.warning("live channel %s could not be opened; retrying", channel, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        state.ready.set()
        self._release(channel, state)

    def _arrived(self, channel: str, message: str, received_at: float) -> None:
        state = self._channels.get(channel)
        if state is None:
            return
        delivery = Delivery(message, received_at, self.log.position(message))
        if not state.ready.is_set() or state.filling:
            state.backlog.append(delivery)
            return
        self._sequence(channel, state, delivery)

    def _sequence(self, channel: str, state: _Channel, delivery: Delivery) -> None:
        if delivery.position <= state.through:
            return  # offered already (published twice, or read from the log first)
        if delivery.position == state.through + 1:
            state.through = delivery.position
            self._offer(channel, state, delivery)
            return
        state.backlog.append(delivery)  # something before it was missed: read it first
        self._fill(channel, state)

    def _fill(self, channel: str, state: _Channel) -> None:
        if not state.filling and state.ready.is_set():
            state.filling = True
            self._spawn(self._filled(channel, state))

    async def _filled(self, channel: str, state: _Channel) -> None:
        delay = 0.1
        try:
            while self._channels.get(channel) is state:
                try:
                    missed = await self.log.after(channel, state.through)
                except Exception:  # noqa: BLE001 - nothing is offered past the gap until it is read
                    log.warning("missed live events of %s could not be read; retrying", channel, exc_info=True)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
                now = time.monotonic()
                for message in missed:
                    delivery = Delivery(message, now, self.log.position(message))
                    if delivery.position == state.through + 1:
                        state.through = delivery.position
                        self._offer(channel, state, delivery)
                if not missed:
                    break
                metrics.LIVE_EVENTS_RECOVERED.inc(len(missed))
        finally:
            state.filling = False
        self._release(channel, state)

    def _release(self, channel: str, state: _Channel) -> None:
        """Sequences what arrived while the channel was opening or filling."""
        backlog, state.backlog = sorted(state.backlog, key=lambda d: d.position), []
        for delivery in backlog:
            if state.filling:
                state.backlog.append(delivery)
            else:
                self._sequence(channel, state, delivery)

    def _offer(self, channel: str, state: _Channel, delivery: Delivery) -> None:
        subscribers = [s for s in state.subscribers if s.start < delivery.position]
        if not subscribers:
            return
        if self.prepare is None:
            for subscriber in subscribers:
                subscriber.offer((delivery.position, delivery))
            metrics.LIVE_DELIVERY_LAG.observe(time.monotonic() - delivery.received_at)
            return
        if self._preparing.full():
            metrics.LIVE_EVENTS_DROPPED.labels("prepare").inc()
            log.error("live event dropped on %s: the local hub is not keeping up", channel)
            for subscriber in subscribers:  # their streams end; they resume from their cursors
                subscriber.overflow()
            return
        # The subscribers as of the message's arrival: one who joins while it
        # is prepared starts after it (its `start` is already past it).
        self._preparing.put_nowait(self._task(self._prepared(delivery, subscribers)))

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
                subscriber.offer((delivery.position, item))
            metrics.LIVE_DELIVERY_LAG.observe(time.monotonic() - delivery.received_at)

    async def _receive(self) -> None:
        while True:
            event = await self.backend.next_published()
            if event.channel == RESUBSCRIBED:
                for channel, state in list(self._channels.items()):
                    self._fill(channel, state)
                continue
            try:
                self._arrived(event.channel, event.message, time.monotonic())
            except (ValueError, KeyError):
                log.error("a malformed live message on %s was ignored", event.channel)

    async def _watch(self) -> None:
        """Now and then, the log heads of the channels listened to: a channel
        behind its head missed a message and reads it from the log."""
        while True:
            await asyncio.sleep(self.catch_up_seconds)
            ready = [c for c, state in self._channels.items() if state.ready.is_set() and not state.filling]
            if not ready:
                continue
            try:
                heads = await self.log.heads(ready)
            except Exception:  # noqa: BLE001 - checked again next time
                log.warning("live channels could not be checked against the log", exc_info=True)
                continue
            for channel, position in heads.items():
                state = self._channels.get(channel)
                if state is not None and position > state.through:
                    self._fill(channel, state)


def build(redis_url: str | None, log: Log, prepare: Prepare | None = None, catch_up_seconds: float = 2.0) -> Hub:
    """The process's hub: across processes through Redis when `redis_url`
    is set, within this process otherwise. Its owner starts and stops it."""
    return Hub(log, ResilientRedisBackend(redis_url) if redis_url else None, prepare=prepare, catch_up_seconds=catch_up_seconds)
