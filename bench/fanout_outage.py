"""Redis goes away under live subscribers (part of bench/fanout.py).

Two `clinicportal serve` processes on a `redis-server` of the benchmark's
own (bench/redis_server.py), `sockets` subscribers of the clinic's calendar
over them. Redis is stopped; `bookings` bookings are made, evenly spread,
while it is away (they must stand: the change and its event commit
together); after `seconds` Redis starts again at the same address. Each
subscriber must then have heard every booking once and in the log's order:
what the hubs read from the log while Redis was away (every
LIVE_CATCH_UP_SECONDS) and after it came back (RESUBSCRIBED), with the
relay's late publications dropped as repeats. Measured: deliveries,
duplicates, order violations (an event heard after one that comes later in
the log), how many arrived while Redis was still away, and the time from
Redis answering again to the last subscriber's last event. Last, one more
booking shows the live path through Redis working again (its latency).

No baseline: the bare relay keeps no log, so what is published while Redis
is away is simply lost there."""

from __future__ import annotations

import asyncio
import gc
import tempfile
import time
from collections import defaultdict

import httpx

from bench.common import median, percentile
from bench.live_clients import (
    Demo, Inbox, Server, book, close_sockets, event_of, measure, open_sockets, paced, positions, start_server,
    stop_servers, wait_count,
)  # fmt: skip
from bench.redis_server import RedisServer, available

SETTLE_SECONDS = 15.0  # after Redis is back: how long to wait for the last event without any arriving


async def run(http: httpx.AsyncClient, env: dict[str, str], demo: Demo, db_url: str, *, sockets: int, bookings: int,
              seconds: float, concurrency: int) -> dict | None:  # fmt: skip
    if not available():
        print("  outage: not measured: redis-server is not installed (it needs a Redis of its own to stop)")
        return None
    with tempfile.TemporaryDirectory(prefix="bench-fanout-redis-") as folder:
        redis = RedisServer(folder)
        await asyncio.to_thread(redis.start)
        servers: list[Server] = []
        try:
            return await _measure(http, {**env, "REDIS_URL": redis.url}, redis, servers, demo, db_url,
                                  sockets, bookings, seconds, concurrency)  # fmt: skip
        finally:
            stop_servers(servers)
            await asyncio.to_thread(redis.stop)


async def _measure(http: httpx.AsyncClient, env: dict[str, str], redis: RedisServer, servers: list[Server], demo: Demo,
                   db_url: str, sockets: int, bookings: int, seconds: float, concurrency: int) -> dict:  # fmt: skip
    for _ in range(2):
        await start_server(["cli", "serve"], env, http, servers)
    urls = [s.url.replace("http", "ws") + "/graphql" for s in servers]
    inbox = Inbox()
    opened = await open_sockets(urls, sockets, demo.token, inbox, concurrency)
    counts = await wait_count(http, servers, sockets // len(servers))
    print(f"  outage: {sockets} subscribers on a Redis of its own ({redis.url}), per server {counts}; "
          f"Redis stopped for {seconds:.0f}s with {bookings} bookings meanwhile")  # fmt: skip

    took: list[float] = []

    async def one_booking(i: int) -> str | None:
        started = time.perf_counter()
        try:
            return await book(http, servers[i % len(servers)], demo)
        finally:
            took.append((time.perf_counter() - started) * 1000)

    gc.collect()
    gc.freeze()
    try:
        await asyncio.sleep(1.0)
        inbox.items = []
        await asyncio.to_thread(redis.stop)
        down = time.time()
        booking = asyncio.create_task(paced(bookings, one_booking, seconds / bookings))
        await asyncio.sleep(max(0.0, down + seconds - time.time()))
        await asyncio.to_thread(redis.start)
        up = time.time()
        ids = [i for i in await booking if i]
        expected, seen, last = len(ids) * sockets, -1, time.monotonic()
        while len(inbox.items) < expected and time.monotonic() - last < SETTLE_SECONDS:
            if len(inbox.items) != seen:
                seen, last = len(inbox.items), time.monotonic()
            await asyncio.sleep(0.05)
        result = tally(inbox, ids, await positions(db_url, demo.clinic_id, ids), sockets, down, up)
        result.update({"bookings": bookings, "booked": len(ids), "seconds": seconds, "booking_p50": median(took),
                       "booking_max": max(took, default=float("nan"))})  # fmt: skip
        after = await measure(lambda: paced(1, one_booking, 0.0), inbox, servers, sockets, True, up)
        result["after"] = after
        print(f"  {line(result)}")
        print(f"    bookings while Redis was away took {result['booking_p50']:.0f} ms (median), "
              f"{result['booking_max']:.0f} ms at most ({result['committed_after_up']} committed after Redis was back); "
              f"{result['before_up']} deliveries heard while it was away; commit -> receipt p50 "
              f"{result['p50']:.0f} ms, p99 {result['p99']:.0f} ms, max {result['max']:.0f} ms; "
              f"{result['other']} other messages; one booking after: {after['delivered']}/{after['expected']} "
              f"delivered, p99 {after['p99']:.1f} ms")  # fmt: skip
        return result
    finally:
        gc.unfreeze()
        await close_sockets(opened)


def tally(inbox: Inbox, ids: list[str], position: dict[str, int], sockets: int, down: float, up: float) -> dict:
    """Every subscriber's deliveries of the outage's bookings, in the order
    each received them, against the log's order."""
    wanted, heard = set(ids), defaultdict(list)
    latencies, other, before_up, final, late = [], 0, 0, up, set()
    for index, received, raw in inbox.items:
        found = event_of(raw, True)
        if found is None or found[0] not in wanted:
            other += 1
            continue
        heard[index].append(found[0])
        latencies.append((received - found[1]) * 1000)
        before_up += received < up
        if found[1] >= up:
            late.add(found[0])
        final = max(final, received)
    pairs = {(index, event) for index, events in heard.items() for event in events}
    delivered = sum(len(events) for events in heard.values())
    disorder = 0
    for events in heard.values():
        highest = 0
        for event in events:
            at = position.get(event, 0)
            disorder += at < highest
            highest = max(highest, at)
    return {"expected": len(ids) * sockets, "delivered": delivered, "missing": len(ids) * sockets - len(pairs),
            "duplicates": delivered - len(pairs), "disorder": disorder, "other": other, "before_up": before_up,
            "caught_up": final - up, "down_to_up": up - down, "committed_after_up": len(late), "p50": median(latencies),
            "p99": percentile(latencies, 99), "max": max(latencies, default=float("nan"))}  # fmt: skip


def line(result: dict) -> str:
    """The line the benchmark's test reads."""
    return (f"outage: {result['delivered']}/{result['expected']} delivered, {result['missing']} missing, "
            f"{result['duplicates']} duplicates, {result['disorder']} out of order; all caught up "
            f"{result['caught_up']:.2f}s after Redis came back ({result['down_to_up']:.1f}s away)")  # fmt: skip


def problems(result: dict | None) -> list[str]:
    if result is None:
        return []
    found = []
    if result["missing"] or result["duplicates"] or result["disorder"] or result["booked"] < result["bookings"]:
        found.append(f"{line(result)}; {result['booked']}/{result['bookings']} booked")
    after = result["after"]
    if after["missing"] or after["duplicates"]:
        found.append(f"after the outage: {after['delivered']}/{after['expected']} delivered, {after['missing']} missing")
    return found
