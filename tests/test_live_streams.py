"""Live streams in process: shared reads, credential re-checks, moves."""

import asyncio
import contextlib
from dataclasses import replace
from datetime import datetime

import pytest

from models import Appointment, AppointmentStatus, CredentialKind, StaffUser
from realtime import events
from realtime.events import AppointmentEvent
from resolvers import credentials, live, runtime
from resolvers.changes import reschedule_appointment
from resolvers.errors import DomainError
from tests.booking import at
from tests.conftest import TEST_SETTINGS


async def _principal(demo, email="owner@demo.clinic"):
    staff = await StaffUser.get(email=email)
    token, _ = await credentials.issue(CredentialKind.STAFF_SESSION, staff.clinic_id, staff_id=staff.id, lifetime=None)
    return await credentials.principal_for_token(token)


@contextlib.asynccontextmanager
async def _busy_clinic(row: Appointment):
    """Publishes an event about `row` every 50 ms while the block runs."""

    async def publish_forever():
        while True:
            events.publish(events.UPDATED, row)
            await asyncio.sleep(0.05)

    publisher = asyncio.create_task(publish_forever())
    try:
        yield
    finally:
        publisher.cancel()


async def test_one_subscriber_leaving_does_not_cancel_the_read_the_others_wait_for(backend, demo):
    row = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    event = AppointmentEvent(events.BOOKED, row.clinic_id, row.id, row.practitioner_id, row.client_id, row.created_at)
    memo: dict = {}
    leaving = asyncio.ensure_future(live._shared_row(event, memo))
    staying = asyncio.ensure_future(live._shared_row(event, memo))
    await asyncio.sleep(0)
    leaving.cancel()
    assert (await staying).id == row.id


async def test_a_revoked_session_ends_its_stream_even_in_a_busy_clinic(backend, demo):
    runtime.configure(replace(TEST_SETTINGS, database_url=backend.url, ws_recheck_seconds=0.2))
    principal = await _principal(demo)
    row = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)

    async def consume():
        received = 0
        async for _ in live.calendar_events(principal, None):
            received += 1
            if received == 3:
                await credentials.revoke(principal.credential_id)
        return received

    try:
        async with _busy_clinic(row):
            with pytest.raises(DomainError) as ended:
                await asyncio.wait_for(consume(), 5)
        assert ended.value.code.value == "UNAUTHENTICATED"
    finally:
        runtime.configure(replace(TEST_SETTINGS, database_url=backend.url))


async def test_a_revoked_session_ends_even_when_every_event_is_someone_elses(backend, demo):
    runtime.configure(replace(TEST_SETTINGS, database_url=backend.url, ws_recheck_seconds=0.2))
    sam = demo["demo"].practitioners["Sam Patel"]
    principal = await _principal(demo)
    others = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)

    async def consume():
        async for _ in live.calendar_events(principal, [str(sam.id)]):
            pass

    try:
        await credentials.revoke(principal.credential_id)
        async with _busy_clinic(others):  # Alex's diary; the stream only wants Sam's
            with pytest.raises(DomainError) as ended:
                await asyncio.wait_for(consume(), 5)
        assert ended.value.code.value == "UNAUTHENTICATED"
    finally:
        runtime.configure(replace(TEST_SETTINGS, database_url=backend.url))


async def test_a_move_to_another_practitioner_reaches_both_diaries(backend, demo):
    alex = await _principal(demo, "alex@demo.clinic")  # practitioner-role: own diary only
    owner = await _principal(demo)
    moving = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    assert moving.practitioner_id == alex.practitioner_id
    heard = []

    async def listen():
        async for item in live.calendar_events(alex, None):
            heard.append((item.kind.value, item.appointment.status.value, item.appointment.practitioner_id))
            return

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0.1)
    sam = demo["demo"].practitioners["Sam Patel"]
    await reschedule_appointment(owner, str(moving.id), datetime.fromisoformat(at(6, 12)), str(sam.id))
    await asyncio.wait_for(listener, 5)
    assert heard == [("RESCHEDULED", "CANCELLED", alex.practitioner_id)]
