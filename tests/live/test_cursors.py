"""Resuming a live stream from a cursor: what was missed, in order, once,
then live; RESYNC_REQUIRED when the cursor cannot be honoured. In process,
on both databases (the embedded default's guarantees); across processes
and faults in test_faults.py."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from jobs import cleanup
from models import ClinicEvent, EventHead, utcnow
from resolvers.account import credentials
from schema import build_schema
from schema.context import Context
from tests.conftest import TEST_SETTINGS, client_token, staff_token
from tests.support.booking import BOOK, CANCEL, at, book_input

FIELDS = "kind cursor appointment { id start status practitioner { id } }"
CALENDAR = f"subscription($after: String, $p: [ID!]) {{ calendarUpdates(after: $after, practitionerIds: $p) {{ {FIELDS} }} }}"
MINE = f"subscription($after: String) {{ myAppointmentUpdates(after: $after) {{ {FIELDS} }} }}"
CURSOR = "{ calendarCursor }"


class Stream:
    """A subscription run in process, as the websocket transport would run it."""

    def __init__(self, runtime, principal, query: str, **variables) -> None:
        self.runtime, self.principal, self.query, self.variables = runtime, principal, query, variables

    async def __aenter__(self) -> Stream:
        schema = build_schema(TEST_SETTINGS)
        context = Context(request=None, runtime=self.runtime, principal=self.principal)
        self.results = await schema.subscribe(self.query, variable_values=self.variables, context_value=context)
        self.first = asyncio.ensure_future(anext(self.results))
        await asyncio.sleep(0.2)  # subscribed (and replayed) by now
        return self

    async def next(self, timeout: float = 5) -> dict:
        if self.first is not None:
            step, self.first = self.first, None
        else:
            step = asyncio.ensure_future(anext(self.results))
        result = await asyncio.wait_for(step, timeout)
        assert result.errors is None, result.errors
        return next(iter(result.data.values()))

    async def error_code(self) -> str:
        result = await asyncio.wait_for(self.first, 5)
        return result.errors[0].extensions["code"]

    async def quiet(self, seconds: float = 0.3) -> bool:
        step = self.first or asyncio.ensure_future(anext(self.results))
        self.first = step
        done, _ = await asyncio.wait({step}, timeout=seconds)
        return not done

    async def __aexit__(self, *exc) -> None:
        if self.first is not None:
            self.first.cancel()
            await asyncio.gather(self.first, return_exceptions=True)
        await self.results.aclose()


async def _principal(runtime, token: str):
    return await credentials.principal_for_token(runtime, token)


async def _book(api, demo, day: int, hour: int, who: str, token: str | None = None) -> str:
    visitor = {"fullName": who, "email": f"{who.lower().replace(' ', '.')}@example.com", "phone": f"+4477009{day:02d}{hour:02d}0"}
    extra = {} if token else {"client": visitor}
    data = await api.data(BOOK, {"input": book_input(demo, start=at(day, hour), **extra)}, token)
    assert data["bookAppointment"]["userErrors"] == [], data
    return data["bookAppointment"]["appointment"]["id"]


async def test_a_stream_resumed_from_the_calendar_cursor_gets_what_it_missed_in_order_then_live(api, demo, runtime):
    staff = await staff_token(api)
    cursor = (await api.data(CURSOR, token=staff))["calendarCursor"]
    missed = [await _book(api, demo, 5, hour, f"Missed {hour}") for hour in (9, 11, 13)]
    cancelled = (await api.data(CANCEL, {"id": missed[0]}, staff))["cancelAppointment"]
    assert cancelled["userErrors"] == []
    async with Stream(runtime, await _principal(runtime, staff), CALENDAR, after=cursor) as stream:
        replayed = [await stream.next() for _ in range(4)]
        assert [(e["kind"], e["appointment"]["id"]) for e in replayed] == [
            ("BOOKED", missed[0]), ("BOOKED", missed[1]), ("BOOKED", missed[2]), ("CANCELLED", missed[0])
        ]
        assert replayed[0]["appointment"]["status"] == "CANCELLED"  # each shows the appointment as it is now
        assert len({e["cursor"] for e in replayed}) == 4
        live = await _book(api, demo, 6, 9, "Live One")
        assert (await stream.next())["appointment"]["id"] == live
        assert await stream.quiet()  # nothing twice
    # From the second replayed event's cursor: only what came after it.
    async with Stream(runtime, await _principal(runtime, staff), CALENDAR, after=replayed[1]["cursor"]) as stream:
        again = [(await stream.next())["appointment"]["id"] for _ in range(3)]
        assert again == [missed[2], missed[0], live]
        assert await stream.quiet()


async def test_the_cursor_is_read_before_the_calendar_so_a_resumed_stream_misses_nothing(api, demo, runtime):
    staff = await staff_token(api)
    before = await _book(api, demo, 5, 9, "Before Read")
    query = "query($from: DateTime!, $to: DateTime!) { calendarCursor calendar(from: $from, to: $to) { id } }"
    read = await api.data(query, {"from": at(0, 0), "to": at(30, 0)}, staff)
    assert before in {a["id"] for a in read["calendar"]}
    later = await _book(api, demo, 5, 11, "After Read")
    async with Stream(runtime, await _principal(runtime, staff), CALENDAR, after=read["calendarCursor"]) as stream:
        assert (await stream.next())["appointment"]["id"] == later  # not the one the read already showed
        assert await stream.quiet()


async def test_a_client_resumes_only_their_own_appointments_and_a_practitioner_filter_holds_in_the_replay(api, demo, runtime):
    client, staff = await client_token(api), await staff_token(api)
    cursor = (await api.data(CURSOR, token=client))["calendarCursor"]
    stranger = await _book(api, demo, 5, 9, "Someone Else")
    own = await _book(api, demo, 5, 11, "Own", token=client)
    async with Stream(runtime, await _principal(runtime, client), MINE, after=cursor) as stream:
        assert (await stream.next())["appointment"]["id"] == own
        assert await stream.quiet()
    practitioner = (await api.data("query($id: ID!) { appointment(id: $id) { practitioner { id } } }", {"id": stranger}, staff))
    wanted = practitioner["appointment"]["practitioner"]["id"]
    async with Stream(runtime, await _principal(runtime, staff), CALENDAR, after=cursor, p=[wanted]) as stream:
        got = [await stream.next()]
        got += [await stream.next()] if not await stream.quiet() else []
        assert all(e["appointment"]["practitioner"]["id"] == wanted for e in got)
        assert stranger in {e["appointment"]["id"] for e in got}


async def test_cursors_that_cannot_be_honoured_end_the_stream_with_resync_required(api, demo, runtime):
    staff, other = await staff_token(api), await staff_token(api, "northside")
    principal = await _principal(runtime, staff)
    theirs = (await api.data(CURSOR, token=other))["calendarCursor"]
    for cursor in (theirs, "not-a-cursor", "", "Zm9vOmJhcg"):
        async with Stream(runtime, principal, CALENDAR, after=cursor) as stream:
            assert await stream.error_code() == "RESYNC_REQUIRED", cursor
    # Ahead of the clinic's log (a database restored from an older backup): not one it gave.
    await _book(api, demo, 5, 9, "Made Once")
    head = (await api.data(CURSOR, token=staff))["calendarCursor"]
    clinic_id = demo["demo"].clinic.id
    await EventHead.filter(clinic_id=clinic_id).update(position=0)
    async with Stream(runtime, principal, CALENDAR, after=head) as stream:
        assert await stream.error_code() == "RESYNC_REQUIRED"


async def test_a_cursor_older_than_what_is_kept_answers_resync_required_and_a_recent_one_still_resumes(api, demo, runtime):
    staff = await staff_token(api)
    principal = await _principal(runtime, staff)
    old = (await api.data(CURSOR, token=staff))["calendarCursor"]
    first = await _book(api, demo, 5, 9, "Long Ago")
    recent = (await api.data(CURSOR, token=staff))["calendarCursor"]
    second = await _book(api, demo, 5, 11, "Lately")
    await _relayed(demo)
    past_retention = utcnow() - timedelta(days=runtime.settings.event_retention_days, hours=1)
    # Every event up to the first booking's (the clinic's set-up wrote some before it) is past retention.
    first_position = (await ClinicEvent.get(appointment_id=first)).position
    await ClinicEvent.filter(clinic_id=demo["demo"].clinic.id, position__lte=first_position).update(occurred_at=past_retention)
    pruned = await cleanup.run(runtime.settings)
    assert pruned["events past retention"] >= 1
    assert first  # its event is gone, the appointment stays
    async with Stream(runtime, principal, CALENDAR, after=old) as stream:
        assert await stream.error_code() == "RESYNC_REQUIRED"
    async with Stream(runtime, principal, CALENDAR, after=recent) as stream:
        assert (await stream.next())["appointment"]["id"] == second


async def test_a_refused_booking_writes_no_event(api, demo, runtime):
    clinic_id = demo["demo"].clinic.id
    await _book(api, demo, 5, 9, "Taken")
    before = await ClinicEvent.filter(clinic_id=clinic_id).count()
    head = (await EventHead.get(clinic_id=clinic_id)).position
    for who, phone in (("Second", "+447700900111"), ("Third", "+447700900112")):  # both practitioners, then nobody
        data = await api.data(BOOK, {"input": book_input(demo, start=at(5, 9), client={
            "fullName": who, "email": f"{who.lower()}@example.com", "phone": phone})})
        if data["bookAppointment"]["userErrors"]:
            assert data["bookAppointment"]["userErrors"][0]["code"] == "SLOT_UNAVAILABLE"
    count = await ClinicEvent.filter(clinic_id=clinic_id).count()
    assert (await EventHead.get(clinic_id=clinic_id)).position - head == count - before == 1
    positions = await ClinicEvent.filter(clinic_id=clinic_id).order_by("position").values_list("position", flat=True)
    assert positions == list(range(1, len(positions) + 1))  # no gap where the refusal rolled back


async def _relayed(demo) -> None:
    for _ in range(100):
        if not await ClinicEvent.filter(clinic_id=demo["demo"].clinic.id, published=False).exists():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the relay did not publish the events")


async def test_an_event_rolls_back_with_the_change_that_wrote_it(demo):
    from models import Appointment
    from models.db import write_transaction
    from realtime import events

    row = await Appointment.filter(clinic_id=demo["demo"].clinic.id).first()
    before = await ClinicEvent.filter(clinic_id=row.clinic_id).count()
    head = await events.head(row.clinic_id)
    try:
        async with write_transaction():
            await events.record(events.UPDATED, row)
            raise RuntimeError("the change fails after its event was written")
    except RuntimeError:
        pass
    assert await ClinicEvent.filter(clinic_id=row.clinic_id).count() == before
    assert await events.head(row.clinic_id) == head  # no position was handed out either
