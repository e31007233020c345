"""The hub on its own: bounded queues, clean unsubscribes, publishing that
never waits."""

import asyncio

import pytest

from realtime.hub import PREPARE_AT_ONCE, Hub, Overflow
from realtime.redis_backend import ResilientRedisBackend


async def test_a_subscriber_that_stops_reading_overflows_instead_of_growing():
    hub = Hub(subscriber_queue=4)
    await hub.start()
    try:
        async with hub.subscribe("clinic:x:calendar") as slow, hub.subscribe("clinic:x:calendar") as fast:
            for n in range(10):
                hub.publish("clinic:x:calendar", f"m{n}")
                assert (await asyncio.wait_for(fast.next(), 1)).message == f"m{n}"
            assert slow.overflowed
            with pytest.raises(Overflow):
                await asyncio.wait_for(slow.next(), 1)
            assert slow.pending == 0  # what it held was dropped
    finally:
        await hub.stop()


async def test_ten_thousand_subscribe_cycles_leave_no_queue_behind():
    hub = Hub()
    await hub.start()
    try:
        for n in range(10_000):
            async with hub.subscribe(f"clinic:{n % 7}:calendar"):
                pass
        assert hub.subscriber_count == 0 and hub._subscribers == {}
    finally:
        await hub.stop()


async def test_publishing_only_queues_and_survives_an_unreachable_redis():
    hub = Hub(ResilientRedisBackend("redis://127.0.0.1:1/0"))
    await hub.start()
    try:
        for n in range(100):
            assert hub.publish("clinic:x:calendar", str(n)) is None  # nothing to await
        for _ in range(100):
            if hub._outgoing.empty():
                break
            await asyncio.sleep(0.05)
        assert hub._outgoing.empty()  # every send was tried, and failed, in the background
        assert not hub.backend.connected.is_set()
        assert all(not task.done() for task in hub._tasks)  # the hub carries on
    finally:
        await hub.stop()


async def test_events_of_one_channel_do_not_reach_another():
    hub = Hub()
    await hub.start()
    try:
        async with hub.subscribe("clinic:a:calendar") as a, hub.subscribe("clinic:b:calendar") as b:
            hub.publish("clinic:a:calendar", "for a")
            assert (await asyncio.wait_for(a.next(), 1)).message == "for a"
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(b.next(), 0.2)
    finally:
        await hub.stop()


async def test_each_event_is_prepared_once_and_offered_as_prepared_in_arrival_order():
    prepared = []

    async def prepare(delivery, subscribers):
        await asyncio.sleep(0.2 if delivery.message == "first" else 0)  # the first takes longest
        prepared.append(delivery.message)
        # what each subscriber is offered is up to `prepare`: "quiet" is left out
        return [(s, f"{delivery.message} for {s.listener}") for s in subscribers if s.listener != "quiet"]

    hub = Hub(prepare=prepare)
    await hub.start()
    try:
        async with hub.subscribe("clinic:a:calendar", "one") as one, hub.subscribe("clinic:a:calendar", "two") as two, \
                hub.subscribe("clinic:a:calendar", "quiet") as quiet:  # fmt: skip
            for message in ("first", "second", "third"):
                hub.publish("clinic:a:calendar", message)
            for subscriber, name in ((one, "one"), (two, "two")):
                got = [await asyncio.wait_for(subscriber.next(), 2) for _ in range(3)]
                assert got == [f"first for {name}", f"second for {name}", f"third for {name}"]
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(quiet.next(), 0.1)
            assert sorted(prepared) == ["first", "second", "third"]  # once each, not once per subscriber
        hub.publish("clinic:a:calendar", "nobody listens")
        await asyncio.sleep(0.1)
        assert "nobody listens" not in prepared  # no subscriber here: nothing read for it
    finally:
        await hub.stop()


async def test_a_preparation_that_fails_costs_that_event_only():
    async def prepare(delivery, subscribers):
        if delivery.message == "bad":
            raise RuntimeError("cannot prepare")
        return [(s, delivery.message) for s in subscribers]

    hub = Hub(prepare=prepare)
    await hub.start()
    try:
        async with hub.subscribe("clinic:a:calendar") as subscriber:
            for message in ("before", "bad", "after"):
                hub.publish("clinic:a:calendar", message)
            assert [await asyncio.wait_for(subscriber.next(), 2) for _ in range(2)] == ["before", "after"]
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
        return [(s, delivery.message) for s in subscribers]

    hub = Hub(prepare=prepare)
    await hub.start()
    try:
        async with hub.subscribe("clinic:a:calendar") as subscriber:
            for n in range(40):
                hub.publish("clinic:a:calendar", str(n))
            got = [await asyncio.wait_for(subscriber.next(), 5) for _ in range(40)]
        assert got == [str(n) for n in range(40)]
        assert 1 <= peak <= PREPARE_AT_ONCE
    finally:
        await hub.stop()


async def test_an_alarm_comes_before_waiting_items_and_rings_once():
    hub = Hub()
    await hub.start()
    try:
        async with hub.subscribe("clinic:a:calendar") as subscriber:
            subscriber.set_alarm(0.05)
            waited = asyncio.get_running_loop().time()
            assert await asyncio.wait_for(subscriber.next(), 1) is None  # an idle subscriber is woken
            assert asyncio.get_running_loop().time() - waited >= 0.04
            subscriber.set_alarm(0.01)
            hub.publish("clinic:a:calendar", "busy")
            await asyncio.sleep(0.05)  # the alarm rings while an item waits
            assert await subscriber.next() is None
            assert (await subscriber.next()).message == "busy"
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

    hub = Hub(prepare=prepare)
    await hub.start()
    async with hub.subscribe("clinic:a:calendar"):
        for n in range(10):
            hub.publish("clinic:a:calendar", str(n))
        await asyncio.sleep(0.1)
        assert len(started) == PREPARE_AT_ONCE
        await asyncio.wait_for(hub.stop(), 2)
    await asyncio.sleep(0)
    assert finished == [] and hub._preparing.empty()
    assert all(task.done() for task in asyncio.all_tasks() if task.get_coro().__qualname__.startswith("Hub._prepared"))
