"""A moved appointment's old id: it answers APPOINTMENT_RESCHEDULED with the
id the appointment has now, and reads as the history it is."""

from datetime import datetime, timedelta

from models import Appointment, AppointmentStatus
from tests.conftest import client_token, staff_token
from tests.support.booking import BOOK, CANCEL, REPEAT, RESCHEDULE, at, book_input, errors

ERRORS = "userErrors { code message field rescheduledToId }"
CANCEL_OLD = f"mutation($id: ID!) {{ cancelAppointment(id: $id) {{ appointment {{ id }} {ERRORS} }} }}"
MOVE_OLD = f"mutation($id: ID!, $start: DateTime!) {{ rescheduleAppointment(id: $id, start: $start) {{ appointment {{ id }} {ERRORS} }} }}"
REPEAT_OLD = f"mutation($id: ID!, $start: DateTime!) {{ repeatAppointment(id: $id, start: $start) {{ appointment {{ id }} {ERRORS} }} }}"
READ = "query($id: ID!) { appointment(id: $id) { id status rescheduledFromId rescheduledToId canCancel canReschedule canRepeat } }"


async def _upcoming(demo) -> Appointment:
    return await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)


async def _move(api, token, appointment_id: str, start: str) -> str:
    moved = (await api.data(RESCHEDULE, {"id": appointment_id, "start": start}, token))["rescheduleAppointment"]
    assert moved["userErrors"] == [], moved
    return moved["appointment"]["id"]


def _names(error: dict, new_id: str) -> None:
    assert error["code"] == "APPOINTMENT_RESCHEDULED" and error["field"] == ["id"]
    assert error["rescheduledToId"] == new_id and new_id in error["message"]


async def test_cancelling_moving_or_repeating_a_moved_appointment_names_its_new_id(api, demo):
    token = await client_token(api)
    old = await _upcoming(demo)
    new_id = await _move(api, token, str(old.id), at(6, 12))
    cancelled = (await api.data(CANCEL_OLD, {"id": str(old.id)}, token))["cancelAppointment"]
    assert cancelled["appointment"] is None
    _names(cancelled["userErrors"][0], new_id)
    moved = (await api.data(MOVE_OLD, {"id": str(old.id), "start": at(7, 12)}, token))["rescheduleAppointment"]
    _names(moved["userErrors"][0], new_id)
    repeated = (await api.data(REPEAT_OLD, {"id": str(old.id), "start": at(8, 12)}, token))["repeatAppointment"]
    _names(repeated["userErrors"][0], new_id)
    new = await Appointment.get(id=new_id)  # none of them touched the new one
    assert new.status is AppointmentStatus.BOOKED and new.start_at == datetime.fromisoformat(at(6, 12))
    assert await Appointment.filter(client_id=old.client_id, status=AppointmentStatus.BOOKED).count() == 1


async def test_after_two_moves_the_first_id_names_the_latest_and_each_names_the_next(api, demo):
    token = await client_token(api)
    first = str((await _upcoming(demo)).id)
    second = await _move(api, token, first, at(6, 12))
    third = await _move(api, token, second, at(7, 12))
    for old in (first, second):
        refused = (await api.data(CANCEL_OLD, {"id": old}, token))["cancelAppointment"]
        _names(refused["userErrors"][0], third)
    read = {i: (await api.data(READ, {"id": i}, token))["appointment"] for i in (first, second, third)}
    assert read[first]["rescheduledToId"] == second and read[second]["rescheduledToId"] == third
    assert read[third]["rescheduledToId"] is None and read[third]["rescheduledFromId"] == second
    for old in (first, second):
        assert read[old]["status"] == "CANCELLED"
        assert (read[old]["canCancel"], read[old]["canReschedule"], read[old]["canRepeat"]) == (False, False, False)
    done = (await api.data(CANCEL_OLD, {"id": third}, token))["cancelAppointment"]
    assert done["userErrors"] == []


async def test_a_past_moved_appointment_is_not_repeated_but_a_past_cancelled_one_is(api, demo):
    staff = await staff_token(api)
    soon = at(3, 10)
    booked = (await api.data(BOOK, {"input": book_input(demo, start=soon, clientId=str(demo["demo"].client.id))}, staff))
    old_id = booked["bookAppointment"]["appointment"]["id"]
    new_id = await _move(api, staff, old_id, at(4, 10))
    cancelled = (await api.data(BOOK, {"input": book_input(demo, start=at(5, 10), clientId=str(demo["demo"].client.id))}, staff))
    cancelled_id = cancelled["bookAppointment"]["appointment"]["id"]
    assert (await api.data(CANCEL, {"id": cancelled_id}, staff))["cancelAppointment"]["userErrors"] == []
    # Both times have gone by.
    await Appointment.filter(id__in=[old_id, cancelled_id]).update(
        start_at=(await Appointment.get(id=old_id)).start_at - timedelta(days=30),
        end_at=(await Appointment.get(id=old_id)).end_at - timedelta(days=30),
    )
    assert (await api.data(READ, {"id": old_id}, staff))["appointment"]["canRepeat"] is False
    assert (await api.data(READ, {"id": cancelled_id}, staff))["appointment"]["canRepeat"] is True
    refused = (await api.data(REPEAT_OLD, {"id": old_id, "start": at(9, 10)}, staff))["repeatAppointment"]
    _names(refused["userErrors"][0], new_id)
    again = (await api.data(REPEAT_OLD, {"id": cancelled_id, "start": at(9, 10)}, staff))["repeatAppointment"]
    assert again["userErrors"] == [] and again["appointment"]["id"] not in (old_id, cancelled_id, new_id)


async def test_a_cancellation_that_gives_moving_as_its_reason_is_still_locked(api, demo):
    token = await client_token(api)
    booked = (await api.data(BOOK, {"input": book_input(demo)}, token))["bookAppointment"]["appointment"]
    await api.data(CANCEL, {"id": booked["id"], "reason": "Rescheduled"}, token)
    twice = (await api.data(CANCEL_OLD, {"id": booked["id"]}, token))["cancelAppointment"]
    assert errors(twice) == ["APPOINTMENT_LOCKED"] and twice["userErrors"][0]["rescheduledToId"] is None
    assert (await api.data(READ, {"id": booked["id"]}, token))["appointment"]["rescheduledToId"] is None


async def test_another_clinics_staff_hear_of_neither_id(api, demo):
    token = await client_token(api)
    old = await _upcoming(demo)
    await _move(api, token, str(old.id), at(6, 12))
    elsewhere = await staff_token(api, "northside")
    refused = (await api.data(CANCEL_OLD, {"id": str(old.id)}, elsewhere))["cancelAppointment"]
    assert errors(refused) == ["NOT_FOUND"] and refused["userErrors"][0]["rescheduledToId"] is None
