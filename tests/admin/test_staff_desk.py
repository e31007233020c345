"""What staff do all day: find, add, edit and merge client records, and
mark how appointments went."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from models import Appointment, AppointmentSource, AppointmentStatus, Client, utcnow
from resolvers.account import credentials
from resolvers.booking import live
from resolvers.booking import side_effects
from tests.support.admin import USER_ERRORS, codes, partner_key, practitioner_token, top_level_code
from tests.conftest import client_token, staff_token

CLIENTS = (
    "query($s: String, $first: Int, $after: String) { clients(search: $s, first: $first, after: $after) {"
    " totalCount edges { cursor node { id fullName email phone hasPortalAccount } } pageInfo { hasNextPage endCursor } } }"
)
CREATE = f"mutation($input: ClientInput!) {{ createClient(input: $input) {{ client {{ id fullName email phone }} {USER_ERRORS} }} }}"
UPDATE = (
    "mutation($id: ID!, $input: ClientInput!) { updateClient(id: $id, input: $input) {"
    f" client {{ id fullName email phone language }} {USER_ERRORS} }} }}"
)
MERGE = (
    "mutation($k: ID!, $d: ID!) { mergeClients(keepId: $k, duplicateId: $d) {"
    f" client {{ id fullName email phone hasPortalAccount }} {USER_ERRORS} }} }}"
)
MARK = (
    "mutation($id: ID!, $o: AppointmentOutcome!) { markAppointment(id: $id, outcome: $o) {"
    f" appointment {{ id status }} {USER_ERRORS} }} }}"
)


async def _appointment(clinic, client, practitioner, treatment, start, status=AppointmentStatus.BOOKED) -> Appointment:
    end = start + timedelta(minutes=treatment.duration_minutes)
    return await Appointment.create(
        clinic=clinic,
        practitioner=practitioner,
        treatment=treatment,
        client=client,
        start_at=start,
        end_at=end,
        occupied_start=start,
        occupied_end=end,
        status=status,
        source=AppointmentSource.STAFF,
        price=treatment.price,
        currency=clinic.currency,
    )


async def test_staff_create_find_and_edit_clients(api, demo):
    owner = await staff_token(api)
    created = (await api.data(CREATE, {"input": {"fullName": "Ada Lovelace", "email": "ADA@example.com", "phone": "07700 900123"}}, owner))
    assert created["createClient"]["userErrors"] == []
    ada = created["createClient"]["client"]
    assert ada["email"] == "ada@example.com" and ada["phone"] == "+447700900123"
    for search in ("lovelace", "ADA@EX", "900123", "+44 7700 900123", "07700 900123", "07700900123", "07700 90012"):
        found = (await api.data(CLIENTS, {"s": search}, owner))["clients"]
        assert [e["node"]["fullName"] for e in found["edges"]] == ["Ada Lovelace"], search
    assert (await api.data(CLIENTS, {"s": "nobody-like-this"}, owner))["clients"]["totalCount"] == 0
    edited = (await api.data(UPDATE, {"id": ada["id"], "input": {"phone": None, "language": "fr"}}, owner))["updateClient"]
    assert edited["client"]["phone"] is None and edited["client"]["language"] == "fr"
    assert edited["client"]["email"] == "ada@example.com"
    duplicate = (await api.data(CREATE, {"input": {"fullName": "Ada Again", "email": "ada@example.com"}}, owner))
    assert codes(duplicate["createClient"]) == ["INVALID_INPUT"]
    assert duplicate["createClient"]["userErrors"][0]["field"] == ["input", "email"]
    taken = (await api.data(UPDATE, {"id": ada["id"], "input": {"phone": "+447700900001"}}, owner))["updateClient"]
    assert codes(taken) == ["INVALID_INPUT"] and taken["userErrors"][0]["field"] == ["input", "phone"]
    bad = (await api.data(UPDATE, {"id": ada["id"], "input": {"email": "not-an-email"}}, owner))["updateClient"]
    assert codes(bad) == ["INVALID_INPUT"]


async def test_client_search_is_paginated_by_name(api, demo):
    owner = await staff_token(api)
    for n in range(5):
        await api.data(CREATE, {"input": {"fullName": f"Page Person {n}"}}, owner)
    names, after = [], None
    while True:
        page = (await api.data(CLIENTS, {"s": "page person", "first": 2, "after": after}, owner))["clients"]
        assert page["totalCount"] == 5
        names += [e["node"]["fullName"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert names == [f"Page Person {n}" for n in range(5)]
    assert top_level_code(await api.post(CLIENTS, {"first": 0}, token=owner)) == "INVALID_INPUT"
    assert top_level_code(await api.post(CLIENTS, {"after": "bogus"}, token=owner)) == "INVALID_INPUT"


async def test_clients_of_another_clinic_are_not_found_and_clients_cannot_search(api, demo):
    owner = await staff_token(api)
    northside_client = str(demo["northside"].client.id)
    assert (await api.data("query($id: ID!) { client(id: $id) { id } }", {"id": northside_client}, owner))["client"] is None
    result = (await api.data(UPDATE, {"id": northside_client, "input": {"fullName": "Taken Over"}}, owner))["updateClient"]
    assert codes(result) == ["NOT_FOUND"]
    names = [e["node"]["fullName"] for e in (await api.data(CLIENTS, {}, owner))["clients"]["edges"]]
    assert names == ["Jamie Client"]
    assert top_level_code(await api.post(CLIENTS, {}, token=await client_token(api))) == "UNAUTHENTICATED"
    calendar_only = await partner_key("demo", ["calendar"])
    assert top_level_code(await api.post(CLIENTS, {}, token=calendar_only)) == "UNAUTHENTICATED"
    reader = await partner_key("demo", ["read"])
    assert (await api.data(CLIENTS, {}, reader))["clients"]["totalCount"] == 1
    assert codes((await api.data(CREATE, {"input": {"fullName": "X"}}, reader))["createClient"]) == ["UNAUTHENTICATED"]


async def test_merging_moves_appointments_and_keeps_the_missing_details(api, demo):
    d = demo["demo"]
    owner = await staff_token(api)
    keep = await Client.create(clinic=d.clinic, full_name="Jo Bloggs", phone="+447700900555")
    now = utcnow().replace(second=0, microsecond=0)
    facial, alex = d.treatments["Facial"], d.practitioners["Alex Morgan"]
    moved = [
        await _appointment(d.clinic, d.client, alex, facial, now - timedelta(days=30), AppointmentStatus.COMPLETED),
        await _appointment(d.clinic, d.client, alex, facial, now + timedelta(days=30)),
    ]
    before = await Appointment.filter(client_id=d.client.id).count()
    session = await client_token(api)
    merged = (await api.data(MERGE, {"k": str(keep.id), "d": str(d.client.id)}, owner))["mergeClients"]
    assert merged["userErrors"] == []
    assert merged["client"] == {
        "id": str(keep.id),
        "fullName": "Jo Bloggs",
        "email": "client@demo.clinic",  # taken from the duplicate, which had one
        "phone": "+447700900555",  # kept: the kept client had one
        "hasPortalAccount": True,
    }
    assert await Client.filter(id=d.client.id).count() == 0
    assert await Appointment.filter(client_id=keep.id).count() == before
    assert {a.id for a in moved} <= set(await Appointment.filter(client_id=keep.id).values_list("id", flat=True))
    # The duplicate's session is gone with it; the kept client signs in with the password it took over.
    gone = await api.post("{ me { id } }", token=session)
    assert "data" not in gone and gone["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    token = await api.sign_in("demo", "client@demo.clinic", "demo-client-pass")
    assert (await api.data("{ me { id } }", None, token))["me"]["id"] == str(keep.id)


async def test_merging_across_clinics_or_into_itself_is_refused_and_changes_nothing(api, demo):
    owner = await staff_token(api)
    mine, theirs = str(demo["demo"].client.id), str(demo["northside"].client.id)
    for keep, duplicate, code in ((mine, theirs, "NOT_FOUND"), (theirs, mine, "NOT_FOUND"), (mine, mine, "INVALID_INPUT")):
        result = (await api.data(MERGE, {"k": keep, "d": duplicate}, owner))["mergeClients"]
        assert codes(result) == [code]
    assert await Client.filter(id__in=[mine, theirs]).count() == 2
    practitioner = await practitioner_token(api)
    other = await Client.create(clinic=demo["demo"].clinic, full_name="Someone Else")
    result = (await api.data(MERGE, {"k": mine, "d": str(other.id)}, practitioner))["mergeClients"]
    assert codes(result) == ["UNAUTHENTICATED"]


async def test_a_failed_merge_rolls_back_every_move(api, demo, monkeypatch):
    from resolvers.admin import clients

    d = demo["demo"]
    keep = await Client.create(clinic=d.clinic, full_name="Keep Me")
    before = await Appointment.filter(client_id=d.client.id).count()

    class Boom:
        @staticmethod
        def filter(**_):
            raise RuntimeError("a later step fails")

    monkeypatch.setattr(clients, "MERGE_MOVES", [Boom])
    owner = await staff_token(api)
    body = await api.http.post(
        "/graphql", json={"query": MERGE, "variables": {"k": str(keep.id), "d": str(d.client.id)}},
        headers={"authorization": f"Bearer {owner}"},
    )
    assert body.json()["data"] is None or body.json()["data"]["mergeClients"] is None
    assert await Appointment.filter(client_id=d.client.id).count() == before
    assert await Appointment.filter(client_id=keep.id).count() == 0


async def test_marking_an_appointment_completed_publishes_updated_and_runs_the_planners(api, demo, monkeypatch, runtime):
    d = demo["demo"]
    owner = await staff_token(api)
    started = utcnow().replace(second=0, microsecond=0) - timedelta(hours=2)
    appointment = await _appointment(d.clinic, d.client, d.practitioners["Alex Morgan"], d.treatments["Facial"], started)
    planned = []

    async def planner(rt, kind, row, clinic, previous, rows):
        planned.append((kind, row.id, str(row.status)))

    monkeypatch.setattr(side_effects, "PLANNERS", [*side_effects.PLANNERS, planner])
    stream = live.calendar_events(runtime, await credentials.principal_for_token(runtime, owner), None)
    heard = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.1)  # listening
    result = (await api.data(MARK, {"id": str(appointment.id), "o": "COMPLETED"}, owner))["markAppointment"]
    assert result == {"appointment": {"id": str(appointment.id), "status": "COMPLETED"}, "userErrors": []}
    event = await asyncio.wait_for(heard, 5)
    await stream.aclose()
    assert event.kind.value == "UPDATED" and event.appointment.id == appointment.id
    assert planned == [("UPDATED", appointment.id, "COMPLETED")]
    assert (await Appointment.get(id=appointment.id)).status is AppointmentStatus.COMPLETED
    again = (await api.data(MARK, {"id": str(appointment.id), "o": "NO_SHOW"}, owner))["markAppointment"]
    assert codes(again) == ["APPOINTMENT_LOCKED"]


async def test_only_booked_appointments_that_have_started_can_be_marked(api, demo):
    d = demo["demo"]
    owner = await staff_token(api)
    now = utcnow().replace(second=0, microsecond=0)
    alex, facial = d.practitioners["Alex Morgan"], d.treatments["Facial"]
    future = await _appointment(d.clinic, d.client, alex, facial, now + timedelta(hours=3))
    cancelled = await _appointment(d.clinic, d.client, alex, facial, now - timedelta(hours=5), AppointmentStatus.CANCELLED)
    for row, outcome, code in ((future, "COMPLETED", "INVALID_INPUT"), (future, "NO_SHOW", "INVALID_INPUT"), (cancelled, "NO_SHOW", "APPOINTMENT_LOCKED")):
        result = (await api.data(MARK, {"id": str(row.id), "o": outcome}, owner))["markAppointment"]
        assert codes(result) == [code]
    assert (await Appointment.get(id=future.id)).status is AppointmentStatus.BOOKED


async def test_marking_follows_the_diary_rules_and_tenants(api, demo):
    d = demo["demo"]
    now = utcnow().replace(second=0, microsecond=0)
    sams = await _appointment(d.clinic, d.client, d.practitioners["Sam Patel"], d.treatments["Facial"], now - timedelta(hours=3))
    alexs = await _appointment(d.clinic, d.client, d.practitioners["Alex Morgan"], d.treatments["Facial"], now - timedelta(hours=3))
    alex = await practitioner_token(api)
    assert codes((await api.data(MARK, {"id": str(sams.id), "o": "NO_SHOW"}, alex))["markAppointment"]) == ["NOT_FOUND"]
    assert (await api.data(MARK, {"id": str(alexs.id), "o": "NO_SHOW"}, alex))["markAppointment"]["userErrors"] == []
    northside = await staff_token(api, "northside")
    assert codes((await api.data(MARK, {"id": str(sams.id), "o": "NO_SHOW"}, northside))["markAppointment"]) == ["NOT_FOUND"]
    client = await client_token(api)
    assert codes((await api.data(MARK, {"id": str(sams.id), "o": "COMPLETED"}, client))["markAppointment"]) == ["UNAUTHENTICATED"]
    assert (await Appointment.get(id=sams.id)).status is AppointmentStatus.BOOKED
