"""Live calendar hygiene and resilience, against real server processes."""

import asyncio
import json

import httpx
import pytest
import websockets

from tests.support.booking import BOOK, at, book_input
from tests.conftest import FAST_HASH_ENV, client_token
from tests.support.redis_server import own_redis  # noqa: F401  (fixture)
from tests.support.servers import REFUSING_PORT, running_server
from tests.live.test_subscriptions import SUBSCRIBE_STAFF, _next, _subscribe, _token

STAFF_SIGN_IN = 'mutation { staffSignIn(email: "%s", password: "%s") { session { token } } }'
CLIENT_SIGN_IN = 'mutation { signIn(clinicSlug: "demo", email: "client@demo.clinic", password: "demo-client-pass") { session { token } } }'
HYGIENE_ENV = {
    "WS_RECHECK_SECONDS": "0.3",
    "WS_INIT_TIMEOUT_SECONDS": "1",
    "WS_MAX_SUBSCRIPTIONS": "2",
    "WS_ALLOWED_ORIGINS": "http://portal.example",
}


@pytest.fixture
async def server(backend, demo):
    async with running_server({"DATABASE_URL": backend.url, **FAST_HASH_ENV, **HYGIENE_ENV}) as running:
        yield running


def _ws(url: str) -> str:
    return url.replace("http", "ws") + "/graphql"


