"""Live calendar fan-out over Redis: 1,000 websocket subscribers of one
clinic, 500 on each of two `clinicportal serve` processes sharing Redis,
against a baseline measured in the same run: two uvicorn processes serving a
bare Starlette endpoint that relays the same Redis messages as-is
(bench/fanout_baseline.py).

For each side: memory per idle subscribed socket (growth of each server's
RSS over 500 sockets, after a warm-up), then two phases of 100 events each:
  paced - one booking (baseline: one publish) every `Size.pace` seconds;
  burst - 100 bookings through 4 concurrent callers (baseline: 100 publishes
          at once), so the servers' fan-out is the limit.
Each phase reports deliveries, deliveries per second from the first commit
to the last receipt, and latency from the event's `occurredAt` (stamped
just after the booking commits) to the receipt by the client (same clock).
Then 10,000 connect/subscribe/disconnect cycles (50 at a time) against a
fresh app server; `GET /health` must then report 0 live subscribers.
After the baseline, two more on fresh app servers: 10,000 idle subscribed
sockets beside the 1,000 (bench/fanout_idle.py), and Redis stopped for 10 s
while 100 bookings are made (bench/fanout_outage.py, on a redis-server of
its own). Everything runs on 127.0.0.1; nothing is asserted."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import httpx
from redis.asyncio import Redis

from bench import fanout_idle, fanout_outage
from bench.common import _admin_dsn, database_url, table, verdict
from bench.live_clients import (
    SERVER_ENV, Inbox, Server, book, burst, close_sockets, idle_memory, measure, open_socket, open_sockets, paced,
    prepare, raise_fd_limit, redis_run_id, run_cli, start_server, stop_servers, wait_count, live_count,
)  # fmt: skip
from realtime.events import BOOKED, AppointmentEvent, calendar_channel

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
TARGET_P99_MS, TARGET_RATE_RATIO, TARGET_KB = 100.0, 0.40, 50.0
TARGET_CROWD_P99_MS = 250.0


@dataclass(frozen=True)
class Size:
    sockets: int = 1000  # subscribers, spread over the two servers
    bookings: int = 100  # events per phase
    pace: float = 0.5  # seconds between paced events
    burst_callers: int = 4
    connect_concurrency: int = 50
    leak_cycles: int = 10_000
    leak_concurrency: int = 50
    leak_warmup: int = 500
    outage_bookings: int = 100  # made while Redis is away
    outage_seconds: float = 10.0
    crowd: int = 10_000  # idle subscribed sockets, beside `sockets` active ones


# The smallest run that still delivers every event to every socket and
# checks for leaks (tests/project/test_benchmarks.py, `python -m bench --tiny`).
TINY = {"sockets": 4, "bookings": 3, "pace": 0.1, "burst_callers": 2, "connect_concurrency": 4,
        "leak_cycles": 12, "leak_concurrency": 4, "leak_warmup": 4, "outage_bookings": 10, "outage_seconds": 3.0,
        "crowd": 40}  # fmt: skip


def redis_url() -> str:
    """BENCH_REDIS_URL, read when the benchmark starts."""
    return os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL



async def side(label: str, servers: list[Server], http: httpx.AsyncClient, urls: list[str], token: str | None,
               fire_paced, fire_burst, size: Size) -> dict:  # fmt: skip
    """Warm up, measure idle memory, run both phases, close: one side's figures."""
    app, inbox, per_server = token is not None, Inbox(), size.sockets // len(servers)
    warm = await open_sockets(urls, 2 * len(servers), token, inbox, size.connect_concurrency, start=size.sockets)
    await wait_count(http, servers, 2)
    await fire_paced(2)
    await asyncio.sleep(1.0)
    await close_sockets(warm)
    await wait_count(http, servers, 0)
    await asyncio.sleep(1.0)
    rss_before = [s.rss_kib() for s in servers]
    started = time.perf_counter()
    sockets = await open_sockets(urls, size.sockets, token, inbox, size.connect_concurrency)
    counts = await wait_count(http, servers, per_server)
    connect_seconds, subscribed_at = time.perf_counter() - started, time.time()
    gc.collect()
    gc.freeze()  # the client's own collections would stall all 1,000 readers alike
    await asyncio.sleep(1.0)
    rss_after = [s.rss_kib() for s in servers]
    kb = idle_memory(rss_before, rss_after, per_server)
    print(f"  {label}: {size.sockets} sockets subscribed in {connect_seconds:.1f}s (per server {counts}); RSS KiB "
          f"{rss_before} -> {rss_after}: {kb:.1f} KB per idle socket")  # fmt: skip
    try:
        results = {"kb": kb, "rss_before": rss_before, "rss_after": rss_after}
        for phase, fire in (("paced", lambda: fire_paced(size.bookings)), ("burst", lambda: fire_burst(size.bookings))):
            r = results[phase] = await measure(fire, inbox, servers, size.sockets, app, subscribed_at)
            r["rss_after"] = [s.rss_kib() for s in servers]
            print(f"  {label} {phase}: {r['delivered']}/{r['expected']} delivered ({r['missing']} missing, "
                  f"{r['duplicates']} duplicate, {r['other']} other messages) in {r['window']:.2f}s: {r['rate']:.0f}/s; "
                  f"latency p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms; server CPU "
                  f"{r['server_cpu']:.2f}s ({r['server_cpu'] / max(r['delivered'], 1) * 1e6:.0f} us/delivery), "
                  f"client CPU {r['client_cpu']:.2f}s; RSS KiB after {r['rss_after']}")  # fmt: skip
            print("    slowest events (s after subscribing: last delivery ms): "
                  + ", ".join(f"+{at:.1f}s: {ms:.0f}" for at, ms in r["slowest"]))  # fmt: skip
        return results
    finally:
        gc.unfreeze()
        await close_sockets(sockets)
        with contextlib.suppress(httpx.HTTPError):  # the servers may be gone already (Ctrl-C)
            print(f"  {label}: after closing, live per server {await wait_count(http, servers, 0)}")


