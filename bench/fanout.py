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
Last, 10,000 connect/subscribe/disconnect cycles (50 at a time) against a
fresh app server; `GET /health` must then report 0 live subscribers.
Everything runs on 127.0.0.1; nothing is asserted."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.common import _admin_dsn, database_url, median, percentile, table, verdict
from realtime.events import BOOKED, AppointmentEvent
from realtime.events import calendar_channel

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
PROTOCOL = "graphql-transport-ws"
SUBSCRIBE = "subscription { calendarUpdates { kind occurredAt appointment { id } } }"
BOOK = ("mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) {"
        " appointment { id } userErrors { code message } } }")  # fmt: skip
SERVER_ENV = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "1024",
              "SIGNIN_PER_ACCOUNT": "1000", "SIGNIN_PER_ACCOUNT_TOTAL": "1000", "SIGNIN_PER_IP": "1000"}  # fmt: skip
TARGET_P99_MS, TARGET_RATE_RATIO, TARGET_KB = 100.0, 0.40, 50.0


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


# The smallest run that still delivers every event to every socket and
# checks for leaks (tests/project/test_benchmarks.py, `python -m bench --tiny`).
TINY = {"sockets": 4, "bookings": 3, "pace": 0.1, "burst_callers": 2, "connect_concurrency": 4,
        "leak_cycles": 12, "leak_concurrency": 4, "leak_warmup": 4}  # fmt: skip


def redis_url() -> str:
    """BENCH_REDIS_URL, read when the benchmark starts."""
    return os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def start_server(args: list[str], env: dict[str, str], http: httpx.AsyncClient, started: list[Server]) -> Server:
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="bench-fanout-", suffix=".log")[1])
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", *args, "--port", str(port)], cwd=ROOT,
                                   env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    server = Server(process, port, log)
    started.append(server)
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if (await http.get(f"{server.url}/health")).status_code == 200:
                return server
        await asyncio.sleep(0.1)
    raise RuntimeError(f"server did not start:\n{log.read_text(errors='replace')[-3000:]}")


def stop_servers(servers: list[Server]) -> None:
    for server in servers:
        if server.process.poll() is None:
            server.process.terminate()
    for server in servers:
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
        server.log.unlink(missing_ok=True)
    servers.clear()


async def live_count(http: httpx.AsyncClient, server: Server) -> int:
    body = (await http.get(f"{server.url}/health")).json()
    return body.get("liveSubscribers", body.get("sockets", -1))


async def wait_count(http: httpx.AsyncClient, servers: list[Server], want: int, limit: float = 30.0) -> list[int]:
    deadline = time.monotonic() + limit
    while True:
        counts = [await live_count(http, s) for s in servers]
        if all(c == want for c in counts) or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.1)


@dataclass
class Inbox:
    """Every message received by every socket: (socket, receipt time, text)."""

    items: list[tuple[int, float, str]] = field(default_factory=list)


async def open_socket(url: str, token: str | None) -> ClientConnection:
    """`token` set: the app (init, ack, subscribe); None: the baseline."""
    ws = await connect(url, subprotocols=[PROTOCOL] if token else None, ping_interval=None,
                       open_timeout=30, close_timeout=5, max_size=2**20)  # fmt: skip
    if token:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    return ws


async def read(index: int, ws: ClientConnection, inbox: Inbox) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for raw in ws:
            inbox.items.append((index, time.time(), raw))


async def open_sockets(urls: list[str], count: int, token: str | None, inbox: Inbox, concurrency: int, start: int = 0) -> list:
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> tuple[ClientConnection, asyncio.Task]:
        async with gate:
            ws = await open_socket(urls[i % len(urls)], token)
        return ws, asyncio.create_task(read(start + i, ws, inbox))

    return list(await asyncio.gather(*(one(i) for i in range(count))))


async def close_sockets(sockets: list) -> None:
    await asyncio.gather(*(ws.close() for ws, _ in sockets), return_exceptions=True)
    await asyncio.gather(*(task for _, task in sockets), return_exceptions=True)


def event_of(raw: str, app: bool) -> tuple[str, float] | None:
    """(appointment id, occurred at) of one received message, or None."""
    data = json.loads(raw)
    if app:
        if data.get("type") != "next" or not (data["payload"].get("data") or {}).get("calendarUpdates"):
            return None
        event = data["payload"]["data"]["calendarUpdates"]
        return event["appointment"]["id"], datetime.fromisoformat(event["occurredAt"]).timestamp()
    return data["appointment_id"], datetime.fromisoformat(data["occurred_at"]).timestamp()


