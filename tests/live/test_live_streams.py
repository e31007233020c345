"""Live streams in process: shared reads, credential re-checks, moves."""

import asyncio
import contextlib
from dataclasses import replace
from datetime import datetime

import pytest

from models import Appointment, AppointmentStatus, CredentialKind, StaffUser
from realtime import events
from realtime.hub import SUBSCRIBER_QUEUE
from resolvers.account import credentials
from resolvers.booking import live
from resolvers.booking.changes import reschedule_appointment
from resolvers.core.errors import DomainError
from tests.support.booking import at
from tests.conftest import TEST_SETTINGS
from tests.support.live import local_subscribers, logged


async def _principal(runtime, demo, email="owner@demo.clinic"):
    staff = await StaffUser.get(email=email)
    token, _ = await credentials.issue(CredentialKind.STAFF_SESSION, staff.clinic_id, staff_id=staff.id, lifetime=None)
    return await credentials.principal_for_token(runtime, token)


@contextlib.asynccontextmanager
async def _busy_clinic(runtime, row: Appointment):
    """Publishes an event about `row` every 50 ms while the block runs."""

    async def publish_forever():
        while True:
            await logged(runtime, events.UPDATED, row)
            await asyncio.sleep(0.05)

    publisher = asyncio.create_task(publish_forever())
    try:
        yield
    finally:
        publisher.cancel()


async def _listening(stream):
    """Starts the stream (it subscribes on its first step) and returns its
    first item, still to come."""
    first = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.1)
    return first


async def test_each_event_is_rendered_once_per_audience_and_offered_to_each_member(backend, demo, runtime):
    staff_a, staff_b = await _principal(runtime, demo), await _principal(runtime, demo)
    row = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    sam = demo["demo"].practitioners["Sam Patel"]
    renders = []

    def rendering(audience):
        async def render(event):
            renders.append(audience)
            return {"audience": audience, "appointment": event.appointment.id}
        return {"render": render, "audience": audience}

    streams = [
        live.calendar_events(runtime, staff_a, None, **rendering("desk")),
        live.calendar_events(runtime, staff_b, None, **rendering("desk")),
        live.calendar_events(runtime, staff_a, None, **rendering("wall")),
        live.calendar_events(runtime, staff_b, [str(sam.id)], **rendering("sam")),  # another practitioner's diary
    ]
    firsts = [await _listening(stream) for stream in streams]
    await logged(runtime, events.UPDATED, row)
    desk_a, desk_b, wall = await asyncio.wait_for(asyncio.gather(*firsts[:3]), 5)
    assert desk_a is desk_b and desk_a == {"audience": "desk", "appointment": row.id}  # one rendering, shared
    assert wall == {"audience": "wall", "appointment": row.id}
    await asyncio.sleep(0.1)
    assert not firsts[3].done()  # Sam's diary heard nothing
    assert sorted(renders) == ["desk", "wall"]  # nothing rendered for an audience with no taker
    firsts[3].cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await firsts[3]
    for stream in streams:
        await stream.aclose()


async def test_a_subscriber_the_preparation_does_not_know_hears_nothing_and_stops_no_one(backend, demo, runtime):
    principal = await _principal(runtime, demo)
    row = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    async with runtime.hub.subscribe(events.calendar_channel(row.clinic_id)) as stranger:  # no listener
        stream = live.calendar_events(runtime, principal, None)
        first = await _listening(stream)
        await logged(runtime, events.UPDATED, row)
        assert (await asyncio.wait_for(first, 5)).appointment.id == row.id
        assert stranger.pending == 0
    await stream.aclose()


