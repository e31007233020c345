"""Whom an appointment is for (`Appointment.client`): the clinic's staff and
its partner keys with the read scope see the client's name, phone and
e-mail; a partner key without it, clients (the appointment's own included)
and other clinics do not."""

from __future__ import annotations

from models import Appointment, AppointmentStatus
from tests.conftest import client_token, staff_token
from tests.support.admin import partner_key, practitioner_token
from tests.support.booking import at, book_input

CLIENT = "client { id fullName email phone }"
ONE = f"query($id: ID!) {{ appointment(id: $id) {{ id {CLIENT} }} }}"
CALENDAR = f"query($f: DateTime!, $t: DateTime!) {{ calendar(from: $f, to: $t) {{ id {CLIENT} }} }}"
MINE = f"{{ me {{ appointments(when: UPCOMING) {{ edges {{ node {{ id {CLIENT} }} }} }} }} }}"
BOOK_WITH_CLIENT = (
    "mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) {"
    f" appointment {{ id {CLIENT} }} userErrors {{ code }} }} }}"
)


async def _upcoming(demo) -> Appointment:
    return await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)


def _jamie(demo) -> dict:
    client = demo["demo"].client
    return {"id": str(client.id), "fullName": "Jamie Client", "email": "client@demo.clinic", "phone": "+447700900001"}


def _window(appointment: Appointment) -> dict:
    return {"f": appointment.start_at.isoformat(), "t": appointment.end_at.isoformat()}


async def test_the_clinics_staff_see_whom_an_appointment_is_for(api, demo):
    upcoming = await _upcoming(demo)
    for token in (await staff_token(api), await practitioner_token(api)):  # the owner, and Alex in their own diary
        seen = (await api.data(ONE, {"id": str(upcoming.id)}, token))["appointment"]
        assert seen == {"id": str(upcoming.id), "client": _jamie(demo)}
        calendar = (await api.data(CALENDAR, _window(upcoming), token))["calendar"]
        assert calendar == [{"id": str(upcoming.id), "client": _jamie(demo)}]


async def test_a_partner_key_sees_the_client_only_with_the_read_scope(api, demo):
    upcoming = await _upcoming(demo)
    for scopes in (["read"], ["calendar", "read"], ["admin"]):
        key = await partner_key("demo", scopes)
        seen = (await api.data(ONE, {"id": str(upcoming.id)}, key))["appointment"]
        assert seen["client"] == _jamie(demo), scopes
    diary_only = await partner_key("demo", ["calendar", "book"])
    assert (await api.data(ONE, {"id": str(upcoming.id)}, diary_only))["appointment"] == {"id": str(upcoming.id), "client": None}
    assert (await api.data(CALENDAR, _window(upcoming), diary_only))["calendar"] == [{"id": str(upcoming.id), "client": None}]


async def test_a_partner_key_that_books_without_the_read_scope_is_not_told_whom_it_booked_for(api, demo):
    key = await partner_key("demo", ["book"])
    someone = {"fullName": "Pat Walker", "email": "pat.walker@example.com", "phone": "+447700900123"}
    booked = (await api.data(BOOK_WITH_CLIENT, {"input": book_input(demo, client=someone)}, key))["bookAppointment"]
    assert booked["userErrors"] == [] and booked["appointment"]["client"] is None
    reader = await partner_key("demo", ["read", "book"])
    booked = (await api.data(BOOK_WITH_CLIENT, {"input": book_input(demo, start=at(6, 14), client=someone)}, reader))
    assert booked["bookAppointment"]["appointment"]["client"]["fullName"] == "Pat Walker"


async def test_a_client_never_sees_client_details_on_an_appointment_not_even_their_own(api, demo):
    upcoming = await _upcoming(demo)
    token = await client_token(api)
    assert (await api.data(ONE, {"id": str(upcoming.id)}, token))["appointment"] == {"id": str(upcoming.id), "client": None}
    edges = (await api.data(MINE, None, token))["me"]["appointments"]["edges"]
    assert [e["node"]["client"] for e in edges] == [None]
    booked = (await api.data(BOOK_WITH_CLIENT, {"input": book_input(demo)}, token))["bookAppointment"]
    assert booked["userErrors"] == [] and booked["appointment"]["client"] is None


async def test_another_clinic_finds_no_appointment_and_no_client(api, demo):
    upcoming = await _upcoming(demo)
    northside = [await staff_token(api, "northside"), await partner_key("northside", ["read", "calendar"]), await client_token(api, "northside")]
    for token in northside:
        body = await api.post(ONE, {"id": str(upcoming.id)}, token)
        assert body == {"data": {"appointment": None}}
        if token != northside[-1]:
            assert (await api.data(CALENDAR, _window(upcoming), token))["calendar"] == []
