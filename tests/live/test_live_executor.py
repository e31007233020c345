"""The schema's executor: a subscription keeps nothing per event delivered,
and a subscription consumed in process (no websocket) still works as any
strawberry subscription."""

import asyncio

from graphql import build_schema, parse

from schema.live_executor import LiveExecutor

SDL = "type Query { dummy: String } type Thing { a: Int b: Int } type Subscription { thing: Thing }"


def test_event_executors_do_not_add_to_the_subscriptions_memo():
    executor = LiveExecutor.build(build_schema(SDL), parse("subscription { thing { a b } }"))
    for n in range(50):
        result = executor.build_per_event_executor({"thing": {"a": n, "b": n}}).execute_operation(False)
        assert result.data == {"thing": {"a": n, "b": n}}
    assert len(executor._relevant_sub_fields) == 0


async def test_an_in_process_subscription_still_hears_each_event(backend, demo, runtime):
    from models import Appointment, AppointmentStatus, CredentialKind, StaffUser
    from realtime import events
    from resolvers.account import credentials
    from schema import build_schema as build_app_schema
    from schema.context import Context
    from tests.conftest import TEST_SETTINGS
    from tests.support.live import logged

    owner = await StaffUser.get(email="owner@demo.clinic")
    token, _ = await credentials.issue(CredentialKind.STAFF_SESSION, owner.clinic_id, staff_id=owner.id, lifetime=None)
    api_key, _ = await credentials.issue(CredentialKind.API_KEY, owner.clinic_id, lifetime=None, scopes=["calendar"])
    staff, partner = [await credentials.principal_for_token(runtime, t) for t in (token, api_key)]
    schema = build_app_schema(TEST_SETTINGS)
    query = "subscription { calendarUpdates { kind appointment { id canCancel } } }"
    streams = [await schema.subscribe(query, context_value=Context(request=None, runtime=runtime, principal=p)) for p in (staff, partner)]
    firsts = [asyncio.ensure_future(stream.__anext__()) for stream in streams]
    await asyncio.sleep(0.2)  # both are listening
    row = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    await logged(runtime, events.UPDATED, row)
    for result in await asyncio.wait_for(asyncio.gather(*firsts), 5):
        assert result.errors is None
        assert result.data["calendarUpdates"]["kind"] == "UPDATED"
        assert result.data["calendarUpdates"]["appointment"]["id"] == str(row.id)
    for stream in streams:
        await stream.aclose()