async def test_a_revoked_session_ends_its_streams(server):
    async with httpx.AsyncClient(base_url=server.url) as http:
        staff = await _token(http, STAFF_SIGN_IN % ("owner@demo.clinic", "demo-owner-pass"))
        ws = await _subscribe(server.url, staff, SUBSCRIBE_STAFF)
        await http.post("/graphql", json={"query": "mutation { signOut { ok } }"}, headers={"authorization": f"Bearer {staff}"})
        last, done = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(2)]
        assert last["id"] == "1" and last["type"] == "next" and last["payload"]["data"] is None
        [error] = last["payload"]["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED" and "session" in error["message"]
        assert done == {"id": "1", "type": "complete"}
        await ws.close()


async def _live_subscribers(http: httpx.AsyncClient, expected: int) -> int:
    for _ in range(50):
        count = (await http.get("/health")).json()["liveSubscribers"]
        if count == expected:
            break
        await asyncio.sleep(0.1)
    return count


async def test_a_completed_subscription_stops_and_its_neighbour_on_the_socket_goes_on(server, demo):
    async with httpx.AsyncClient(base_url=server.url) as http:
        staff = await _token(http, STAFF_SIGN_IN % ("owner@demo.clinic", "demo-owner-pass"))
        ws = await _subscribe(server.url, staff, SUBSCRIBE_STAFF)  # operation "1"
        await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": {"query": SUBSCRIBE_STAFF}}))
        assert await _live_subscribers(http, 2) == 2
        await ws.send(json.dumps({"id": "1", "type": "complete"}))
        assert await _live_subscribers(http, 1) == 1
        visitor = {"fullName": "Walk In", "email": "walk.in@example.com", "phone": "+447700900321"}
        booked = await http.post("/graphql", json={"query": BOOK, "variables": {"input": book_input(demo, client=visitor)}})
        appointment_id = booked.json()["data"]["bookAppointment"]["appointment"]["id"]
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert message["id"] == "2" and message["payload"]["data"]["calendarUpdates"]["appointment"]["id"] == appointment_id
        with pytest.raises(asyncio.TimeoutError):  # nothing more: operation "1" is gone
            await asyncio.wait_for(ws.recv(), 0.5)
        await ws.close()
        assert await _live_subscribers(http, 0) == 0


async def test_a_socket_that_never_says_connection_init_is_closed(server):
    ws = await websockets.connect(_ws(server.url), subprotocols=["graphql-transport-ws"])
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd.code == 4408


async def test_subscriptions_per_connection_are_capped(server):
    async with httpx.AsyncClient(base_url=server.url) as http:
        staff = await _token(http, STAFF_SIGN_IN % ("owner@demo.clinic", "demo-owner-pass"))
    ws = await _subscribe(server.url, staff, SUBSCRIBE_STAFF)
    for n in (2, 3):
        await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": SUBSCRIBE_STAFF}}))
    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message["type"] == "error" and message["id"] == "3"
    assert "limit" in message["payload"][0]["message"]
    await ws.close()


async def test_browsers_may_connect_only_from_allowed_origins(server):
    with pytest.raises(websockets.InvalidStatus):
        await websockets.connect(_ws(server.url), subprotocols=["graphql-transport-ws"], origin="http://evil.example")
    ws = await websockets.connect(_ws(server.url), subprotocols=["graphql-transport-ws"], origin="http://portal.example")
    await ws.close()


async def test_a_practitioner_sees_only_their_own_diary_live(server, demo):
    alex, sam = demo["demo"].practitioners["Alex Morgan"], demo["demo"].practitioners["Sam Patel"]
    async with httpx.AsyncClient(base_url=server.url) as http:
        own = await _token(http, STAFF_SIGN_IN % ("alex@demo.clinic", "demo-practitioner-pass"))
        client = await _token(http, CLIENT_SIGN_IN)
        ws = await _subscribe(server.url, own, SUBSCRIBE_STAFF)
        headers = {"authorization": f"Bearer {client}"}
        for practitioner, hour in ((sam, 11), (alex, 14)):
            variables = {"input": book_input(demo, start=at(5, hour), practitionerId=str(practitioner.id))}
            await http.post("/graphql", json={"query": BOOK, "variables": variables}, headers=headers)
        event = (await _next(ws))["calendarUpdates"]
        assert event["appointment"]["practitioner"]["name"] == "Alex Morgan"
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(ws.recv(), 1)
        await ws.close()


async def test_a_booking_that_fails_publishes_nothing(server, demo):
    async with httpx.AsyncClient(base_url=server.url) as http:
        staff = await _token(http, STAFF_SIGN_IN % ("owner@demo.clinic", "demo-owner-pass"))
        client = await _token(http, CLIENT_SIGN_IN)
        ws = await _subscribe(server.url, staff, SUBSCRIBE_STAFF)
        headers = {"authorization": f"Bearer {client}"}
        answers = []
        for _ in range(3):  # two practitioners: the third booking of one slot fails
            body = (await http.post("/graphql", json={"query": BOOK, "variables": {"input": book_input(demo)}}, headers=headers)).json()
            answers.append(body["data"]["bookAppointment"])
        assert [len(a["userErrors"]) for a in answers] == [0, 0, 1]
        received = {(await _next(ws))["calendarUpdates"]["appointment"]["id"] for _ in range(2)}
        assert received == {a["appointment"]["id"] for a in answers[:2]}
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(ws.recv(), 1)
        await ws.close()


async def test_bookings_succeed_while_redis_is_down(backend, demo):
    env = {"DATABASE_URL": backend.url, "REDIS_URL": f"redis://127.0.0.1:{REFUSING_PORT}/0", **FAST_HASH_ENV}
    async with running_server(env) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            client = await _token(http, CLIENT_SIGN_IN)  # rate limits fall back to this process
            body = (await http.post("/graphql", json={"query": BOOK, "variables": {"input": book_input(demo)}},
                                    headers={"authorization": f"Bearer {client}"})).json()
        assert body["data"]["bookAppointment"]["userErrors"] == []
        assert "rate limits counted in-process" in server.log_text()


async def test_live_subscriptions_resume_by_themselves_after_a_redis_restart_and_miss_nothing(backend, demo, own_redis):
    env = {"DATABASE_URL": backend.url, "REDIS_URL": own_redis.url, **FAST_HASH_ENV}
    async with running_server(env) as listening, running_server(env) as booking:
        async with httpx.AsyncClient(base_url=booking.url, timeout=10) as http:
            staff = await _token(http, STAFF_SIGN_IN % ("owner@demo.clinic", "demo-owner-pass"))
            ws = await _subscribe(listening.url, staff, SUBSCRIBE_STAFF)
            own_redis.stop()  # the test's own redis-server, never the machine's
            try:
                await asyncio.sleep(1.5)
                visitor = {"fullName": "During Outage", "email": "outage@example.com", "phone": "+447700900888"}
                during = (await http.post("/graphql", json={"query": BOOK, "variables": {"input": book_input(demo, client=visitor)}})).json()
                assert during["data"]["bookAppointment"]["userErrors"] == []  # booking stands without Redis
            finally:
                own_redis.start()
            visitor = {"fullName": "After Outage", "email": "after@example.com", "phone": "+447700900889"}
            after = (await http.post("/graphql", json={"query": BOOK, "variables": {"input": book_input(demo, start=at(6, 9), client=visitor)}})).json()
            assert after["data"]["bookAppointment"]["userErrors"] == []
            # The socket is the same one: the processes reconnect by themselves, and the
            # booking made while Redis was away arrives too, first, then the one after.
            delivered = []
            for _ in range(2):
                message = json.loads(await asyncio.wait_for(ws.recv(), 20))
                delivered.append(message["payload"]["data"]["calendarUpdates"]["appointment"]["id"])
            assert delivered == [during["data"]["bookAppointment"]["appointment"]["id"], after["data"]["bookAppointment"]["appointment"]["id"]]
            await ws.close()
            # The events may arrive from the log before Redis does: its return is logged too.
            for _ in range(200):
                if "redis pub/sub is back after" in listening.log_text():
                    break
                await asyncio.sleep(0.1)
        log = listening.log_text()
        assert "redis pub/sub lost" in log and "redis pub/sub is back after" in log
