"""idempotencyKey: replay the same request, refuse a different one."""

import asyncio
from datetime import UTC, datetime, timedelta

from models import Appointment, IdempotencyKey
from tests.support.booking import BOOK, at, book_input, errors
from tests.conftest import client_token, staff_token


async def test_the_same_key_and_input_replays_the_first_booking(api, demo):
    token = await client_token(api)
    variables = {"input": book_input(demo, idempotencyKey="order-1")}
    first = (await api.data(BOOK, variables, token))["bookAppointment"]
    again = (await api.data(BOOK, variables, token))["bookAppointment"]
    assert again["userErrors"] == [] and again["appointment"]["id"] == first["appointment"]["id"]
    assert await Appointment.filter(client_id=demo["demo"].client.id).count() == 3  # two seeded + one


async def test_the_same_key_with_other_input_is_a_conflict(api, demo):
    token = await client_token(api)
    await api.data(BOOK, {"input": book_input(demo, idempotencyKey="order-2")}, token)
    other = (await api.data(BOOK, {"input": book_input(demo, start=at(5, 14), idempotencyKey="order-2")}, token))
    assert errors(other["bookAppointment"]) == ["IDEMPOTENCY_CONFLICT"]


async def test_keys_belong_to_the_caller(api, demo):
    client, staff = await client_token(api), await staff_token(api)
    mine = (await api.data(BOOK, {"input": book_input(demo, idempotencyKey="shared")}, client))["bookAppointment"]
    theirs = (
        await api.data(
            BOOK,
            {"input": book_input(demo, start=at(5, 14), idempotencyKey="shared", clientId=str(demo["demo"].client.id))},
            staff,
        )
    )["bookAppointment"]
    assert theirs["userErrors"] == [] and theirs["appointment"]["id"] != mine["appointment"]["id"]


async def test_a_failed_attempt_does_not_spend_the_key(api, demo):
    token = await client_token(api)
    soon = (datetime.now(UTC) + timedelta(minutes=10)).replace(second=0, microsecond=0).isoformat()  # inside the 1 h notice
    refused = (await api.data(BOOK, {"input": book_input(demo, start=soon, idempotencyKey="k")}, token))["bookAppointment"]
    assert errors(refused) == ["OUTSIDE_BOOKING_WINDOW"]
    assert not await IdempotencyKey.exists(key="k")


async def test_concurrent_requests_with_one_key_book_once(api, demo):
    token = await client_token(api)
    variables = {"input": book_input(demo, idempotencyKey="burst")}
    answers = await asyncio.gather(*(api.data(BOOK, variables, token) for _ in range(10)))
    ids = {a["bookAppointment"]["appointment"]["id"] for a in answers}
    assert len(ids) == 1, answers
    assert await IdempotencyKey.filter(key="burst").count() == 1


async def test_keys_are_kept_at_least_a_day(api, demo):
    token = await client_token(api)
    await api.data(BOOK, {"input": book_input(demo, idempotencyKey="kept")}, token)
    row = await IdempotencyKey.get(key="kept")
    assert (row.expires_at - row.created_at).total_seconds() >= 24 * 3600


async def test_two_visitors_may_use_the_same_key(api, demo):
    first = {"fullName": "First Visitor", "email": "first@example.com", "phone": "+447700900301"}
    second = {"fullName": "Second Visitor", "email": "second@example.com", "phone": "+447700900302"}
    one = (await api.data(BOOK, {"input": book_input(demo, client=first, idempotencyKey="k1")}))["bookAppointment"]
    two = (await api.data(BOOK, {"input": book_input(demo, client=second, idempotencyKey="k1")}))["bookAppointment"]
    assert one["userErrors"] == [] and two["userErrors"] == []
    assert one["appointment"]["id"] != two["appointment"]["id"]
