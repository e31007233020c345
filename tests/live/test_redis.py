"""With REDIS_URL set, processes share live events and rate limits."""

import asyncio

import httpx
import pytest
from redis.asyncio import Redis

from tests.support.booking import BOOK, book_input
from tests.conftest import FAST_HASH_ENV
from tests.support.servers import running_server
from tests.live.test_subscriptions import SUBSCRIBE_STAFF, _next, _subscribe, _token

SIGN_IN = 'mutation { signIn(clinicSlug: "demo", email: "client@demo.clinic", password: "wrong") { userErrors { code } } }'


@pytest.fixture
async def two_servers(backend, demo, redis_url):
    redis = Redis.from_url(redis_url)
    await redis.delete(*[k async for k in redis.scan_iter("ratelimit:*")] or ["-"])
    env = {"DATABASE_URL": backend.url, "REDIS_URL": redis_url, **FAST_HASH_ENV}
    async with running_server(env) as first, running_server(env) as second:
        yield first, second
    await redis.delete(*[k async for k in redis.scan_iter("ratelimit:*")] or ["-"])
    await redis.aclose()


async def test_a_booking_taken_by_one_process_reaches_a_subscriber_of_another(two_servers, demo):
    first, second = two_servers
    async with httpx.AsyncClient(base_url=second.url) as http:
        staff = await _token(http, 'mutation { staffSignIn(email: "owner@demo.clinic", password: "demo-owner-pass") { session { token } } }')
        ws = await _subscribe(first.url, staff, SUBSCRIBE_STAFF)
        visitor = {"fullName": "Across Processes", "email": "across@example.com", "phone": "+447700900777"}
        booked = (await http.post("/graphql", json={"query": BOOK, "variables": {"input": book_input(demo, client=visitor)}})).json()
        event = (await _next(ws))["calendarUpdates"]
        assert event["kind"] == "BOOKED"
        assert event["appointment"]["id"] == booked["data"]["bookAppointment"]["appointment"]["id"]
        await ws.close()


async def test_sign_in_limits_are_shared_by_every_process(two_servers):
    first, second = two_servers
    codes = []
    async with httpx.AsyncClient() as http:
        for n in range(12):
            server = (first, second)[n % 2]
            body = (await http.post(f"{server.url}/graphql", json={"query": SIGN_IN})).json()
            codes.append(body["data"]["signIn"]["userErrors"][0]["code"])
    assert codes[:10] == ["INVALID_CREDENTIALS"] * 10
    assert codes[10:] == ["RATE_LIMITED"] * 2
