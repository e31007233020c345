"""Slot holds over GraphQL: a held time is nobody else's until it is booked,
released or expired; holds meet the same guarantee as bookings."""

import asyncio
from datetime import datetime, timedelta

import pytest
from tortoise.exceptions import IntegrityError

from jobs import cleanup
from models import Appointment, AppointmentSource, HoldStatus, SlotHold, utcnow
from models.db import is_postgres
from tests.conftest import client_token, staff_token
from tests.support.booking import BOOK, SLOTS, at, book_input, errors, working_day
from tests.support.holds import HOLD, RELEASE, from_address, hold_vars

VISITOR = {"fullName": "Held Visitor", "email": "held@example.com", "phone": "+447700900555"}
# Someone else: typed-in details of a client already known would need that client's code.
OTHER_VISITOR = {"fullName": "Other Visitor", "email": "o@example.com", "phone": "+447700900556"}
CALENDAR = "query($f: DateTime!, $t: DateTime!) { calendar(from: $f, to: $t) { id } }"
SETTINGS = (
    "mutation($input: PortalSettingsInput!) { updatePortalSettings(input: $input) {"
    " clinic { holdMinutes maxHoldsPerCaller } userErrors { code field } } }"
)


async def _hold(caller, demo, start: str, **kw) -> dict:
    return (await caller.data(HOLD, hold_vars(demo, start, **kw)))["holdSlot"]


async def _book_held(caller, demo, hold: dict, start: str, token: str | None = None, **kw) -> dict:
    data = book_input(demo, start=start, holdId=hold["id"], client=VISITOR, **kw)
    return (await caller.data(BOOK, {"input": data}, token=token))["bookAppointment"]


async def _free_starts(caller, demo, practitioner: str = "Alex Morgan") -> set[datetime]:
    day = working_day(5).date().isoformat()
    variables = {"c": "demo", "t": str(demo["demo"].treatments["Facial"].id), "f": day, "l": day,
                 "p": str(demo["demo"].practitioners[practitioner].id)}
    return {datetime.fromisoformat(s["start"]) for s in (await caller.data(SLOTS, variables))["availableSlots"]}


async def test_a_held_time_is_nobody_elses_until_its_holder_books_it(api, demo):
    start = at(5, 11)
    async with from_address(api, "10.1.0.1") as holder, from_address(api, "10.1.0.2") as other:
        held = await _hold(holder, demo, start)
        assert held["userErrors"] == []
        hold = held["hold"]
        assert hold["status"] == "HELD" and hold["practitioner"]["name"] == "Alex Morgan"
        expires = datetime.fromisoformat(hold["expiresAt"])
        assert timedelta(minutes=4) < expires - utcnow() <= timedelta(minutes=5)  # the clinic's default

        when = datetime.fromisoformat(start)
        assert when not in await _free_starts(other, demo)
        assert when in await _free_starts(holder, demo)  # the holder still sees it, to book it
        taken = (await other.data(BOOK, {"input": book_input(demo, start=start, client=OTHER_VISITOR,
                                                             practitionerId=str(demo["demo"].practitioners["Alex Morgan"].id))}))
        assert errors(taken["bookAppointment"]) == ["SLOT_UNAVAILABLE"]
        assert errors(await _hold(other, demo, start)) == ["SLOT_UNAVAILABLE"]
        # Someone else cannot spend it, nor even learn it exists.
        assert errors(await _book_held(other, demo, hold, start)) == ["NOT_FOUND"]

        booked = await _book_held(holder, demo, hold, start)
        assert booked["userErrors"] == []
        assert booked["appointment"]["practitioner"]["name"] == "Alex Morgan"
        row = await SlotHold.get(id=hold["id"])
        assert row.status is HoldStatus.USED and str(row.appointment_id) == booked["appointment"]["id"]
        again = await _book_held(holder, demo, hold, start)
        assert errors(again) == ["HOLD_ALREADY_USED"]
        assert errors((await holder.data(RELEASE, {"id": hold["id"]}))["releaseHold"]) == ["HOLD_ALREADY_USED"]
    assert await Appointment.filter(start_at=when).count() == 1


async def test_holds_never_show_in_the_calendar(api, demo):
    async with from_address(api, "10.1.1.1") as visitor:
        assert (await _hold(visitor, demo, at(5, 11)))["userErrors"] == []
    staff = await staff_token(api)
    day = working_day(5)
    found = await api.data(CALENDAR, {"f": day.isoformat(), "t": (day + timedelta(days=1)).isoformat()}, staff)
    assert found["calendar"] == []