async def leak_cycles(http: httpx.AsyncClient, server: Server, token: str, size: Size) -> dict:
    """Connect, init, subscribe, ping/pong, then leave: half at once, half
    after 50 ms; by close, by `complete` then close, or by dropping TCP."""
    url, gate, failures, peak = server.url.replace("http", "ws") + "/graphql", asyncio.Semaphore(size.leak_concurrency), [], 0

    async def cycle(i: int) -> None:
        async with gate:
            try:
                ws = await open_socket(url, token)
                await ws.send(json.dumps({"type": "ping"}))
                while json.loads(await asyncio.wait_for(ws.recv(), 30)).get("type") != "pong":
                    pass
                if i % 2 == 0:
                    await asyncio.sleep(0.05)
                if i % 3 == 1:
                    await ws.send(json.dumps({"id": "1", "type": "complete"}))
                if i % 3 == 2:
                    ws.transport.abort()
                else:
                    await ws.close()
            except Exception as exc:  # noqa: BLE001 - counted and shown
                failures.append(exc)

    async def watch() -> None:
        nonlocal peak
        while True:
            peak = max(peak, await live_count(http, server))
            await asyncio.sleep(0.5)

    await asyncio.gather(*(cycle(i) for i in range(size.leak_warmup)))  # the server's caches fill up first
    await asyncio.sleep(1.0)
    rss, watcher = [server.rss_kib()], asyncio.create_task(watch())
    started = time.perf_counter()
    cycles = size.leak_cycles
    for half in (range(cycles // 2), range(cycles // 2, cycles)):
        await asyncio.gather(*(cycle(i) for i in half))
        rss.append(server.rss_kib())
    seconds = time.perf_counter() - started
    watcher.cancel()
    await asyncio.sleep(1.0)
    live_at_1s = await live_count(http, server)
    live_later = (await wait_count(http, [server], 0, limit=10.0))[0]
    rss.append(server.rss_kib())
    print(f"  {cycles} cycles in {seconds:.1f}s ({cycles / seconds:.0f}/s), {len(failures)} failed"
          + (f" (first: {type(failures[0]).__name__}: {failures[0]})" if failures else "")
          + f"; live subscribers: peak during {peak}, 1 s after {live_at_1s}, settled {live_later}; "
          f"RSS KiB after {size.leak_warmup} warm-up cycles, {cycles // 2}, {cycles}, and 1 s later: {rss}")  # fmt: skip
    return {"live": live_at_1s, "settled": live_later, "peak": peak, "failures": len(failures), "rss": rss,
            "seconds": seconds}  # fmt: skip


def problems(result: dict) -> list[str]:
    """What went wrong in a run, apart from timings (none: all is well)."""
    found = []
    for side_name in ("app", "baseline"):
        for phase in ("paced", "burst"):
            r = result[side_name][phase]
            if r["missing"] or r["duplicates"] or not r["delivered"]:
                found.append(f"{side_name} {phase}: {r['delivered']}/{r['expected']} delivered, "
                             f"{r['missing']} missing, {r['duplicates']} duplicates")  # fmt: skip
    leak = result["leak"]
    if leak["settled"] or leak["failures"]:
        found.append(f"leak check: {leak['settled']} subscribers left, {leak['failures']} cycles failed")
    return found + fanout_outage.problems(result.get("outage")) + fanout_idle.problems(result.get("crowd"))


async def run(**changes) -> dict:
    """`changes`: the fields of `Size` to change (TINY for a quick check)."""
    size = Size(**changes)
    open_files = raise_fd_limit(max(8192, size.crowd + size.sockets + fanout_idle.FILES_BESIDE_SOCKETS))
    crowd = fanout_idle.fitting(size.crowd, size.sockets, open_files)
    redis_at = redis_url()
    name = f"clinicportal_bench_fanout_{uuid.uuid4().hex[:10]}"
    db_url = database_url(name, 20)
    env = {**SERVER_ENV, "REDIS_URL": redis_at, "DATABASE_URL": db_url}
    servers: list[Server] = []
    admin = await asyncpg.connect(_admin_dsn())
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    redis = Redis.from_url(redis_at)
    redis_id = (await redis.info("server"))["run_id"]
    try:
        await asyncio.to_thread(run_cli, "migrate", env)
        await asyncio.to_thread(run_cli, "seed-demo", env)
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=20)) as http:
            for _ in range(2):
                await start_server(["cli", "serve"], env, http, servers)
            demo = await prepare(db_url, http, servers[0])
            print(f"fan-out: {size.sockets} sockets over {len(servers)} processes, {size.bookings} events per phase, "
                  f"paced every {size.pace * 1000:.0f} ms, burst by {size.burst_callers} callers; Redis {redis_at}")  # fmt: skip

            async def one_booking(i: int) -> str | None:
                return await book(http, servers[i % 2], demo)

            urls = [s.url.replace("http", "ws") + "/graphql" for s in servers]
            app = await side("app", servers, http, urls, demo.token, lambda n: paced(n, one_booking, size.pace),
                             lambda n: burst(n, size.burst_callers, one_booking), size)  # fmt: skip
            stop_servers(servers)
            fresh = await start_server(["cli", "serve"], env, http, servers)
            print(f"  leak check against a fresh app server, {size.leak_concurrency} at a time:")
            leak = await leak_cycles(http, fresh, demo.token, size)
            stop_servers(servers)

            async def one_publish(i: int) -> str:
                event = AppointmentEvent(
                    BOOKED, uuid.UUID(demo.clinic_id), i + 1, uuid.uuid4(), uuid.UUID(demo.practitioner_id),
                    uuid.UUID(demo.client_id), datetime.now(UTC),
                )
                await redis.publish(calendar_channel(event.clinic_id), event.dumps())
                return str(event.appointment_id)

            baseline_args = ["uvicorn", "bench.fanout_baseline:app", "--log-level", "info"]
            for _ in range(2):
                await start_server(baseline_args, {"REDIS_URL": redis_at}, http, servers)
            urls = [s.url.replace("http", "ws") + "/ws" for s in servers]
            base = await side("baseline", servers, http, urls, None, lambda n: paced(n, one_publish, size.pace),
                              lambda n: burst(n, 1, one_publish), size)  # fmt: skip
            stop_servers(servers)
            print(f"  {crowd} idle sockets beside {size.sockets} active ones, over two fresh app servers"
                  + (f" (cut from {size.crowd}: {open_files} open files allowed)" if crowd < size.crowd else "") + ":")
            crowded = await fanout_idle.run(http, env, demo, crowd=crowd, sockets=size.sockets, bookings=size.bookings,
                                            pace=size.pace, concurrency=size.connect_concurrency)  # fmt: skip
            outage = await fanout_outage.run(http, env, demo, db_url, sockets=size.sockets, bookings=size.outage_bookings,
                                             seconds=size.outage_seconds, concurrency=size.connect_concurrency)  # fmt: skip
    finally:
        stop_servers(servers)
        await redis.aclose()
        admin = await asyncpg.connect(_admin_dsn())
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    report(app, base, leak, size)
    report_more(app, base, crowded, outage)
    print("\nload average after the run (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    if (await redis_run_id(redis_at)) != redis_id:
        print("\nWARNING: Redis restarted during the run (another process?); events in the gap were lost, "
              "so these figures are not valid: run again on a quiet machine.")  # fmt: skip
    return {"app": app, "baseline": base, "leak": leak, "crowd": crowded, "outage": outage}


def report(app: dict, base: dict, leak: dict, size: Size) -> None:
    rows = []
    for phase in ("paced", "burst"):
        a, b = app[phase], base[phase]
        rows += [
            [f"{phase}: delivered / expected", f"{a['delivered']}/{a['expected']}", f"{b['delivered']}/{b['expected']}", "", "all, none missing",
             verdict(a["missing"] == 0 and a["duplicates"] == 0)],
            [f"{phase}: deliveries/s", f"{a['rate']:.0f}", f"{b['rate']:.0f}", f"{a['rate'] / b['rate']:.2f}",
             f">= {TARGET_RATE_RATIO:.2f} x baseline", verdict(a["rate"] >= TARGET_RATE_RATIO * b["rate"])],
            [f"{phase}: p50 ms commit -> receipt", f"{a['p50']:.1f}", f"{b['p50']:.1f}", f"{a['p50'] / b['p50']:.1f}", "", ""],
            [f"{phase}: p99 ms commit -> receipt", f"{a['p99']:.1f}", f"{b['p99']:.1f}", f"{a['p99'] / b['p99']:.1f}",
             f"< {TARGET_P99_MS:.0f}", verdict(a["p99"] < TARGET_P99_MS)],
            [f"{phase}: server CPU us per delivery", f"{a['server_cpu'] / max(a['delivered'], 1) * 1e6:.0f}",
             f"{b['server_cpu'] / max(b['delivered'], 1) * 1e6:.0f}", "", "", ""],
        ]  # fmt: skip
    rows += [
        ["KB per idle subscribed socket", f"{app['kb']:.1f}", f"{base['kb']:.1f}", f"{app['kb'] / base['kb']:.1f}",
         f"< {TARGET_KB:.0f}", verdict(app["kb"] < TARGET_KB)],
        [f"live subscribers after {size.leak_cycles} cycles", f"{leak['live']} (settled {leak['settled']})", "", "", "0",
         verdict(leak["live"] == 0)],
        ["RSS KiB before -> after the cycles", f"{leak['rss'][0]} -> {leak['rss'][-1]}", "", "", "", ""],
    ]  # fmt: skip
    print()
    print(table(["measure", "app", "baseline", "app/baseline", "target", "verdict"], rows))


if __name__ == "__main__":
    asyncio.run(run())


def report_more(app: dict, base: dict, crowd: dict, outage: dict | None) -> None:
    """The idle crowd and the Redis outage, beside the main run's figures."""
    paced, alone, bare = crowd["paced"], app["paced"], base["paced"]
    rows = [
        [f"KB per idle socket, {crowd['crowd']} sockets", f"{crowd['kb']:.1f}", f"{app['kb']:.1f}", f"{base['kb']:.1f}",
         f"< {TARGET_KB:.0f}", verdict(crowd["kb"] < TARGET_KB)],
        ["paced: delivered / expected", f"{paced['delivered']}/{paced['expected']}", f"{alone['delivered']}/{alone['expected']}",
         f"{bare['delivered']}/{bare['expected']}", "all, none missing", verdict(not paced["missing"] and not paced["duplicates"])],
        ["paced: p50 ms commit -> receipt", f"{paced['p50']:.1f}", f"{alone['p50']:.1f}", f"{bare['p50']:.1f}", "", ""],
        ["paced: p99 ms commit -> receipt", f"{paced['p99']:.1f}", f"{alone['p99']:.1f}", f"{bare['p99']:.1f}",
         f"< {TARGET_CROWD_P99_MS:.0f}", verdict(paced["p99"] < TARGET_CROWD_P99_MS)],
        ["paced: server CPU us per delivery", f"{paced['server_cpu'] / max(paced['delivered'], 1) * 1e6:.0f}",
         f"{alone['server_cpu'] / max(alone['delivered'], 1) * 1e6:.0f}",
         f"{bare['server_cpu'] / max(bare['delivered'], 1) * 1e6:.0f}", "", ""],
        [f"one event to all {crowd['crowd']}: last receipt ms", f"{crowd['woken']['max']:.0f}", "", "", "", ""],
    ]  # fmt: skip
    print()
    print(table(["with the idle crowd", "crowd", "app alone", "baseline", "target", "verdict"], rows))
    print()
    if outage is None:
        print("Redis outage: not measured (no redis-server)")
        return
    rows = [
        ["delivered / expected", f"{outage['delivered']}/{outage['expected']}", "all", verdict(not outage["missing"])],
        ["duplicates", str(outage["duplicates"]), "0", verdict(not outage["duplicates"])],
        ["out of order", str(outage["disorder"]), "0", verdict(not outage["disorder"])],
        ["heard while Redis was away", f"{outage['before_up']}", "", ""],
        ["bookings committed after Redis was back", f"{outage['committed_after_up']}", "", ""],
        ["booking ms while Redis was away, median / max", f"{outage['booking_p50']:.0f} / {outage['booking_max']:.0f}", "", ""],
        ["s from Redis back to all caught up", f"{outage['caught_up']:.2f}", "", ""],
        ["ms commit -> receipt p50 / p99 / max", f"{outage['p50']:.0f} / {outage['p99']:.0f} / {outage['max']:.0f}", "", ""],
        ["after: p99 ms of one booking", f"{outage['after']['p99']:.1f}", "", ""],
    ]  # fmt: skip
    print(table([f"Redis away {outage['down_to_up']:.1f}s, {outage['booked']} bookings", "app", "target", "verdict"], rows))
    print(f"\n{fanout_outage.line(outage)}")
