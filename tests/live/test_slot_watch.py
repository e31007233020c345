"""`availableSlotsChanged`: the booking page hears a time it shows taken
and freed again, for the affected day only, without who took it."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from resolvers.core.principal import ANONYMOUS
from tests.conftest import staff_token
from tests.live.test_cursors import Stream
from tests.support.booking import BOOK, CANCEL, at, book_input, working_day

WATCH = (
    "subscription($slug: String!, $t: ID!, $from: Date!, $to: Date!, $p: ID) {"
    " availableSlotsChanged(clinicSlug: $slug, treatmentId: $t, from: $from, to: $to, practitionerId: $p)"
    " { days { date slots { start practitioner { id name } } } } }"
)
SLOTS = (
    "query($slug: String!, $t: ID!, $from: Date!, $to: Date!) {"
    " availableSlots(clinicSlug: $slug, treatmentId: $t, from: $from, to: $to) { start practitioner { id } } }"
)


def _range(demo, first: int, last: int, **extra) -> dict:
    return {"slug": "demo", "t": str(demo["demo"].treatments["Facial"].id),
            "from": working_day(first).date().isoformat(), "to": working_day(last).date().isoformat(), **extra}


async def test_a_watcher_sees_a_time_taken_and_freed_on_that_day_only(api, demo, runtime):
    variables = _range(demo, 5, 12)
    sam = str(demo["demo"].practitioners["Sam Patel"].id)
    async with Stream(runtime, ANONYMOUS, WATCH, **variables) as watch:
        start = at(5, 11)
        booked = await api.data(BOOK, {"input": book_input(demo, start=start, practitionerId=sam, client={
            "fullName": "Taker", "email": "taker@example.com", "phone": "+447700900123"})})
        appointment = booked["bookAppointment"]["appointment"]
        change = await watch.next()
        assert [day["date"] for day in change["days"]] == [working_day(5).date().isoformat()]
        free_now = (await api.data(SLOTS, {**variables, "to": variables["from"]}))["availableSlots"]
        assert [(s["start"], s["practitioner"]["id"]) for s in change["days"][0]["slots"]] == [
            (s["start"], s["practitioner"]["id"]) for s in free_now
        ]  # the day as availableSlots now answers it
        assert not any(s["start"] == appointment["start"] and s["practitioner"]["id"] == sam for s in change["days"][0]["slots"])
        assert "Taker" not in str(change)
        staff = await staff_token(api)
        assert (await api.data(CANCEL, {"id": appointment["id"]}, staff))["cancelAppointment"]["userErrors"] == []
        reopened = await watch.next()
        assert any(s["start"] == appointment["start"] and s["practitioner"]["id"] == sam for s in reopened["days"][0]["slots"])
        assert await watch.quiet()


async def test_a_change_outside_the_watched_range_or_of_another_treatments_diary_is_not_heard(api, demo, runtime):
    async with Stream(runtime, ANONYMOUS, WATCH, **_range(demo, 8, 9)) as watch:
        await api.data(BOOK, {"input": book_input(demo, start=at(5, 11), client={
            "fullName": "Elsewhere", "email": "elsewhere@example.com", "phone": "+447700900124"})})
        assert await watch.quiet(0.8)


async def test_watches_are_bounded(api, demo, runtime):
    too_long = _range(demo, 5, 60)
    async with Stream(runtime, ANONYMOUS, WATCH, **too_long) as watch:
        assert await watch.error_code() == "INVALID_INPUT"
    unknown = {**_range(demo, 5, 6), "t": "00000000-0000-0000-0000-000000000000"}
    async with Stream(runtime, ANONYMOUS, WATCH, **unknown) as watch:
        assert await watch.error_code() in ("NOT_FOUND", "INVALID_INPUT")


async def test_one_anonymous_connection_may_hold_only_a_few_watches(backend, demo):
    import json

    import websockets

    from tests.conftest import FAST_HASH_ENV
    from tests.support.servers import running_server

    variables = _range(demo, 5, 6)
    async with running_server({"DATABASE_URL": backend.url, **FAST_HASH_ENV}) as server:
        ws = await websockets.connect(server.url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        for n in range(1, 5):
            await ws.send(json.dumps({"id": str(n), "type": "subscribe", "payload": {"query": WATCH, "variables": variables}}))
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert message["id"] == "4" and message["payload"]["errors"][0]["extensions"]["code"] == "RATE_LIMITED", message
        await ws.send(json.dumps({"id": "1", "type": "complete"}))
        await asyncio.sleep(0.2)
        await ws.send(json.dumps({"id": "5", "type": "subscribe", "payload": {"query": WATCH, "variables": variables}}))
        heard = []
        with pytest.raises(TimeoutError):
            while True:
                heard.append(json.loads(await asyncio.wait_for(ws.recv(), 0.8)))
        assert not [m for m in heard if m.get("id") == "5"], heard  # a freed place is taken again: no refusal
        await ws.close()


async def test_a_held_time_disappears_for_watchers_and_comes_back_when_released(api, demo, runtime):
    hold = (
        "mutation($s: String!, $t: ID!, $start: DateTime!, $p: ID) { holdSlot(clinicSlug: $s, treatmentId: $t, start: $start,"
        " practitionerId: $p) { hold { id } userErrors { code } } }"
    )
    release = "mutation($id: ID!) { releaseHold(id: $id) { userErrors { code } } }"
    variables = _range(demo, 5, 12)
    sam = str(demo["demo"].practitioners["Sam Patel"].id)
    start = at(5, 11)
    async with Stream(runtime, ANONYMOUS, WATCH, **variables) as watch:
        held = (await api.data(hold, {"s": "demo", "t": variables["t"], "start": start, "p": sam}))["holdSlot"]
        assert held["userErrors"] == []
        taken = await watch.next()
        shown = {(s["start"], s["practitioner"]["id"]) for s in taken["days"][0]["slots"]}
        assert not any(s[1] == sam and s[0][:16] == start[:16] for s in shown)
        released = (await api.data(release, {"id": held["hold"]["id"]}))["releaseHold"]
        assert released["userErrors"] == []
        back = await watch.next()
        assert len(back["days"][0]["slots"]) > len(taken["days"][0]["slots"])


async def test_a_roster_change_moves_the_free_times_watched(api, demo, runtime):
    variables = _range(demo, 5, 12)
    staff = await staff_token(api)
    async with Stream(runtime, ANONYMOUS, WATCH, **variables) as watch:
        added = await api.data(
            "mutation($p: ID!, $d: Date!) { addRosterException(practitionerId: $p, date: $d, kind: EXTRA, start: \"18:00\","
            " end: \"20:00\") { userErrors { code } } }",
            {"p": str(demo["demo"].practitioners["Alex Morgan"].id), "d": variables["from"]}, staff,
        )
        assert added["addRosterException"]["userErrors"] == []
        change = await watch.next()
        assert [day["date"] for day in change["days"]] == [variables["from"]]
        alex = str(demo["demo"].practitioners["Alex Morgan"].id)
        evening = datetime.fromisoformat(at(5, 18))
        assert any(datetime.fromisoformat(s["start"]) == evening and s["practitioner"]["id"] == alex
                   for s in change["days"][0]["slots"])  # the extra hours are free times now  # fmt: skip
