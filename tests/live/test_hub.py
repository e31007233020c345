"""The hub on its own: bounded queues, clean unsubscribes, each channel's
messages offered once and in order whatever the transport did."""

import asyncio
import json

import pytest
from redis.exceptions import RedisError

from realtime.hub import PREPARE_AT_ONCE, Hub, Overflow
from realtime.redis_backend import ResilientRedisBackend
from tests.support.channel_log import ListLog, text

A = "clinic:a:calendar"


async def _send(hub: Hub, log: ListLog, channel: str, *texts: str) -> None:
    await hub.publish([(channel, log.append(channel, t)) for t in texts])


def _hub(**kwargs) -> tuple[Hub, ListLog]:
    log = ListLog()
    return Hub(log, **kwargs), log


async def test_a_subscriber_that_stops_reading_overflows_instead_of_growing():
    hub, log = _hub(subscriber_queue=4)
    await hub.start()
    try:
        async with hub.subscribe(A) as slow, hub.subscribe(A) as fast:
            for n in range(10):
                await _send(hub, log, A, f"m{n}")
                assert text(await asyncio.wait_for(fast.next(), 1)) == f"m{n}"
            assert slow.overflowed
            with pytest.raises(Overflow):
                await asyncio.wait_for(slow.next(), 1)
            assert slow.pending == 0  # what it held was dropped
    finally:
        await hub.stop()


async def test_ten_thousand_subscribe_cycles_leave_no_queue_behind():
    hub, _ = _hub()
    await hub.start()
    try:
        for n in range(10_000):
            async with hub.subscribe(f"clinic:{n % 7}:calendar"):
                pass
        assert hub.subscriber_count == 0 and hub.channels == []
    finally:
        await hub.stop()


async def test_publishing_to_an_unreachable_redis_fails_for_the_relay_to_retry_and_the_hub_carries_on():
    hub = Hub(ListLog(), ResilientRedisBackend("redis://127.0.0.1:1/0"))
    await hub.start()
    try:
        with pytest.raises(RedisError):
            await hub.publish([(A, json.dumps({"position": 1}))])
        assert not hub.backend.connected.is_set()
        assert all(not task.done() for task in hub._tasks)
    finally:
        await hub.stop()


async def test_events_of_one_channel_do_not_reach_another():
    hub, log = _hub()
    await hub.start()
    try:
        async with hub.subscribe(A) as a, hub.subscribe("clinic:b:calendar") as b:
            await _send(hub, log, A, "for a")
            assert text(await asyncio.wait_for(a.next(), 1)) == "for a"
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(b.next(), 0.2)
    finally:
        await hub.stop()


async def test_a_subscriber_hears_what_comes_after_it_joined_and_knows_where_it_joined():
    hub, log = _hub()
    await hub.start()
    try:
        log.append(A, "before anyone listened")
        async with hub.subscribe(A) as first:
            assert first.start == 1
            await _send(hub, log, A, "second")
            async with hub.subscribe(A) as late:
                assert late.start == 2
                await _send(hub, log, A, "third")
                assert [text(await first.next()) for _ in range(2)] == ["second", "third"]
                assert (await late.next())[0] == 3
    finally:
        await hub.stop()


async def test_a_repeat_is_dropped_and_a_gap_is_read_from_the_log_before_anything_later():
    hub, log = _hub()
    await hub.start()
    try:
        async with hub.subscribe(A) as subscriber:
            one = log.append(A, "one")
            two = log.append(A, "two")  # its message is lost on the way
            three = log.append(A, "three")
            await hub.publish([(A, one), (A, one), (A, three), (A, two), (A, three)])
            got = [await asyncio.wait_for(subscriber.next(), 2) for _ in range(3)]
            assert [(position, text((position, d))) for position, d in got] == [(1, "one"), (2, "two"), (3, "three")]
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(subscriber.next(), 0.2)
    finally:
        await hub.stop()


async def test_a_silently_lost_message_is_found_by_the_periodic_check():
    hub, log = _hub(catch_up_seconds=0.05)
    await hub.start()
    try:
        async with hub.subscribe(A) as subscriber:
            log.append(A, "never published")
            assert text(await asyncio.wait_for(subscriber.next(), 2)) == "never published"
    finally:
        await hub.stop()


