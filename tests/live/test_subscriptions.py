"""Live calendar over real websockets against a real server process."""

import asyncio
import json

import httpx
import pytest
import websockets

from tests.support.booking import BOOK, CANCEL, book_input
from tests.conftest import FAST_HASH_ENV
from tests.support.servers import running_server

SUBSCRIBE_STAFF = "subscription { calendarUpdates { kind appointment { id status practitioner { name } } } }"
SUBSCRIBE_CLIENT = "subscription { myAppointmentUpdates { kind appointment { id status } } }"


async def _token(client: httpx.AsyncClient, mutation: str) -> str:
    body = (await client.post("/graphql", json={"query": mutation})).json()
    payload = next(iter(body["data"].values()))
    return payload["session"]["token"]


async def _subscribe(url: str, token: str | None, query: str):
    ws = await websockets.connect(url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"} if token else {}}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert ack["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    await asyncio.sleep(0.3)  # let the server subscribe to the channel
    return ws


async def _next(ws) -> dict:
    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message["type"] == "next", message
    return message["payload"]["data"]


@pytest.fixture
async def server(backend, demo):
    async with running_server({"DATABASE_URL": backend.url, **FAST_HASH_ENV}) as running:
        yield running


async def test_staff_see_a_portal_booking_and_its_cancellation_at_once(server, demo):
    async with httpx.AsyncClient(base_url=server.url) as http:
        staff = await _token(http, 'mutation { staffSignIn(email: "owner@demo.clinic", password: "demo-owner-pass") { session { token } } }')
        client = await _token(http, 'mutation { signIn(clinicSlug: "demo", email: "client@demo.clinic", password: "demo-client-pass") { session { token } } }')
        other_clinic = await _token(http, 'mutation { staffSignIn(email: "owner@northside.clinic", password: "northside-owner-pass") { session { token } } }')
        ws = await _subscribe(server.url, staff, SUBSCRIBE_STAFF)
        stranger = await _subscribe(server.url, other_clinic, SUBSCRIBE_STAFF)
        mine = await _subscribe(server.url, client, SUBSCRIBE_CLIENT)
        headers = {"authorization": f"Bearer {client}"}
        booked = (await http.post("/graphql", json={"query": BOOK, "variables": {"input": book_input(demo)}}, headers=headers)).json()
        appointment_id = booked["data"]["bookAppointment"]["appointment"]["id"]
        event = (await _next(ws))["calendarUpdates"]
        assert event["kind"] == "BOOKED" and event["appointment"]["id"] == appointment_id
        assert (await _next(mine))["myAppointmentUpdates"]["appointment"]["id"] == appointment_id
        await http.post("/graphql", json={"query": CANCEL, "variables": {"id": appointment_id}}, headers=headers)
        event = (await _next(ws))["calendarUpdates"]
        assert event["kind"] == "CANCELLED" and event["appointment"]["status"] == "CANCELLED"
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(stranger.recv(), 1)  # northside heard nothing of demo
        for socket in (ws, stranger, mine):
            await socket.close()


async def test_a_client_hears_only_their_own_appointments(server, demo):
    async with httpx.AsyncClient(base_url=server.url) as http:
        client = await _token(http, 'mutation { signIn(clinicSlug: "demo", email: "client@demo.clinic", password: "demo-client-pass") { session { token } } }')
        mine = await _subscribe(server.url, client, SUBSCRIBE_CLIENT)
        visitor = {"fullName": "Someone Else", "email": "else@example.com", "phone": "+447700900555"}
        await http.post("/graphql", json={"query": BOOK, "variables": {"input": book_input(demo, client=visitor)}})
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(mine.recv(), 1)
        await mine.close()


async def test_a_refused_credential_closes_the_socket_with_4403(server):
    ws = await websockets.connect(server.url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer not-a-real-token"}}))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd.code == 4403


async def test_a_socket_without_a_credential_may_watch_free_times_only(server):
    ws = await _subscribe(server.url, None, SUBSCRIBE_STAFF)  # accepted: the booking page watches free times
    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message["type"] == "next" and message["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await ws.close()


async def test_sockets_without_a_credential_are_counted_per_network(backend, demo):
    env = {"DATABASE_URL": backend.url, "ANONYMOUS_WS_PER_MINUTE": "3", **FAST_HASH_ENV}
    async with running_server(env) as limited:
        url = limited.url.replace("http", "ws") + "/graphql"
        codes = []
        for _ in range(4):
            ws = await websockets.connect(url, subprotocols=["graphql-transport-ws"])
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            try:
                codes.append(json.loads(await asyncio.wait_for(ws.recv(), 5))["type"])
            except websockets.ConnectionClosed as closed:
                codes.append(closed.rcvd.code)
            await ws.close()
        assert codes == ["connection_ack"] * 3 + [4403]


MALFORMED_FRAMES = [
    "[]",
    '[{"type": "connection_init"}]',
    '"connection_init"',
    "42",
    "null",
    '{"type": "subscribe", "id": "1", "payload": ["not", "an", "object"]}',
    '{"type": "subscribe", "id": "1", "payload": "{ __typename }"}',
    '{"type": "subscribe", "id": ["1"], "payload": {"query": "subscription { myAppointmentUpdates { kind } }"}}',
    '{"type": "complete", "id": {"not": "a string"}}',
]


async def test_a_frame_that_is_json_but_not_a_message_closes_the_socket_with_4400(server):
    async with httpx.AsyncClient(base_url=server.url) as http:
        client = await _token(http, 'mutation { signIn(clinicSlug: "demo", email: "client@demo.clinic", password: "demo-client-pass") { session { token } } }')
    for frame in MALFORMED_FRAMES:
        ws = await websockets.connect(server.url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {client}"}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        await ws.send(frame)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400, frame


async def test_only_the_graphql_transport_ws_protocol_is_spoken(server):
    ws = await websockets.connect(server.url.replace("http", "ws") + "/graphql", subprotocols=["graphql-ws"])
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd.code == 4406
