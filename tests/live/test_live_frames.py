"""What goes out on the wire for live events: one encoding per audience,
each frame carrying its own operation id, and nobody's frame reaching a
subscriber who may not see it. Real sockets against a real server."""

import asyncio
import json

import httpx
import pytest
import websockets

from tests.support.admin import partner_key
from tests.support.booking import BOOK, book_input
from tests.conftest import FAST_HASH_ENV
from tests.support.servers import running_server

STAFF_QUERY = "subscription { calendarUpdates { kind appointment { id status } } }"
CLIENT_QUERY = "subscription { myAppointmentUpdates { kind appointment { id status } } }"
STAFF_SIGN_IN = 'mutation { staffSignIn(email: "owner@demo.clinic", password: "demo-owner-pass") { session { token } } }'
CLIENT_SIGN_IN = 'mutation { signIn(clinicSlug: "demo", email: "client@demo.clinic", password: "demo-client-pass") { session { token } } }'


@pytest.fixture
async def server(backend, demo):
    async with running_server({"DATABASE_URL": backend.url, **FAST_HASH_ENV}) as running:
        yield running


async def _token(http: httpx.AsyncClient, mutation: str) -> str:
    body = (await http.post("/graphql", json={"query": mutation})).json()
    return next(iter(body["data"].values()))["session"]["token"]


async def _subscribe(url: str, token: str, query: str, operation_id: str):
    ws = await websockets.connect(url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": {"query": query}}))
    return ws


def _payload_text(frame: str, operation_id: str) -> str:
    """The frame's payload exactly as sent, after checking the envelope."""
    prefix = '{"id":' + json.dumps(operation_id) + ',"type":"next","payload":'
    assert frame.startswith(prefix) and frame.endswith("}"), frame
    return frame[len(prefix):-1]


async def test_two_staff_sockets_get_byte_identical_payloads_each_under_its_own_operation_id(server, demo):
    async with httpx.AsyncClient(base_url=server.url) as http:
        staff = [await _token(http, STAFF_SIGN_IN) for _ in range(2)]
        first = await _subscribe(server.url, staff[0], STAFF_QUERY, "calendar-a")
        second = await _subscribe(server.url, staff[1], STAFF_QUERY, "7")
        await asyncio.sleep(0.3)
        booked = (await http.post("/graphql", json={"query": BOOK, "variables": {"input": book_input(demo)}},
                                  headers={"authorization": f"Bearer {await _token(http, CLIENT_SIGN_IN)}"})).json()  # fmt: skip
        appointment_id = booked["data"]["bookAppointment"]["appointment"]["id"]
        frames = [await asyncio.wait_for(ws.recv(), 5) for ws in (first, second)]
        texts = [_payload_text(frames[0], "calendar-a"), _payload_text(frames[1], "7")]
        assert texts[0] == texts[1]
        event = json.loads(texts[0])["data"]["calendarUpdates"]
        assert event == {"kind": "BOOKED", "appointment": {"id": appointment_id, "status": "BOOKED"}}
        for ws in (first, second):
            await ws.close()


async def test_a_client_socket_never_receives_the_frame_of_someone_elses_booking(server, demo):
    async with httpx.AsyncClient(base_url=server.url) as http:
        staff = await _subscribe(server.url, await _token(http, STAFF_SIGN_IN), STAFF_QUERY, "s")
        client = await _subscribe(server.url, await _token(http, CLIENT_SIGN_IN), CLIENT_QUERY, "c")
        await asyncio.sleep(0.3)
        visitor = {"fullName": "Someone Else", "email": "else@example.com", "phone": "+447700900555"}
        booked = (await http.post("/graphql", json={"query": BOOK, "variables": {"input": book_input(demo, client=visitor)}})).json()
        appointment_id = booked["data"]["bookAppointment"]["appointment"]["id"]
        assert appointment_id in await asyncio.wait_for(staff.recv(), 5)  # the event did go out
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.recv(), 1)
        for ws in (staff, client):
            await ws.close()


async def test_a_client_asking_for_the_clinic_calendar_is_refused_on_the_stream(server, demo):
    async with httpx.AsyncClient(base_url=server.url) as http:
        ws = await _subscribe(server.url, await _token(http, CLIENT_SIGN_IN), STAFF_QUERY, "x")
        messages = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(2)]
        assert messages[0]["id"] == "x" and messages[0]["payload"]["data"] is None
        assert messages[0]["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # as for any call the credential may not make
        assert messages[1] == {"id": "x", "type": "complete"}
        await ws.close()


async def test_whom_a_booking_is_for_reaches_only_the_sockets_that_may_read_client_records(server, demo):
    """Two partner keys of one clinic, one with the read scope: the same
    subscription document, but not the same rendering."""
    query = "subscription { calendarUpdates { kind appointment { id client { fullName phone } } } }"
    reader = await _subscribe(server.url, await partner_key("demo", ["calendar", "read"]), query, "r")
    diary_only = await _subscribe(server.url, await partner_key("demo", ["calendar"]), query, "d")
    await asyncio.sleep(0.3)
    visitor = {"fullName": "Pat Walker", "email": "pat.walker@example.com", "phone": "+447700900123"}
    async with httpx.AsyncClient(base_url=server.url) as http:
        await http.post("/graphql", json={"query": BOOK, "variables": {"input": book_input(demo, client=visitor)}})
    heard = {
        name: json.loads(_payload_text(await asyncio.wait_for(ws.recv(), 5), name))["data"]["calendarUpdates"]["appointment"]
        for name, ws in (("r", reader), ("d", diary_only))
    }
    assert heard["r"]["client"] == {"fullName": "Pat Walker", "phone": "+447700900123"}
    assert heard["d"]["client"] is None
    for ws in (reader, diary_only):
        await ws.close()