async def test_hold_ids_unknown_foreign_expired_and_released_have_their_own_codes(api, demo):
    start = at(5, 11)
    async with from_address(api, "10.2.0.1") as holder, from_address(api, "10.2.0.2") as other:
        hold = (await _hold(holder, demo, start))["hold"]
        north = (await _hold(holder, demo, at(5, 11, tz="America/New_York"), slug="northside",
                              practitioner="Casey Brooks"))["hold"]
        for bad in ("00000000-0000-0000-0000-000000000000", "not-an-id", north["id"]):
            assert errors(await _book_held(holder, demo, {"id": bad}, start)) == ["NOT_FOUND"]
        assert errors(await _book_held(holder, demo, hold, at(5, 12))) == ["INVALID_INPUT"]  # another time
        # A signed-in client of another clinic gets NOT_FOUND for this clinic's hold, like for a missing one.
        northside_client = await client_token(api, "northside")
        assert errors((await api.data(RELEASE, {"id": hold["id"]}, northside_client))["releaseHold"]) == ["NOT_FOUND"]

        # Expired: the time is free at once for anyone, with no job run first.
        await SlotHold.filter(id=hold["id"]).update(expires_at=utcnow() - timedelta(seconds=1))
        assert datetime.fromisoformat(start) in await _free_starts(other, demo)
        assert errors(await _book_held(holder, demo, hold, start)) == ["HOLD_EXPIRED"]
        taken = await other.data(BOOK, {"input": book_input(
            demo, start=start, client=OTHER_VISITOR,
            practitionerId=str(demo["demo"].practitioners["Alex Morgan"].id))})
        assert taken["bookAppointment"]["userErrors"] == []
        assert (await SlotHold.get(id=hold["id"])).status is HoldStatus.EXPIRED

        released = (await _hold(holder, demo, at(5, 14)))["hold"]
        answer = (await holder.data(RELEASE, {"id": released["id"]}))["releaseHold"]
        assert answer["userErrors"] == [] and answer["hold"]["status"] == "RELEASED"
        assert datetime.fromisoformat(at(5, 14)) in await _free_starts(other, demo)
        assert errors(await _book_held(holder, demo, released, at(5, 14))) == ["HOLD_RELEASED"]


async def test_thirty_concurrent_holds_of_one_time_leave_exactly_one(api, demo):
    start = at(5, 11)
    callers = [from_address(api, f"10.3.0.{n}") for n in range(1, 31)]
    entered = [await c.__aenter__() for c in callers]
    try:
        answers = await asyncio.gather(*(_hold(c, demo, start) for c in entered))
    finally:
        for c in callers:
            await c.__aexit__(None, None, None)
    codes = [tuple(errors(a)) for a in answers]
    assert codes.count(()) == 1 and codes.count(("SLOT_UNAVAILABLE",)) == 29, codes
    assert await SlotHold.filter(status=HoldStatus.HELD).count() == 1


async def test_a_hold_and_a_booking_of_one_time_at_once_one_wins(api, demo):
    alex = str(demo["demo"].practitioners["Alex Morgan"].id)
    async with from_address(api, "10.4.0.1") as holder, from_address(api, "10.4.0.2") as booker:
        for hour in (10, 12, 14, 16):
            start = at(5, hour)
            held, booked = await asyncio.gather(
                _hold(holder, demo, start),
                booker.data(BOOK, {"input": book_input(demo, start=start, practitionerId=alex, client=VISITOR)}),
            )
            outcomes = [errors(held), errors(booked["bookAppointment"])]
            assert sorted(outcomes) == [[], ["SLOT_UNAVAILABLE"]], outcomes
            if held["userErrors"] == []:
                await holder.data(RELEASE, {"id": held["hold"]["id"]})  # stay under the per-caller limit


async def test_a_flood_of_holds_from_one_address_is_refused(api, demo):
    async with from_address(api, "10.5.0.1") as flooder, from_address(api, "10.5.0.2") as other:
        answers = [await _hold(flooder, demo, at(5, hour), practitioner=None) for hour in range(9, 17)]
        codes = [tuple(errors(a)) for a in answers]
        assert codes == [()] * 3 + [("TOO_MANY_HOLDS",)] * 5, codes  # the clinic's default: 3 at once
        assert (await _hold(other, demo, at(6, 15), practitioner="Sam Patel"))["userErrors"] == []  # others still may
        # Giving one back makes room for one more.
        await flooder.data(RELEASE, {"id": answers[0]["hold"]["id"]})
        assert (await _hold(flooder, demo, at(5, 16), practitioner=None))["userErrors"] == []
    assert await SlotHold.filter(status=HoldStatus.HELD).count() <= 5


