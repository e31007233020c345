"""A recurring series on the live calendar: every occurrence booked or
cancelled is heard, once its transaction commits."""

import httpx
import pytest

from tests.conftest import FAST_HASH_ENV
from tests.live.test_subscriptions import _next, _subscribe, _token
from tests.support.series import BOOK_SERIES, CANCEL_SCOPED, series_input
from tests.support.servers import running_server

STAFF_SIGN_IN = 'mutation { staffSignIn(email: "owner@demo.clinic", password: "demo-owner-pass") { session { token } } }'
SUBSCRIBE = "subscription { calendarUpdates { kind appointment { id status series { id } } } }"


@pytest.fixture
async def server(backend, demo):
    async with running_server({"DATABASE_URL": backend.url, **FAST_HASH_ENV}) as running:
        yield running


async def test_staff_hear_each_occurrence_booked_and_each_cancelled(server, demo):
    async with httpx.AsyncClient(base_url=server.url) as http:
        staff = await _token(http, STAFF_SIGN_IN)
        ws = await _subscribe(server.url, staff, SUBSCRIBE)
        headers = {"authorization": f"Bearer {staff}"}
        answer = await http.post("/graphql", json={"query": BOOK_SERIES, "variables": {"input": series_input(demo, count=3)}}, headers=headers)
        made = answer.json()["data"]["bookSeries"]
        assert made["userErrors"] == []
        heard = [(await _next(ws))["calendarUpdates"] for _ in made["appointments"]]
        assert [(e["kind"], e["appointment"]["id"]) for e in heard] == [("BOOKED", a["id"]) for a in made["appointments"]]
        assert {e["appointment"]["series"]["id"] for e in heard} == {made["series"]["id"]}
        later = made["appointments"][1:]
        cancel = {"id": later[0]["id"], "scope": "THIS_AND_FOLLOWING"}
        done = (await http.post("/graphql", json={"query": CANCEL_SCOPED, "variables": cancel}, headers=headers)).json()
        assert done["data"]["cancelAppointment"]["userErrors"] == []
        heard = [(await _next(ws))["calendarUpdates"] for _ in later]
        assert [(e["kind"], e["appointment"]["id"], e["appointment"]["status"]) for e in heard] == [
            ("CANCELLED", a["id"], "CANCELLED") for a in later
        ]
        await ws.close()
