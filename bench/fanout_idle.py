"""A crowd of idle subscribed sockets (part of bench/fanout.py).

Two fresh `clinicportal serve` processes on the benchmark's Redis. `crowd`
websockets (10,000 at full size, half on each process) subscribe to the
clinic's calendar for one practitioner's diary, a practitioner the
measurement never books: each is a live subscriber of the same channel that
the hub weighs for every event, and is sent nothing. Measured:

  memory per idle socket - growth of the servers' RSS over the crowd, after
      a warm-up, divided by the crowd (as the idle-socket figure of the main
      run, over ten times as many sockets);
  paced latency beside the crowd - `sockets` more subscribers of the whole
      calendar, and `bookings` bookings one every `pace` seconds, as the
      main run's paced phase: commit -> receipt at those subscribers;
  one event to the whole crowd - a booking of the crowd's practitioner,
      which every socket of the crowd (and the other subscribers) hears:
      how long until the last of them has it.

The client keeps every socket open in this one process: the soft limit of
open files is raised as far as the hard limit lets it (the servers inherit
it), and the crowd is cut to what fits, saying so."""

from __future__ import annotations

import asyncio
import gc
import time

import httpx

from bench.live_clients import (
    Demo, Inbox, Server, book, close_sockets, event_of, idle_memory, measure, open_sockets, paced, start_server,
    stop_servers, wait_count,
)  # fmt: skip

FILES_BESIDE_SOCKETS = 500  # the client's own files beside its sockets: HTTP, database, Python


def fitting(crowd: int, sockets: int, open_files: int) -> int:
    """The largest crowd (at most `crowd`) the limit of open files lets the
    client keep beside `sockets` other sockets."""
    return max(0, min(crowd, open_files - sockets - FILES_BESIDE_SOCKETS))


async def run(http: httpx.AsyncClient, env: dict[str, str], demo: Demo, *, crowd: int, sockets: int, bookings: int,
              pace: float, concurrency: int) -> dict:  # fmt: skip
    servers: list[Server] = []
    try:
        for _ in range(2):
            await start_server(["cli", "serve"], env, http, servers)
        return await _measure(http, servers, demo, crowd, sockets, bookings, pace, concurrency)
    finally:
        stop_servers(servers)


async def _measure(http: httpx.AsyncClient, servers: list[Server], demo: Demo, crowd: int, sockets: int, bookings: int,
                   pace: float, concurrency: int) -> dict:  # fmt: skip
    urls = [s.url.replace("http", "ws") + "/graphql" for s in servers]
    per_server = crowd // len(servers)

    async def one_booking(i: int) -> str | None:
        return await book(http, servers[i % len(servers)], demo)

    async def crowd_booking(i: int) -> str | None:
        return await book(http, servers[i % len(servers)], demo, demo.other_practitioner_id)

    # Warm-up, as the main run's: both kinds of subscription, one event each.
    scratch = Inbox()
    warm = await open_sockets(urls, 2 * len(servers), demo.token, scratch, concurrency, start=crowd + sockets)
    warm += await open_sockets(urls, 2 * len(servers), demo.token, scratch, concurrency, start=crowd + sockets + 100,
                               only=demo.other_practitioner_id)  # fmt: skip
    await wait_count(http, servers, 4)
    await paced(1, one_booking, 0.0)
    await paced(1, crowd_booking, 0.0)
    await asyncio.sleep(1.0)
    await close_sockets(warm)
    await wait_count(http, servers, 0)
    await asyncio.sleep(1.0)

    rss_before, quiet, started = [s.rss_kib() for s in servers], Inbox(), time.perf_counter()
    idle = await open_sockets(urls, crowd, demo.token, quiet, concurrency, only=demo.other_practitioner_id)
    counts = await wait_count(http, servers, per_server, limit=120.0)
    connect_seconds, since = time.perf_counter() - started, time.time()
    gc.collect()
    gc.freeze()  # the client's own collections would stall every reader alike
    active: list = []
    try:
        await asyncio.sleep(2.0)
        rss_after = [s.rss_kib() for s in servers]
        kb = idle_memory(rss_before, rss_after, per_server)
        print(f"  idle crowd: {crowd} sockets subscribed in {connect_seconds:.1f}s (per server {counts}); RSS KiB "
              f"{rss_before} -> {rss_after}: {kb:.1f} KB per idle socket")  # fmt: skip
        inbox = Inbox()
        active = await open_sockets(urls, sockets, demo.token, inbox, concurrency, start=crowd)
        await wait_count(http, servers, per_server + sockets // len(servers), limit=60.0)
        quiet.items = []
        beside = await measure(lambda: paced(bookings, one_booking, pace), inbox, servers, sockets, True, since)
        stray = sum(event_of(raw, True) is not None for _, _, raw in quiet.items)
        print(f"  beside the crowd, paced: {beside['delivered']}/{beside['expected']} delivered ({beside['missing']} "
              f"missing, {beside['duplicates']} duplicate); latency p50 {beside['p50']:.1f} ms, p99 "
              f"{beside['p99']:.1f} ms, max {beside['max']:.1f} ms; server CPU {beside['server_cpu']:.2f}s "
              f"({beside['server_cpu'] / max(beside['delivered'], 1) * 1e6:.0f} us/delivery); "
              f"{stray} events reached the idle crowd; client CPU {beside['client_cpu']:.2f}s")  # fmt: skip
        print("    slowest events (s after the crowd was subscribed: last delivery ms): "
              + ", ".join(f"+{at:.1f}s: {ms:.0f}" for at, ms in beside["slowest"]))  # fmt: skip
        woken = await measure(lambda: paced(1, crowd_booking, 0.0), quiet, servers, crowd, True, since)
        print(f"  one event to the whole crowd: {woken['delivered']}/{woken['expected']} delivered, the last after "
              f"{woken['max']:.0f} ms (p50 {woken['p50']:.0f} ms, p99 {woken['p99']:.0f} ms)")  # fmt: skip
        return {"crowd": crowd, "kb": kb, "rss_before": rss_before, "rss_after": rss_after, "counts": counts,
                "connect_seconds": connect_seconds, "paced": beside, "stray": stray, "woken": woken}  # fmt: skip
    finally:
        gc.unfreeze()
        await close_sockets(idle + active)


def problems(result: dict | None) -> list[str]:
    if result is None:
        return []
    found = []
    for label, r in (("beside the idle crowd, paced", result["paced"]), ("one event to the idle crowd", result["woken"])):
        if r["missing"] or r["duplicates"] or not r["delivered"]:
            found.append(f"{label}: {r['delivered']}/{r['expected']} delivered, {r['missing']} missing, "
                         f"{r['duplicates']} duplicates")  # fmt: skip
    if result["stray"]:
        found.append(f"{result['stray']} events reached idle subscribers of another practitioner's diary")
    return found
