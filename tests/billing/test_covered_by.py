"""`Appointment.coveredBy`: the membership whose session pays for an
appointment, as long as the appointment holds it (a cancellation in time
gives it back, a move keeps it), shown to whoever sees its payments."""

from __future__ import annotations

from models import Appointment, AppointmentStatus
from tests.conftest import client_token, staff_token
from tests.support.admin import partner_key
from tests.support.booking import CANCEL, RESCHEDULE, at, book_input, errors

COVERED = "coveredBy { id name }"
BOOK = (
    "mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) {"
    f" appointment {{ id {COVERED} }} userErrors {{ code message field }} }} }}"
)
ONE = f"query($id: ID!) {{ appointment(id: $id) {{ id {COVERED} }} }}"
MINE = f"{{ me {{ memberships {{ id name }} appointments(when: UPCOMING) {{ edges {{ node {{ id {COVERED} }} }} }} }} }}"


async def covered_by(api, appointment_id: str, token: str) -> dict | None:
    return (await api.data(ONE, {"id": appointment_id}, token))["appointment"]["coveredBy"]


async def test_the_demo_clients_upcoming_facial_is_covered_by_their_course_and_a_consultation_is_not(api, demo):
    token = await client_token(api)
    me = (await api.data(MINE, None, token))["me"]
    [course] = me["memberships"]
    assert [e["node"]["coveredBy"] for e in me["appointments"]["edges"]] == [course]
    consultation = book_input(demo, treatment="Consultation", start=at(6, 11))
    booked = (await api.data(BOOK, {"input": consultation}, token))["bookAppointment"]
    assert errors(booked) == [] and booked["appointment"]["coveredBy"] is None


async def test_a_booking_takes_the_cover_a_move_keeps_it_and_a_cancellation_in_time_ends_it(api, demo):
    token = await client_token(api)
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(6, 11))}, token))["bookAppointment"]
    assert booked["appointment"]["coveredBy"]["name"] == "Course of six facials"
    moved = (await api.data(RESCHEDULE, {"id": booked["appointment"]["id"], "start": at(7, 14)}, token))
    new_id = moved["rescheduleAppointment"]["appointment"]["id"]
    assert (await covered_by(api, new_id, token))["name"] == "Course of six facials"
    assert errors((await api.data(CANCEL, {"id": new_id}, token))["cancelAppointment"]) == []
    assert await covered_by(api, new_id, token) is None


async def test_the_clinic_sees_the_cover_and_a_partner_key_that_cannot_read_the_diary_does_not(api, demo):
    upcoming = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    for token in (await staff_token(api), await partner_key("demo", ["calendar"]), await partner_key("demo", ["read"])):
        assert (await covered_by(api, str(upcoming.id), token))["name"] == "Course of six facials"
    booker = await partner_key("demo", ["book"])  # books, but may not read the diary
    for_jamie = book_input(demo, start=at(6, 11), clientId=str(demo["demo"].client.id))
    booked = (await api.data(BOOK, {"input": for_jamie}, booker))["bookAppointment"]
    assert errors(booked) == [] and booked["appointment"]["coveredBy"] is None
    assert (await covered_by(api, booked["appointment"]["id"], await client_token(api)))["name"] == "Course of six facials"