async def test_a_rendering_that_fails_ends_the_streams_of_its_audience_only(backend, demo, runtime):
    principal = await _principal(runtime, demo)
    row = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)

    async def broken(event):
        raise RuntimeError("cannot render")

    async def fine(event):
        return event.appointment.id

    failing = live.calendar_events(runtime, principal, None, render=broken, audience="broken")
    working = live.calendar_events(runtime, principal, None, render=fine, audience="fine")
    firsts = [await _listening(failing), await _listening(working)]
    await logged(runtime, events.UPDATED, row)
    with pytest.raises(live.LiveEventLost):
        await asyncio.wait_for(firsts[0], 5)
    assert await asyncio.wait_for(firsts[1], 5) == row.id
    await logged(runtime, events.UPDATED, row)
    assert await asyncio.wait_for(anext(working), 5) == row.id  # the other audience goes on
    for stream in (failing, working):
        await stream.aclose()


async def test_a_subscriber_that_stops_reading_ends_rate_limited(backend, demo, runtime):
    principal = await _principal(runtime, demo)
    row = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    stream = live.calendar_events(runtime, principal, None)
    first = await _listening(stream)
    await logged(runtime, events.UPDATED, row)
    await asyncio.wait_for(first, 5)
    for _ in range(SUBSCRIBER_QUEUE + 1):  # and reads none of them
        await logged(runtime, events.UPDATED, row)
    for _ in range(100):
        if all(s.overflowed for subs in [local_subscribers(runtime.hub)] for s in subs):
            break
        await asyncio.sleep(0.05)
    with pytest.raises(DomainError) as ended:
        await asyncio.wait_for(anext(stream), 5)
    assert ended.value.code.value == "RATE_LIMITED"
    assert runtime.hub.subscriber_count == 0  # its queue is gone with it


async def test_a_revoked_session_ends_its_stream_even_in_a_busy_clinic(backend, demo, runtime):
    runtime.settings = replace(TEST_SETTINGS, database_url=backend.url, ws_recheck_seconds=0.2)
    principal = await _principal(runtime, demo)
    row = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)

    async def consume():
        received = 0
        async for _ in live.calendar_events(runtime, principal, None):
            received += 1
            if received == 3:
                await credentials.revoke(principal.credential_id)
        return received

    try:
        async with _busy_clinic(runtime, row):
            with pytest.raises(DomainError) as ended:
                await asyncio.wait_for(consume(), 5)
        assert ended.value.code.value == "UNAUTHENTICATED"
    finally:
        runtime.settings = replace(TEST_SETTINGS, database_url=backend.url)


async def test_a_revoked_session_ends_even_when_every_event_is_someone_elses(backend, demo, runtime):
    runtime.settings = replace(TEST_SETTINGS, database_url=backend.url, ws_recheck_seconds=0.2)
    sam = demo["demo"].practitioners["Sam Patel"]
    principal = await _principal(runtime, demo)
    others = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)

    async def consume():
        async for _ in live.calendar_events(runtime, principal, [str(sam.id)]):
            pass

    try:
        await credentials.revoke(principal.credential_id)
        async with _busy_clinic(runtime, others):  # Alex's diary; the stream only wants Sam's
            with pytest.raises(DomainError) as ended:
                await asyncio.wait_for(consume(), 5)
        assert ended.value.code.value == "UNAUTHENTICATED"
    finally:
        runtime.settings = replace(TEST_SETTINGS, database_url=backend.url)


async def test_a_move_to_another_practitioner_reaches_both_diaries(backend, demo, runtime):
    alex = await _principal(runtime, demo, "alex@demo.clinic")  # practitioner-role: own diary only
    owner = await _principal(runtime, demo)
    moving = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    assert moving.practitioner_id == alex.practitioner_id
    heard = []

    async def listen():
        async for item in live.calendar_events(runtime, alex, None):
            heard.append((item.kind.value, item.appointment.status.value, item.appointment.practitioner_id))
            return

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0.1)
    sam = demo["demo"].practitioners["Sam Patel"]
    await reschedule_appointment(runtime, owner, str(moving.id), datetime.fromisoformat(at(6, 12)), str(sam.id))
    await asyncio.wait_for(listener, 5)
    assert heard == [("RESCHEDULED", "CANCELLED", alex.practitioner_id)]
