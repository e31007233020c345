"""Edges found in review: unstorable text, the slot grid, racing new
clients, retries after the window moved, repeat fallbacks, a closed portal."""

import asyncio
import base64
import json
from datetime import datetime

import pytest

from models import Appointment, AppointmentStatus, Client, Practitioner, Treatment
from resolvers.booking.book import BookingRequest, ClientDetails, book_appointment
from resolvers.core.principal import ANONYMOUS
from tests.support.booking import BOOK, CANCEL, REPEAT, at, book_input, errors
from tests.conftest import client_token, staff_token


@pytest.mark.parametrize("bad", ["demo\x00", "\ud800"])
async def test_unstorable_text_is_invalid_input_in_variables_and_literals(api, bad):
    body = json.dumps({"query": "query($s: String!) { clinic(slug: $s) { name } }", "variables": {"s": bad}})  # \u escapes
    response = await api.http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    escaped = "\\u0000" if bad.endswith("\x00") else "\\ud800"
    as_literal = await api.post(f'mutation {{ signIn(clinicSlug: "demo", email: "a{escaped}@b.co", password: "x") {{ userErrors {{ code }} }} }}')
    error = as_literal["errors"][0]  # refused by us, or by the GraphQL parser itself as a syntax error
    assert error.get("extensions", {}).get("code") == "INVALID_INPUT" or "Invalid Unicode" in error["message"]


async def test_portal_bookings_start_on_the_slot_grid_staff_bookings_need_not(api, demo):
    client, staff = await client_token(api), await staff_token(api)
    off_grid = at(5, 10, 7)
    assert errors((await api.data(BOOK, {"input": book_input(demo, start=off_grid)}, client))["bookAppointment"]) == ["SLOT_UNAVAILABLE"]
    booked = (await api.data(BOOK, {"input": book_input(demo, start=off_grid, clientId=str(demo["demo"].client.id))}, staff))
    assert booked["bookAppointment"]["userErrors"] == []


async def test_concurrent_first_bookings_of_one_new_client_make_one_client(api, demo):
    visitor = {"fullName": "Racing Twin", "email": "twin@example.com", "phone": "+447700900444"}
    starts = [at(5, hour) for hour in (9, 11, 13, 15)] + [at(6, hour) for hour in (9, 11, 13, 15)]
    answers = await asyncio.gather(*(api.post(BOOK, {"input": book_input(demo, start=s, client=visitor)}) for s in starts))
    assert all("errors" not in a for a in answers), answers
    assert all(a["data"]["bookAppointment"]["userErrors"] == [] for a in answers)
    assert await Client.filter(email="twin@example.com").count() == 1


async def test_a_retry_gets_its_booking_even_after_the_treatment_was_archived(backend, demo, runtime):
    facial = demo["demo"].treatments["Facial"]
    request = BookingRequest(
        clinic_slug="demo",
        treatment_id=str(facial.id),
        start=datetime.fromisoformat(at(5, 11)),
        client=ClientDetails("Late Retry", "late@example.com", "+447700900455"),
        idempotency_key="retry-1",
    )
    first = await book_appointment(runtime, ANONYMOUS, request)
    await Treatment.filter(id=facial.id).update(archived=True)
    again = await book_appointment(runtime, ANONYMOUS, request)
    assert again.id == first.id


async def test_repeat_goes_to_another_practitioner_when_the_first_has_left(api, demo):
    token = await client_token(api)
    past = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.COMPLETED)
    await Practitioner.filter(id=past.practitioner_id).update(active=False)
    repeated = (await api.data(REPEAT, {"id": str(past.id), "start": at(7, 15)}, token))["repeatAppointment"]
    assert repeated["userErrors"] == []
    assert repeated["appointment"]["practitioner"]["name"] == "Sam Patel"


async def test_a_closed_portal_stops_client_changes_too(api, demo):
    token = await client_token(api)
    upcoming = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    clinic = demo["demo"].clinic
    clinic.portal_enabled = False
    await clinic.save()
    seen = await api.data("query($id: ID!) { appointment(id: $id) { canCancel } }", {"id": str(upcoming.id)}, token)
    assert seen["appointment"]["canCancel"] is False  # the button agrees with the mutation
    assert errors((await api.data(CANCEL, {"id": str(upcoming.id)}, token))["cancelAppointment"]) == ["PORTAL_DISABLED"]
    staff = await staff_token(api)
    assert (await api.data(CANCEL, {"id": str(upcoming.id)}, staff))["cancelAppointment"]["userErrors"] == []


async def test_a_cursor_with_an_absurd_date_is_invalid_input(api):
    token = await client_token(api)
    for raw in ("0001-01-01T00:00:00+01:00|00000000-0000-4000-8000-000000000000", "2027-01-01T00:00:00|x"):
        cursor = base64.urlsafe_b64encode(raw.encode()).decode()
        body = await api.post(
            "query($a: String) { me { appointments(when: PAST, after: $a) { edges { cursor } } } }", {"a": cursor}, token
        )
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
