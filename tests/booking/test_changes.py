"""Cancelling, rescheduling and repeating appointments."""

from datetime import UTC, datetime, timedelta

from models import Appointment, AppointmentStatus
from tests.support.booking import BOOK, CANCEL, REPEAT, RESCHEDULE, at, book_input, errors
from tests.conftest import client_token, staff_token


async def _upcoming(demo) -> Appointment:
    return await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)


async def _past(demo) -> Appointment:
    return await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.COMPLETED)


async def _book(api, token, demo, **kw) -> dict:
    booked = (await api.data(BOOK, {"input": book_input(demo, **kw)}, token))["bookAppointment"]
    assert booked["userErrors"] == [], booked
    return booked["appointment"]


async def test_a_client_cancels_an_upcoming_appointment_and_the_slot_is_free_at_once(api, demo):
    token = await client_token(api)
    booked = await _book(api, token, demo, practitionerId=str(demo["demo"].practitioners["Alex Morgan"].id))
    cancelled = (await api.data(CANCEL, {"id": booked["id"], "reason": "Feeling unwell"}, token))["cancelAppointment"]
    assert cancelled["userErrors"] == []
    assert cancelled["appointment"]["status"] == "CANCELLED" and cancelled["appointment"]["canCancel"] is False
    row = await Appointment.get(id=booked["id"])
    assert row.cancelled_by == "CLIENT" and row.cancelled_by_id == demo["demo"].client.id
    assert row.cancellation_reason == "Feeling unwell" and row.cancelled_at is not None
    again = await _book(api, token, demo, practitionerId=str(demo["demo"].practitioners["Alex Morgan"].id))
    assert again["start"] == booked["start"]


async def test_past_completed_and_cancelled_appointments_are_locked(api, demo):
    token = await client_token(api)
    past = await _past(demo)
    assert errors((await api.data(CANCEL, {"id": str(past.id)}, token))["cancelAppointment"]) == ["APPOINTMENT_LOCKED"]
    booked = await _book(api, token, demo)
    await api.data(CANCEL, {"id": booked["id"]}, token)
    twice = (await api.data(CANCEL, {"id": booked["id"]}, token))["cancelAppointment"]
    assert errors(twice) == ["APPOINTMENT_LOCKED"]
    moved = (await api.data(RESCHEDULE, {"id": str(past.id), "start": at(6, 11)}, token))["rescheduleAppointment"]
    assert errors(moved) == ["APPOINTMENT_LOCKED"]


async def test_inside_the_notice_period_clients_cannot_cancel_but_staff_can(api, demo):
    client, staff = await client_token(api), await staff_token(api)
    soon = (datetime.now(UTC) + timedelta(hours=3)).replace(second=0, microsecond=0)
    booked = await _book(api, staff, demo, start=soon.isoformat(), clientId=str(demo["demo"].client.id))
    seen_by_client = (await api.data("query($id: ID!) { appointment(id: $id) { canCancel } }", {"id": booked["id"]}, client))
    assert seen_by_client["appointment"]["canCancel"] is False
    refused = (await api.data(CANCEL, {"id": booked["id"]}, client))["cancelAppointment"]
    assert errors(refused) == ["CANCELLATION_WINDOW_CLOSED"]
    done = (await api.data(CANCEL, {"id": booked["id"]}, staff))["cancelAppointment"]
    assert done["userErrors"] == [] and (await Appointment.get(id=booked["id"])).cancelled_by == "STAFF"


async def test_a_reschedule_moves_the_booking_and_links_old_and_new(api, demo):
    token = await client_token(api)
    old = await _upcoming(demo)
    new_start = datetime.fromisoformat(at(6, 12))
    moved = (await api.data(RESCHEDULE, {"id": str(old.id), "start": new_start.isoformat()}, token))["rescheduleAppointment"]
    assert moved["userErrors"] == [], moved
    new = moved["appointment"]
    assert datetime.fromisoformat(new["start"]) == new_start and new["rescheduledFromId"] == str(old.id)
    assert new["practitioner"]["id"] == str(old.practitioner_id)
    await old.refresh_from_db()
    assert old.status is AppointmentStatus.CANCELLED and old.cancellation_reason == "Rescheduled"


async def test_a_reschedule_may_overlap_its_own_old_time(api, demo):
    token = await client_token(api)
    old = await _upcoming(demo)
    later = old.start_at + timedelta(minutes=30)  # overlaps the old 60-minute facial
    moved = (await api.data(RESCHEDULE, {"id": str(old.id), "start": later.isoformat()}, token))["rescheduleAppointment"]
    assert moved["userErrors"] == [], moved


async def test_a_reschedule_onto_a_taken_time_changes_nothing(api, demo):
    token = await client_token(api)
    old = await _upcoming(demo)
    other = await _book(api, token, demo, start=at(6, 14), practitionerId=str(old.practitioner_id))
    moved = (await api.data(RESCHEDULE, {"id": str(old.id), "start": other["start"]}, token))["rescheduleAppointment"]
    assert errors(moved) == ["SLOT_UNAVAILABLE"]
    await old.refresh_from_db()
    assert old.status is AppointmentStatus.BOOKED  # the whole move rolled back


async def test_repeat_books_a_past_treatment_with_the_same_practitioner_when_free(api, demo):
    token = await client_token(api)
    past = await _past(demo)
    repeated = (await api.data(REPEAT, {"id": str(past.id), "start": at(7, 15)}, token))["repeatAppointment"]
    assert repeated["userErrors"] == []
    assert repeated["appointment"]["treatment"]["name"] == "Facial"
    assert repeated["appointment"]["practitioner"]["id"] == str(past.practitioner_id)


async def test_repeat_falls_back_to_another_practitioner_when_the_same_one_is_busy(api, demo):
    token = await client_token(api)
    past = await _past(demo)
    taken = await _book(api, token, demo, start=at(7, 15), practitionerId=str(past.practitioner_id))
    repeated = (await api.data(REPEAT, {"id": str(past.id), "start": taken["start"]}, token))["repeatAppointment"]
    assert repeated["userErrors"] == []
    assert repeated["appointment"]["practitioner"]["id"] != str(past.practitioner_id)


async def test_only_past_appointments_can_be_repeated(api, demo):
    token = await client_token(api)
    upcoming = await _upcoming(demo)
    refused = (await api.data(REPEAT, {"id": str(upcoming.id), "start": at(8, 11)}, token))["repeatAppointment"]
    assert errors(refused) == ["INVALID_INPUT"]
