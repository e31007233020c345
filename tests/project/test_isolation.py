"""The tests share nothing with the machine: while this test holds the ports
the settings and the sandbox commands default to, the e-mail and SMS of a
server process the tests start, and of the in-process settings, reach none
of them; a test that restarts Redis restarts a redis-server of its own, never
the machine's."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from jobs import runner
from jobs.context import JobContext
from jobs.sandbox import DEFAULT_TWILIO_PORT
from models import OutboxMessage
from resolvers.notifications.outbox import enqueue
from settings import Settings
from tests.conftest import FAST_HASH_ENV, REDIS_URL
from tests.support.redis_server import own_redis  # noqa: F401  (fixture)
from tests.support.servers import process_env, running_server

# smtp_port's default (and `clinicportal sandbox(-mail)`'s SMTP), the Twilio
# stand-in's and the mail pages' defaults.
HELD = (Settings.smtp_port, DEFAULT_TWILIO_PORT, 8025)
HOSTS = ("127.0.0.1", "::1")  # "localhost" may be either


@dataclass
class HeldPorts:
    held: set[int] = field(default_factory=set)  # on 127.0.0.1 at least
    busy: set[int] = field(default_factory=set)  # another program has them
    connections: list[tuple[int, int | None]] = field(default_factory=list)  # (port, pid) from this run
    others: int = 0  # connections from programs this run did not start


def _client_pid(client_port: int, server_port: int) -> int | None:
    """The process holding the client end of the loopback connection from
    `client_port` to `server_port` (Linux /proc; None when it cannot be told)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote = (int(address.rsplit(":", 1)[1], 16) for address in fields[1:3])
                if (local, remote) == (client_port, server_port) and fields[9] != "0":
                    inodes.add(f"socket:[{fields[9]}]")
    for fds in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) in inodes for fd in fds.iterdir()):
                return int(fds.parent.name)
    return None


def _from_this_run(pid: int | None) -> bool:
    """This process or one it started (a server, a worker, their children);
    a connection whose process cannot be told counts as this run's."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        while pid is not None and pid > 1:
            if pid == os.getpid():
                return True
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])  # the parent
        return pid is None
    return True


@pytest.fixture
async def ports():
    """Listens on each of `HELD` that is free and records whoever connects."""
    found, servers = HeldPorts(), []
    for port in HELD:
        for host in HOSTS:

            async def note(reader, writer, port=port):
                pid = _client_pid(writer.get_extra_info("peername")[1], port)
                if _from_this_run(pid):
                    found.connections.append((port, pid))
                else:  # another program on the machine, expecting its own server there
                    found.others += 1
                writer.close()

            try:
                servers.append(await asyncio.start_server(note, host, port))
            except OSError:
                if host == HOSTS[0]:
                    found.busy.add(port)
                    break
            else:
                found.held.add(port)
    # The trap works: a connection to each held port is recorded.
    for port in found.held:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()

    async def all_seen() -> bool:
        return {port for port, _ in found.connections} == found.held

    await _until(all_seen, "the held ports saw no test connection")
    found.connections.clear()
    if found.busy:
        print(f"\n[isolation] ports held by another program, only the settings are checked for them: {sorted(found.busy)}")
    yield found
    for server in servers:
        server.close()
        await server.wait_closed()


async def _until(ready, message: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not await ready():
        assert time.monotonic() < deadline, message
        await asyncio.sleep(0.05)


def _port_of(url: str) -> int:
    return urlsplit(url).port


def _points_elsewhere(settings: Settings) -> None:
    assert settings.smtp_port not in HELD and settings.smtp_host in ("127.0.0.1", "::1")
    assert _port_of(settings.twilio_api_base) not in HELD and urlsplit(settings.twilio_api_base).hostname == "127.0.0.1"
    assert settings.redis_url is None or _port_of(settings.redis_url) not in HELD


async def _one_email_and_one_sms(demo) -> list[OutboxMessage]:
    clinic_id = demo["demo"].clinic.id
    return [
        await enqueue(clinic_id, "email", {"to": ["alex@demo.clinic"], "subject": "Hi", "body": "Text\n", "purpose": "test"}),
        await enqueue(clinic_id, "sms", {"to": "+447700900123", "body": "Text", "client_id": None, "purpose": "test"}),
    ]


async def _tried(rows: list[OutboxMessage]) -> bool:
    found = await OutboxMessage.filter(id__in=[row.id for row in rows]).values_list("attempts", "last_error")
    return len(found) == len(rows) and all(attempts >= 1 and error for attempts, error in found)


async def test_a_server_process_sends_its_mail_and_texts_to_no_port_of_the_machine(backend, demo, ports, monkeypatch):
    # A shell set up for the demo names the machine's ports; a server the tests start ignores them.
    monkeypatch.setenv("SMTP_HOST", "localhost")
    monkeypatch.setenv("SMTP_PORT", str(HELD[0]))
    monkeypatch.setenv("TWILIO_API_BASE", f"http://127.0.0.1:{HELD[1]}")
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{HELD[2]}/0")
    env = {"DATABASE_URL": backend.url, "JOBS_POLL_SECONDS": "0.1", **FAST_HASH_ENV}
    _points_elsewhere(Settings.from_env(process_env(env)))
    async with running_server(env):
        rows = await _one_email_and_one_sms(demo)  # the server's in-process runner carries them out

        async def tried_or_caught() -> bool:
            return bool(ports.connections) or await _tried(rows)

        await _until(tried_or_caught, "the server never tried to send them")
    assert ports.connections == []
    assert await _tried(rows)
    print(f"\n[isolation] held {sorted(ports.held)}: nothing from this run, {ports.others} from other programs")


async def test_the_in_process_settings_send_mail_and_texts_to_no_port_of_the_machine(demo, ports, runtime):
    settings = runtime.settings
    _points_elsewhere(settings)
    rows = await _one_email_and_one_sms(demo)
    async with JobContext(settings) as jobs:
        outcomes = [await runner.deliver(row.id, jobs) for row in rows]
    assert await _tried(rows), outcomes
    assert ports.connections == []


async def test_a_test_that_restarts_redis_restarts_a_redis_server_of_its_own(own_redis):
    async def process_id(url: str) -> int:
        client = Redis.from_url(url)
        try:
            return (await client.info("server"))["process_id"]
        finally:
            await client.aclose()

    assert REDIS_URL is None or own_redis.port != _port_of(REDIS_URL)  # not the machine's
    first = own_redis.process.pid
    assert await process_id(own_redis.url) == first  # the child this test started answers there
    own_redis.stop()
    with pytest.raises(RedisConnectionError):
        await process_id(own_redis.url)
    own_redis.start()
    assert await process_id(own_redis.url) == own_redis.process.pid != first  # a new one, same address