async def measure(fire, inbox: Inbox, servers: list[Server], sockets: int, app: bool, since: float) -> dict:
    """Runs `fire` (which returns the ids of the events it caused) and
    collects every delivery; waits until all arrived or 5 s pass without one.
    `slowest`: the 3 events with the latest last delivery, as (seconds after
    `since` that the event occurred, its slowest delivery in ms)."""
    inbox.items = []
    cpu_before, client_cpu = [s.cpu_seconds() for s in servers], time.process_time()
    ids = [i for i in await fire() if i]
    expected, seen, last = len(ids) * sockets, -1, time.monotonic()
    while len(inbox.items) < expected and time.monotonic() - last < 5:
        if len(inbox.items) != seen:
            seen, last = len(inbox.items), time.monotonic()
        await asyncio.sleep(0.05)
    server_cpu = sum(s.cpu_seconds() - b for s, b in zip(servers, cpu_before))
    client_cpu = time.process_time() - client_cpu
    wanted, pairs, latencies, other, first, final = set(ids), set(), [], 0, float("inf"), 0.0
    worst: dict[str, tuple[float, float]] = {}
    for index, received, raw in inbox.items:
        found = event_of(raw, app)
        if found is None or found[0] not in wanted:
            other += 1
            continue
        pairs.add((index, found[0]))
        latencies.append((received - found[1]) * 1000)
        worst[found[0]] = (found[1] - since, max(latencies[-1], worst.get(found[0], (0.0, 0.0))[1]))
        first, final = min(first, found[1]), max(final, received)
    window = final - first if latencies else float("nan")
    return {"events": len(ids), "expected": expected, "delivered": len(latencies), "missing": expected - len(pairs),
            "duplicates": len(latencies) - len(pairs), "other": other, "window": window,
            "rate": len(latencies) / window if latencies else 0.0, "p50": median(latencies),
            "p99": percentile(latencies, 99), "max": max(latencies, default=float("nan")),
            "server_cpu": server_cpu, "client_cpu": client_cpu,
            "slowest": sorted(worst.values(), key=lambda w: -w[1])[:3]}  # fmt: skip


async def paced(count: int, one, pace: float) -> list:
    loop, tasks = asyncio.get_running_loop(), []
    started = loop.time()
    for i in range(count):
        await asyncio.sleep(max(0.0, started + i * pace - loop.time()))
        tasks.append(asyncio.create_task(one(i)))
    return list(await asyncio.gather(*tasks))


async def burst(count: int, callers: int, one) -> list:
    results, pending = [None] * count, iter(range(count))

    async def caller() -> None:
        for i in pending:
            results[i] = await one(i)

    await asyncio.gather(*(caller() for _ in range(callers)))
    return results


@dataclass
class Demo:
    token: str
    clinic_id: str
    treatment_id: str
    practitioner_id: str
    client_id: str
    next_start: datetime = field(default_factory=lambda: (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0))

    def booking(self) -> dict:
        start, self.next_start = self.next_start, self.next_start + timedelta(minutes=30)
        return {"clinicSlug": "demo", "treatmentId": self.treatment_id, "practitionerId": self.practitioner_id,
                "clientId": self.client_id, "start": start.isoformat()}  # fmt: skip


async def book(http: httpx.AsyncClient, server: Server, demo: Demo) -> str | None:
    headers = {"authorization": f"Bearer {demo.token}"}
    body = (await http.post(f"{server.url}/graphql", json={"query": BOOK, "variables": {"input": demo.booking()}},
                            headers=headers)).json()  # fmt: skip
    payload = (body.get("data") or {}).get("bookAppointment") or {}
    if not payload.get("appointment"):
        print(f"    booking failed: {payload.get('userErrors') or body.get('errors')}")
        return None
    return payload["appointment"]["id"]


async def prepare(db_url: str, http: httpx.AsyncClient, server: Server) -> Demo:
    signed = (await http.post(f"{server.url}/graphql", json={"query": 'mutation { staffSignIn(email: "owner@demo.clinic", password: "demo-owner-pass") { session { token } userErrors { code } } }'})).json()  # fmt: skip
    token = signed["data"]["staffSignIn"]["session"]["token"]
    conn = await asyncpg.connect(db_url.split("?")[0].replace("postgres://", "postgresql://", 1))
    try:
        row = await conn.fetchrow(
            "SELECT k.id AS clinic, t.id AS treatment, c.id AS client, "
            "(SELECT min(p.id::text) FROM practitioner p WHERE p.clinic_id = k.id) AS practitioner "
            "FROM clinic k JOIN treatment t ON t.clinic_id = k.id AND t.name = 'Consultation' "
            "JOIN client c ON c.clinic_id = k.id AND c.email = 'client@demo.clinic' WHERE k.slug = 'demo'"
        )
    finally:
        await conn.close()
    return Demo(token, str(row["clinic"]), str(row["treatment"]), row["practitioner"], str(row["client"]))


def idle_memory(before: list[int], after: list[int], per_server: int) -> float:
    """KB of RSS per socket, averaged over the servers."""
    return sum(a - b for a, b in zip(after, before)) / (per_server * len(before)) * 1024 / 1000


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


def raise_fd_limit(need: int = 8192) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need if hard == resource.RLIM_INFINITY else min(need, hard), hard))


def run_cli(command: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "cli", command], cwd=ROOT, env={**os.environ, **env}, check=True,
                   capture_output=True, timeout=120)  # fmt: skip


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
    return found


async def run(**changes) -> dict:
    """`changes`: the fields of `Size` to change (TINY for a quick check)."""
    size = Size(**changes)
    raise_fd_limit()
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
    finally:
        stop_servers(servers)
        await redis.aclose()
        admin = await asyncpg.connect(_admin_dsn())
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    report(app, base, leak, size)
    print("\nload average after the run (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    if (await redis_run_id(redis_at)) != redis_id:
        print("\nWARNING: Redis restarted during the run (another process?); events in the gap were lost, "
              "so these figures are not valid: run again on a quiet machine.")  # fmt: skip
    return {"app": app, "baseline": base, "leak": leak}


async def redis_run_id(url: str) -> str | None:
    redis = Redis.from_url(url)
    try:
        return (await redis.info("server"))["run_id"]
    except (OSError, RedisError):
        return None
    finally:
        await redis.aclose()


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