async def test_each_event_is_prepared_once_and_offered_as_prepared_in_arrival_order():
    prepared = []

    async def prepare(delivery, subscribers):
        message = json.loads(delivery.message)["text"]
        await asyncio.sleep(0.2 if message == "first" else 0)  # the first takes longest
        prepared.append(message)
        # what each subscriber is offered is up to `prepare`: "quiet" is left out
        return [(s, f"{message} for {s.listener}") for s in subscribers if s.listener != "quiet"]

    hub, log = _hub(prepare=prepare)
    await hub.start()
    try:
        async with hub.subscribe(A, "one") as one, hub.subscribe(A, "two") as two, \
                hub.subscribe(A, "quiet") as quiet:  # fmt: skip
            await _send(hub, log, A, "first", "second", "third")
            for subscriber, name in ((one, "one"), (two, "two")):
                got = [(await asyncio.wait_for(subscriber.next(), 2))[1] for _ in range(3)]
                assert got == [f"first for {name}", f"second for {name}", f"third for {name}"]
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(quiet.next(), 0.1)
            assert sorted(prepared) == ["first", "second", "third"]  # once each, not once per subscriber
        await _send(hub, log, A, "nobody listens")
        await asyncio.sleep(0.1)
        assert "nobody listens" not in prepared  # no subscriber here: nothing read for it
    finally:
        await hub.stop()


async def test_a_preparation_that_fails_costs_that_event_only():
    async def prepare(delivery, subscribers):
        message = json.loads(delivery.message)["text"]
        if message == "bad":
            raise RuntimeError("cannot prepare")
        return [(s, message) for s in subscribers]

    hub, log = _hub(prepare=prepare)
    await hub.start()
    try:
        async with hub.subscribe(A) as subscriber:
            await _send(hub, log, A, "before", "bad", "after")
            assert [(await asyncio.wait_for(subscriber.next(), 2))[1] for _ in range(2)] == ["before", "after"]
    finally:
        await hub.stop()


async def test_a_burst_of_events_is_prepared_a_few_at_a_time_and_all_arrive_in_order():
    running = peak = 0

    async def prepare(delivery, subscribers):
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1
        return [(s, json.loads(delivery.message)["text"]) for s in subscribers]

    hub, log = _hub(prepare=prepare)
    await hub.start()
    try:
        async with hub.subscribe(A) as subscriber:
            await _send(hub, log, A, *(str(n) for n in range(40)))
            got = [(await asyncio.wait_for(subscriber.next(), 5))[1] for _ in range(40)]
        assert got == [str(n) for n in range(40)]
        assert 1 <= peak <= PREPARE_AT_ONCE
    finally:
        await hub.stop()


async def test_an_alarm_comes_before_waiting_items_and_rings_once():
    hub, log = _hub()
    await hub.start()
    try:
        async with hub.subscribe(A) as subscriber:
            subscriber.set_alarm(0.05)
            waited = asyncio.get_running_loop().time()
            assert await asyncio.wait_for(subscriber.next(), 1) is None  # an idle subscriber is woken
            assert asyncio.get_running_loop().time() - waited >= 0.04
            subscriber.set_alarm(0.01)
            await _send(hub, log, A, "busy")
            await asyncio.sleep(0.05)  # the alarm rings while an item waits
            assert await subscriber.next() is None
            assert text(await subscriber.next()) == "busy"
            with pytest.raises(TimeoutError):  # rang once, and nothing else is waiting
                await asyncio.wait_for(subscriber.next(), 0.1)
            subscriber.set_alarm(60)
        assert subscriber._alarm is None  # leaving cancels the alarm: nothing keeps the subscriber alive
    finally:
        await hub.stop()


async def test_stopping_cancels_the_events_still_being_prepared():
    started, finished = [], []

    async def prepare(delivery, subscribers):
        started.append(delivery.message)
        await asyncio.sleep(10)  # a read that would outlive the database
        finished.append(delivery.message)
        return []

    hub, log = _hub(prepare=prepare)
    await hub.start()
    async with hub.subscribe(A):
        await _send(hub, log, A, *(str(n) for n in range(10)))
        await asyncio.sleep(0.1)
        assert len(started) == PREPARE_AT_ONCE
        await asyncio.wait_for(hub.stop(), 2)
    await asyncio.sleep(0)
    assert finished == [] and hub._preparing.empty()
    assert all(task.done() for task in asyncio.all_tasks() if task.get_coro().__qualname__.startswith("Hub._prepared"))
