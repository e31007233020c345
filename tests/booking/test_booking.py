"""bookAppointment by every kind of caller, and its refusals."""

from datetime import UTC, datetime, timedelta

from models import Appointment, AppointmentSource, Client, Clinic, CredentialKind, StaffUser, Treatment
from resolvers.account import credentials
from tests.support.booking import BOOK, SLOTS, at, book_input, errors, working_day
from tests.conftest import client_token, staff_token

NEW_CLIENT = {"fullName": "New Person", "email": "New.Person@Example.com", "phone": "07700 900123"}


async def _book(api, demo, token=None, **kw) -> dict:
    return (await api.data(BOOK, {"input": book_input(demo, **kw)}, token=token))["bookAppointment"]


async def test_a_signed_in_client_books_a_free_slot_and_sees_it(api, demo):
    token = await client_token(api)
    booked = await _book(api, demo, token)
    assert booked["userErrors"] == []
    appointment = booked["appointment"]
    assert appointment["status"] == "BOOKED" and appointment["canCancel"] is True
    assert appointment["price"] == {"amount": "65.00", "currency": "GBP"}
    row = await Appointment.get(id=appointment["id"])
    assert row.client_id == demo["demo"].client.id and row.source is AppointmentSource.PORTAL
    assert row.occupied_end - row.end_at == timedelta(minutes=15)  # the facial's buffer


async def test_the_booked_time_disappears_from_the_slots(api, demo):
    token = await client_token(api)
    booked = (await _book(api, demo, token, practitionerId=str(demo["demo"].practitioners["Sam Patel"].id)))["appointment"]
    day = working_day(5).date().isoformat()
    slots = (await api.data(SLOTS, {"c": "demo", "t": str(demo["demo"].treatments["Facial"].id), "f": day, "l": day,
                                    "p": booked["practitioner"]["id"]}))["availableSlots"]
    starts = {datetime.fromisoformat(s["start"]) for s in slots}
    start = datetime.fromisoformat(booked["start"])
    for minutes in range(-60, 75, 15):  # 60 min before (duration) to 75 after (duration + buffer)
        assert start + timedelta(minutes=minutes) not in starts
    assert start + timedelta(minutes=75) in starts


async def test_without_a_practitioner_a_free_one_is_picked(api, demo):
    token = await client_token(api)
    first = (await _book(api, demo, token))["appointment"]["practitioner"]["name"]
    second = (await _book(api, demo, token))["appointment"]["practitioner"]["name"]
    assert {first, second} == {"Alex Morgan", "Sam Patel"}
    third = await _book(api, demo, token)
    assert errors(third) == ["SLOT_UNAVAILABLE"]


async def test_an_anonymous_visitor_books_with_typed_in_details_and_becomes_a_client(api, demo):
    booked = await _book(api, demo, client=NEW_CLIENT)
    assert booked["userErrors"] == []
    client = await Client.get(clinic_id=demo["demo"].clinic.id, email="new.person@example.com")
    assert client.phone == "+447700900123"  # E.164, read in the clinic's country
    row = await Appointment.get(id=booked["appointment"]["id"])
    assert row.client_id == client.id and row.source is AppointmentSource.ONLINE


async def test_an_anonymous_booking_matches_an_existing_client_by_email_or_phone(api, demo):
    # With the one-time code switched off (tests/booking/test_manual_entry_code.py has it on).
    await Clinic.filter(id=demo["demo"].clinic.id).update(verify_manual_entry=False)
    existing = demo["demo"].client
    by_email = await _book(api, demo, client={**NEW_CLIENT, "email": "CLIENT@demo.clinic"})
    by_phone = await _book(api, demo, start=at(5, 14), client={**NEW_CLIENT, "phone": "+44 7700 900001"})
    for booked in (by_email, by_phone):
        assert (await Appointment.get(id=booked["appointment"]["id"])).client_id == existing.id
    assert await Client.filter(clinic_id=demo["demo"].clinic.id).count() == 1


async def test_a_clinic_closed_to_new_clients_refuses_unknown_visitors_and_writes_nothing(api, demo):
    clinic = demo["demo"].clinic
    clinic.accepts_new_clients = False
    await clinic.save()
    booked = await _book(api, demo, client=NEW_CLIENT)
    assert errors(booked) == ["NEW_CLIENTS_NOT_ACCEPTED"]
    assert await Client.filter(clinic_id=clinic.id).count() == 1
    assert await Appointment.filter(clinic_id=clinic.id).count() == 2  # the seeded two


async def test_a_lost_slot_writes_no_new_client(api, demo):
    token = await client_token(api)
    for _ in range(2):
        await _book(api, demo, token)
    booked = await _book(api, demo, client=NEW_CLIENT)
    assert errors(booked) == ["SLOT_UNAVAILABLE"]
    assert not await Client.exists(email="new.person@example.com")


async def test_the_client_input_is_ignored_when_the_credential_names_the_client(api, demo):
    token = await client_token(api)
    booked = await _book(api, demo, token, client=NEW_CLIENT)
    assert (await Appointment.get(id=booked["appointment"]["id"])).client_id == demo["demo"].client.id
    assert not await Client.exists(email="new.person@example.com")


