"""A subscription's executor does not keep something per event delivered."""

import asyncio

from graphql import build_schema, parse
from graphql.execution.executor import Executor

from schema import per_event_memo

SDL = "type Query { dummy: String } type Thing { a: Int b: Int } type Subscription { thing: Thing }"


def test_event_executors_do_not_add_to_the_subscriptions_memo():
    per_event_memo.install()
    executor = Executor.build(build_schema(SDL), parse("subscription { thing { a b } }"))
    for n in range(50):
        result = executor.build_per_event_executor({"thing": {"a": n, "b": n}}).execute_operation(False)
        assert result.data == {"thing": {"a": n, "b": n}}
    assert len(executor._relevant_sub_fields) == 0


async def _two_subscriptions(principals, query):
    from schema import build_schema
    from schema.context import Context
    from tests.conftest import TEST_SETTINGS

    schema = build_schema(TEST_SETTINGS)
    streams = [await schema.subscribe(query, context_value=Context(request=None, principal=p)) for p in principals]
    firsts = [asyncio.ensure_future(stream.__anext__()) for stream in streams]
    await asyncio.sleep(0.2)  # both are listening
    return streams, firsts


async def test_subscribers_with_one_view_share_one_rendering_and_others_do_not(backend, demo):
    from models import Appointment, AppointmentStatus, CredentialKind, StaffUser
    from realtime import events
    from resolvers import credentials

    owner = await StaffUser.get(email="owner@demo.clinic")
    tokens = [(await credentials.issue(CredentialKind.STAFF_SESSION, owner.clinic_id, staff_id=owner.id, lifetime=None))[0] for _ in range(2)]
    api_key, _ = await credentials.issue(CredentialKind.API_KEY, owner.clinic_id, lifetime=None, scopes=["calendar"])
    staff_a, staff_b, partner = [await credentials.principal_for_token(t) for t in (*tokens, api_key)]
    query = "subscription { calendarUpdates { kind appointment { id canCancel price { amount } } } }"
    streams, firsts = await _two_subscriptions([staff_a, staff_b, partner], query)
    row = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    events.publish(events.UPDATED, row)
    first, second, third = await asyncio.wait_for(asyncio.gather(*firsts), 5)
    assert first.errors is None and first.data["calendarUpdates"]["appointment"]["id"] == str(row.id)
    assert first.data is second.data  # rendered once for the two staff sessions
    assert third.data == first.data and third.data is not first.data  # a partner has its own view
    for stream in streams:
        await stream.aclose()