async def test_the_hold_settings_are_the_clinics_with_bad_input_answers(api, demo):
    owner = await staff_token(api)
    for sent, field in (({"holdMinutes": 0}, "holdMinutes"), ({"holdMinutes": 61}, "holdMinutes"),
                        ({"maxHoldsPerCaller": 0}, "maxHoldsPerCaller"), ({"maxHoldsPerCaller": 21}, "maxHoldsPerCaller"),
                        ({"holdMinutes": None}, "holdMinutes")):
        result = (await api.data(SETTINGS, {"input": sent}, owner))["updatePortalSettings"]
        assert result["userErrors"] == [{"code": "INVALID_INPUT", "field": ["input", field]}], sent
    result = (await api.data(SETTINGS, {"input": {"holdMinutes": 12, "maxHoldsPerCaller": 1}}, owner))["updatePortalSettings"]
    assert result == {"clinic": {"holdMinutes": 12, "maxHoldsPerCaller": 1}, "userErrors": []}
    async with from_address(api, "10.6.0.1") as visitor:
        first = (await _hold(visitor, demo, at(5, 11)))["hold"]
        assert timedelta(minutes=11) < datetime.fromisoformat(first["expiresAt"]) - utcnow() <= timedelta(minutes=12)
        assert errors(await _hold(visitor, demo, at(5, 14))) == ["TOO_MANY_HOLDS"]
    other = await _hold(api, demo, at(5, 11, tz="America/New_York"), slug="northside", practitioner="Casey Brooks")
    assert datetime.fromisoformat(other["hold"]["expiresAt"]) - utcnow() <= timedelta(minutes=5)  # other clinic unchanged


async def test_a_signed_in_client_holds_and_books_with_their_session(api, demo):
    token = await client_token(api)
    start = at(5, 11)
    held = (await api.data(HOLD, hold_vars(demo, start, practitioner=None), token))["holdSlot"]
    assert held["userErrors"] == []
    booked = (await api.data(BOOK, {"input": book_input(demo, start=start, holdId=held["hold"]["id"])}, token))
    assert booked["bookAppointment"]["userErrors"] == []
    row = await Appointment.get(id=booked["bookAppointment"]["appointment"]["id"])
    assert row.client_id == demo["demo"].client.id and row.source is AppointmentSource.PORTAL
    assert str(row.practitioner_id) == held["hold"]["practitioner"]["id"]


async def test_on_postgresql_the_database_itself_refuses_an_appointment_over_a_hold(api, demo):
    if not is_postgres():
        pytest.skip("exclusion constraints are PostgreSQL's; SQLite relies on the write lock")
    async with from_address(api, "10.7.0.1") as visitor:
        hold = (await _hold(visitor, demo, at(5, 11)))["hold"]
    row = await SlotHold.get(id=hold["id"])
    seeded = await Appointment.filter(client_id=demo["demo"].client.id).first()
    with pytest.raises(IntegrityError, match="diary_no_overlap"):
        await Appointment.create(
            clinic_id=row.clinic_id, practitioner_id=row.practitioner_id, treatment_id=row.treatment_id,
            client_id=seeded.client_id, start_at=row.start_at, end_at=row.end_at, occupied_start=row.occupied_start,
            occupied_end=row.occupied_end, source=AppointmentSource.STAFF, currency="GBP",
        )
    await SlotHold.filter(id=row.id).update(status=HoldStatus.RELEASED)  # a released hold takes no time
    await Appointment.create(
        clinic_id=row.clinic_id, practitioner_id=row.practitioner_id, treatment_id=row.treatment_id,
        client_id=seeded.client_id, start_at=row.start_at, end_at=row.end_at, occupied_start=row.occupied_start,
        occupied_end=row.occupied_end, source=AppointmentSource.STAFF, currency="GBP",
    )


async def test_the_clean_up_removes_day_old_holds(api, demo, runtime):
    async with from_address(api, "10.8.0.1") as visitor:
        old = (await _hold(visitor, demo, at(5, 11)))["hold"]
        fresh = (await _hold(visitor, demo, at(5, 14)))["hold"]
    await SlotHold.filter(id=old["id"]).update(created_at=utcnow() - timedelta(days=2))
    await cleanup.run(runtime.settings)
    assert not await SlotHold.exists(id=old["id"]) and await SlotHold.exists(id=fresh["id"])
