"""Nothing lost under faults, with real processes, PostgreSQL or SQLite,
and Redis: a process killed right after a booking commits, Redis away for
ten seconds while bookings go on, a subscriber away for fifty events."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from datetime import date, timedelta

import httpx
import websockets

from models import ClinicEvent
from tests.conftest import FAST_HASH_ENV
from tests.live.test_subscriptions import _token
from tests.support.booking import BOOK, book_input, working_day
from tests.support.redis_server import own_redis  # noqa: F401  (fixture)
from tests.support.servers import REFUSING_PORT, running_server

STAFF_SIGN_IN = 'mutation { staffSignIn(email: "owner@demo.clinic", password: "demo-owner-pass") { session { token } } }'
UPDATES = "subscription($after: String) { calendarUpdates(after: $after) { kind cursor appointment { id } } }"


def _starts(count: int, first_day: int = 5) -> list[str]:
    """`count` start times for 30-minute consultations, two at a time (the
    demo has two practitioners), on distinct working days."""
    days: dict[date, object] = {}
    ahead = first_day
    while len(days) * 36 < count:
        day = working_day(ahead)
        days.setdefault(day.date(), day)
        ahead += 1
    starts = []
    for day in days.values():
        for slot in range(18):
            when = (day.replace(hour=9) + timedelta(minutes=30 * slot)).isoformat()
            starts += [when, when]
    return starts[:count]


async def _book(http: httpx.AsyncClient, demo, start: str, n: int) -> str:
    visitor = {"fullName": f"Visitor {n}", "email": f"visitor{n}@example.com", "phone": f"+44770091{n:04d}"}
    variables = {"input": book_input(demo, treatment="Consultation", start=start, client=visitor)}
    body = (await http.post("/graphql", json={"query": BOOK, "variables": variables})).json()
    assert body["data"]["bookAppointment"]["userErrors"] == [], body
    return body["data"]["bookAppointment"]["appointment"]["id"]


async def _listen(url: str, token: str, after: str | None = None):
    ws = await websockets.connect(url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": UPDATES, "variables": {"after": after}}}))
    await asyncio.sleep(0.3)
    return ws


async def _events(ws, count: int, timeout: float = 30) -> list[dict]:
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        message = json.loads(await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic())))
        assert message["type"] == "next", message
        got.append(message["payload"]["data"]["calendarUpdates"])
    return got


async def _nothing_more(ws, seconds: float = 1.5) -> bool:
    try:
        await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return True
    return False


async def test_a_process_killed_right_after_a_booking_commits_loses_no_event(backend, demo, redis_url):
    # The booking process cannot reach Redis, so its relay cannot publish before it is killed.
    listening_env = {"DATABASE_URL": backend.url, "REDIS_URL": redis_url, **FAST_HASH_ENV}
    booking_env = {**listening_env, "REDIS_URL": f"redis://127.0.0.1:{REFUSING_PORT}/0"}
    async with running_server(listening_env) as listening, running_server(booking_env) as booking:
        async with httpx.AsyncClient(base_url=listening.url, timeout=10) as http:
            staff = await _token(http, STAFF_SIGN_IN)
        ws = await _listen(listening.url, staff)
        async with httpx.AsyncClient(base_url=booking.url, timeout=10) as http:
            booked = await _book(http, demo, _starts(1)[0], 1)
        os.kill(booking.pid, signal.SIGKILL)
        (event,) = await _events(ws, 1, timeout=15)  # the surviving process's relay publishes it
        assert event["kind"] == "BOOKED" and event["appointment"]["id"] == booked
        assert await _nothing_more(ws)
        await ws.close()
    assert not await ClinicEvent.filter(clinic_id=demo["demo"].clinic.id, published=False).exists()


async def test_redis_away_for_ten_seconds_while_bookings_go_on_loses_nothing_and_repeats_nothing(backend, demo, own_redis):
    env = {"DATABASE_URL": backend.url, "REDIS_URL": own_redis.url, **FAST_HASH_ENV}
    starts = _starts(7)
    async with running_server(env) as listening, running_server(env) as booking:
        async with httpx.AsyncClient(base_url=booking.url, timeout=10) as http:
            staff = await _token(http, STAFF_SIGN_IN)
            subscribers = [await _listen(server.url, staff) for server in (listening, listening, booking)]
            booked = [await _book(http, demo, starts[0], 0)]
            own_redis.stop()  # the test's own redis-server, never the machine's
            stopped = time.monotonic()
            try:
                for n in range(1, 6):  # bookings go on while Redis is away
                    booked.append(await _book(http, demo, starts[n], n))
                    await asyncio.sleep(max(0.0, stopped + 2 * n - time.monotonic()))
            finally:
                own_redis.start()
            booked.append(await _book(http, demo, starts[6], 6))
        for ws in subscribers:
            got = await _events(ws, len(booked), timeout=30)
            assert [e["appointment"]["id"] for e in got] == booked  # every one, in order
            assert len({e["cursor"] for e in got}) == len(booked)
            assert await _nothing_more(ws)  # none twice
            await ws.close()


async def test_a_subscriber_that_misses_fifty_events_gets_exactly_those_fifty_from_its_cursor(backend, demo, redis_url):
    env = {"DATABASE_URL": backend.url, "REDIS_URL": redis_url, **FAST_HASH_ENV}
    starts = _starts(51)
    async with running_server(env) as listening, running_server(env) as booking:
        async with httpx.AsyncClient(base_url=booking.url, timeout=10) as http:
            staff = await _token(http, STAFF_SIGN_IN)
            ws = await _listen(listening.url, staff)
            first = await _book(http, demo, starts[0], 0)
            (seen,) = await _events(ws, 1)
            assert seen["appointment"]["id"] == first
            await ws.close()  # the connection drops
            missed = [await _book(http, demo, starts[n], n) for n in range(1, 51)]
        ws = await _listen(listening.url, staff, after=seen["cursor"])
        got = await _events(ws, 50)
        assert [e["appointment"]["id"] for e in got] == missed
        assert await _nothing_more(ws)
        await ws.close()


async def test_the_embedded_default_resumes_from_a_cursor_within_its_one_process(backend, demo):
    env = {"DATABASE_URL": backend.url, **FAST_HASH_ENV}  # no Redis: events stay in the process
    starts = _starts(11)
    async with running_server(env) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            staff = await _token(http, STAFF_SIGN_IN)
            ws = await _listen(server.url, staff)
            await _book(http, demo, starts[0], 0)
            (seen,) = await _events(ws, 1)
            await ws.close()
            missed = [await _book(http, demo, starts[n], n) for n in range(1, 11)]
        ws = await _listen(server.url, staff, after=seen["cursor"])
        assert [e["appointment"]["id"] for e in await _events(ws, 10)] == missed
        assert await _nothing_more(ws)
        await ws.close()