async def test_staff_book_for_a_named_client_outside_working_hours(api, demo):
    token = await staff_token(api)
    booked = await _book(api, demo, token, start=at(5, 20), clientId=str(demo["demo"].client.id))
    assert booked["userErrors"] == []
    row = await Appointment.get(id=booked["appointment"]["id"])
    assert row.source is AppointmentSource.STAFF and row.client_id == demo["demo"].client.id


async def test_a_partner_key_needs_the_book_scope(api, demo):
    clinic_id = demo["demo"].clinic.id
    reader, _ = await credentials.issue(CredentialKind.API_KEY, clinic_id, lifetime=None, scopes=["read"])
    booker, _ = await credentials.issue(CredentialKind.API_KEY, clinic_id, lifetime=None, scopes=["book"])
    refused = await _book(api, demo, reader, client=NEW_CLIENT)
    assert errors(refused) == ["UNAUTHENTICATED"]
    booked = await _book(api, demo, booker, client=NEW_CLIENT)
    assert booked["userErrors"] == []
    assert (await Appointment.get(id=booked["appointment"]["id"])).source is AppointmentSource.PARTNER


async def test_times_outside_the_booking_window_are_refused(api, demo):
    token = await client_token(api)
    soon = (datetime.now(UTC) + timedelta(minutes=30)).replace(second=0, microsecond=0)
    too_far = at(200, 11)
    for start in (soon.isoformat(), too_far):
        assert errors(await _book(api, demo, token, start=start)) == ["OUTSIDE_BOOKING_WINDOW"]


async def test_times_outside_working_hours_are_unavailable(api, demo):
    token = await client_token(api)
    for start in (at(5, 8), at(5, 17, 30)):  # before opening; would end after 18:00
        assert errors(await _book(api, demo, token, start=start)) == ["SLOT_UNAVAILABLE"]


async def test_a_treatment_not_offered_online_or_by_that_practitioner_is_refused(api, demo):
    token = await client_token(api)
    clinic = demo["demo"].clinic
    hidden = await Treatment.create(clinic=clinic, name="Staff only", duration_minutes=30, online_bookable=False)
    assert errors(await _book(api, demo, token, treatmentId=str(hidden.id))) == ["TREATMENT_NOT_OFFERED"]
    from models import Practitioner

    newcomer = await Practitioner.create(clinic=clinic, name="Newcomer")
    assert errors(await _book(api, demo, token, practitionerId=str(newcomer.id))) == ["TREATMENT_NOT_OFFERED"]


async def test_a_closed_portal_refuses_clients_but_not_staff(api, demo):
    client, staff = await client_token(api), await staff_token(api)
    clinic = demo["demo"].clinic
    clinic.portal_enabled = False
    await clinic.save()
    assert errors(await _book(api, demo, client)) == ["PORTAL_DISABLED"]
    assert errors(await _book(api, demo, client=NEW_CLIENT)) == ["PORTAL_DISABLED"]
    assert (await _book(api, demo, staff, clientId=str(demo["demo"].client.id)))["userErrors"] == []


async def test_bad_input_names_the_field(api, demo):
    token = await client_token(api)
    cases = [
        ({"start": "2027-01-05T10:00:00"}, ["input", "start"]),  # no offset
        ({"start": at(5, 11, 0).replace(":00+", ":30+", 1)}, ["input", "start"]),  # seconds
        ({"client": {**NEW_CLIENT, "email": "not-an-email"}}, ["input", "client", "email"]),
        ({"client": {**NEW_CLIENT, "phone": "12"}}, ["input", "client", "phone"]),
        ({"client": {**NEW_CLIENT, "fullName": "  "}}, ["input", "client", "fullName"]),
        ({"idempotencyKey": "x" * 201}, ["input", "idempotencyKey"]),
    ]
    for extra, field in cases:
        booked = (await api.data(BOOK, {"input": book_input(demo, **extra)}, token=None if "client" in extra else token))["bookAppointment"]
        assert booked["userErrors"][0]["code"] == "INVALID_INPUT", extra
        assert booked["userErrors"][0]["field"] == field, extra
    anonymous_without_details = await _book(api, demo)
    assert anonymous_without_details["userErrors"][0]["field"] == ["input", "client"]


async def test_unknown_ids_are_not_found(api, demo):
    token = await client_token(api)
    bogus = "00000000-0000-4000-8000-000000000000"
    for extra, field in (
        ({"treatmentId": bogus}, ["input", "treatmentId"]),
        ({"treatmentId": "not-a-uuid"}, ["input", "treatmentId"]),
        ({"practitionerId": bogus}, ["input", "practitionerId"]),
        ({"clinicSlug": "nowhere"}, ["clinicSlug"]),
    ):
        booked = (await api.data(BOOK, {"input": book_input(demo, **extra)}, token=token))["bookAppointment"]
        assert booked["userErrors"][0]["code"] == "NOT_FOUND" and booked["userErrors"][0]["field"] == field


async def test_an_inactive_staff_users_session_stops_working(api, demo):
    token = await staff_token(api)
    await StaffUser.filter(id=demo["demo"].owner.id).update(active=False)
    refused = await api.post(BOOK, {"input": book_input(demo, clientId=str(demo["demo"].client.id))}, token=token)
    assert "data" not in refused and refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
