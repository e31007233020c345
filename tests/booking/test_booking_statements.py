"""How many SQL statements a booking takes, whole GraphQL request included
(BEGIN and COMMIT not counted): the budget is 6 for a signed-in client or
staff and 8 for a typed-in new client, on PostgreSQL. Counted as the
booking page books: it has asked for the day's free times first, and sends
an idempotency key.

On PostgreSQL a booking runs: the credential (with its staff user), the
check of the clinic's event log, the client with their discount, covering
membership and earlier use of the key, what stands in the way, the
appointment's INSERT, and one statement writing its outbox messages,
idempotency key and events. SQLite writes the last one's parts one by one."""

from __future__ import annotations

from models import Membership
from tests.conftest import client_token, staff_token
from bench.common import sql_statements
from tests.support.booking import BOOK, SLOTS, at, book_input, working_day

PG_BUDGET = {"client": 6, "staff": 6, "new client": 8}
# What each takes now (a change that adds a statement shows here first).
PG = {"client": 6, "staff": 6, "new client": 7, "client with a membership": 8}
SQLITE = {"client": 9, "staff": 9, "new client": 10, "client with a membership": 12}


async def _count(api, demo, backend, token: str | None, hour: int, **extra) -> list[str]:
    day = working_day(6).date().isoformat()
    clinic = demo["demo"]
    facial = str(clinic.treatments["Facial"].id)
    await api.data(SLOTS, {"c": "demo", "t": facial, "f": day, "l": day}, token=token)  # the page's free times
    inp = book_input(demo, start=at(6, hour), idempotencyKey=f"key-{hour}", **extra)
    with sql_statements() as statements:
        data = await api.data(BOOK, {"input": inp}, token=token)
    assert data["bookAppointment"]["userErrors"] == [], data
    return list(statements)


async def test_a_booking_takes_a_handful_of_statements_by_every_route(api, demo, backend):
    expected = PG if backend.name == "postgres" else SQLITE
    d = demo["demo"]
    client = await client_token(api)
    staff = await staff_token(api)
    with_membership = await _count(api, demo, backend, client, 9)
    await Membership.filter(clinic_id=d.clinic.id, client_id=d.client.id).delete()
    counted = {
        "client": await _count(api, demo, backend, client, 11),
        "staff": await _count(api, demo, backend, staff, 13, clientId=str(d.client.id)),
        "new client": await _count(
            api, demo, backend, None, 15, client={"fullName": "New Person", "email": "new.person@example.com", "phone": "+447700900999"}
        ),
        "client with a membership": with_membership,
    }
    shown = "\n".join(f"--- {route}\n" + "\n".join(s[:160] for s in found) for route, found in counted.items())
    assert {route: len(found) for route, found in counted.items()} == expected, shown
    if backend.name == "postgres":
        assert all(len(counted[route]) <= budget for route, budget in PG_BUDGET.items()), shown
