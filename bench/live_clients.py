"""What the fan-out benchmarks (bench/fanout.py, bench/fanout_outage.py,
bench/fanout_idle.py) share: the server processes they start, the demo
clinic they book in, the websockets they open, and how the deliveries those
sockets receive are counted and timed."""

from __future__ import annotations

import asyncio
import contextlib
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

from bench.common import median, percentile

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = "graphql-transport-ws"
SUBSCRIBE = "subscription { calendarUpdates { kind occurredAt appointment { id } } }"
# One practitioner's diary only: a subscriber that hears nothing of the others' bookings.
SUBSCRIBE_ONE = ("subscription($ids: [ID!]) { calendarUpdates(practitionerIds: $ids) {"
                 " kind occurredAt appointment { id } } }")  # fmt: skip
BOOK = ("mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) {"
        " appointment { id } userErrors { code message } } }")  # fmt: skip
SERVER_ENV = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "1024",
              "SIGNIN_PER_ACCOUNT": "1000", "SIGNIN_PER_ACCOUNT_TOTAL": "1000", "SIGNIN_PER_IP": "1000"}  # fmt: skip

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


async def open_socket(url: str, token: str | None, only: str | None = None) -> ClientConnection:
    """`token` set: the app (init, ack, subscribe); None: the baseline.
    `only`: a practitioner id, to subscribe to that diary alone."""
    ws = await connect(url, subprotocols=[PROTOCOL] if token else None, ping_interval=None,
                       open_timeout=30, close_timeout=5, max_size=2**20)  # fmt: skip
    if token:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        payload = {"query": SUBSCRIBE} if only is None else {"query": SUBSCRIBE_ONE, "variables": {"ids": [only]}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    return ws


async def read(index: int, ws: ClientConnection, inbox: Inbox) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for raw in ws:
            inbox.items.append((index, time.time(), raw))


async def open_sockets(urls: list[str], count: int, token: str | None, inbox: Inbox, concurrency: int, start: int = 0,
                       only: str | None = None) -> list:  # fmt: skip
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> tuple[ClientConnection, asyncio.Task]:
        async with gate:
            ws = await open_socket(urls[i % len(urls)], token, only)
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
    other_practitioner_id: str  # offers the treatment too; booked only when a test says so
    next_start: datetime = field(default_factory=lambda: (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0))

    def booking(self, practitioner_id: str | None = None) -> dict:
        start, self.next_start = self.next_start, self.next_start + timedelta(minutes=30)
        return {"clinicSlug": "demo", "treatmentId": self.treatment_id, "practitionerId": practitioner_id or self.practitioner_id,
                "clientId": self.client_id, "start": start.isoformat()}  # fmt: skip


async def book(http: httpx.AsyncClient, server: Server, demo: Demo, practitioner_id: str | None = None) -> str | None:
    headers = {"authorization": f"Bearer {demo.token}"}
    variables = {"input": demo.booking(practitioner_id)}
    body = (await http.post(f"{server.url}/graphql", json={"query": BOOK, "variables": variables}, headers=headers)).json()
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
            "(SELECT min(p.id::text) FROM practitioner p WHERE p.clinic_id = k.id) AS practitioner, "
            "(SELECT max(o.practitioner_id::text) FROM practitioner_treatment o WHERE o.treatment_id = t.id) AS other "
            "FROM clinic k JOIN treatment t ON t.clinic_id = k.id AND t.name = 'Consultation' "
            "JOIN client c ON c.clinic_id = k.id AND c.email = 'client@demo.clinic' WHERE k.slug = 'demo'"
        )
    finally:
        await conn.close()
    if row["other"] is None or row["other"] == row["practitioner"]:
        raise RuntimeError("the demo clinic needs a second practitioner offering the Consultation")
    return Demo(token, str(row["clinic"]), str(row["treatment"]), row["practitioner"], str(row["client"]), row["other"])


async def positions(db_url: str, clinic_id: str, appointment_ids: list[str]) -> dict[str, int]:
    """Each appointment's position in the clinic's event log (its booking)."""
    conn = await asyncpg.connect(db_url.split("?")[0].replace("postgres://", "postgresql://", 1))
    try:
        rows = await conn.fetch("SELECT appointment_id::text AS id, position FROM clinic_event WHERE clinic_id = $1"
                                " AND appointment_id::text = ANY($2::text[])", uuid.UUID(clinic_id), appointment_ids)  # fmt: skip
    finally:
        await conn.close()
    return {row["id"]: row["position"] for row in rows}


def idle_memory(before: list[int], after: list[int], per_server: int) -> float:
    """KB of RSS per socket, averaged over the servers."""
    return sum(a - b for a, b in zip(after, before)) / (per_server * len(before)) * 1024 / 1000

def raise_fd_limit(need: int = 8192) -> int:
    """Raises this process's soft limit of open files towards `need` (as far
    as the hard limit allows; the servers it starts inherit it); the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        soft = need if hard == resource.RLIM_INFINITY else min(need, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def run_cli(command: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "cli", command], cwd=ROOT, env={**os.environ, **env}, check=True,
                   capture_output=True, timeout=120)  # fmt: skip


async def redis_run_id(url: str) -> str | None:
    redis = Redis.from_url(url)
    try:
        return (await redis.info("server"))["run_id"]
    except (OSError, RedisError):
        return None
    finally:
        await redis.aclose()
