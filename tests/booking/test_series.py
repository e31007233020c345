"""Booking a recurring series over GraphQL: every occurrence placed like a
single booking, all or nothing or what fits, one confirmation for the
series, and who may book one."""

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models import Appointment, AppointmentSeries, AppointmentStatus, OutboxMessage, OutboxStatus
from resolvers.demo.series import DEMO_RECURRENCE, seed_series
from tests.conftest import client_token, staff_token
from tests.support.admin import partner_key
from tests.support.booking import BOOK, at, book_input, errors
from tests.support.outbox import sms_rows
from tests.support.series import BOOK_SERIES, SERIES, instant, series_input, weeks_after


async def _series(api, token, variables: dict) -> dict:
    return (await api.data(BOOK_SERIES, {"input": variables}, token))["bookSeries"]


async def _block(api, token, demo, start, practitioner: str = "Alex Morgan") -> dict:
    """A single booking of another client's in the way."""
    details = {"fullName": "Someone Else", "email": "someone@example.com", "phone": "+447700900777"}
    booked = (
        await api.data(
            BOOK,
            {"input": book_input(demo, start=start.isoformat(), practitionerId=str(demo["demo"].practitioners[practitioner].id), client=details)},
            token,
        )
    )["bookAppointment"]
    assert booked["userErrors"] == [], booked
    return booked["appointment"]


async def test_a_weekly_series_books_each_occurrence_at_the_same_local_time_under_one_series(api, demo):
    token = await staff_token(api)
    variables = series_input(demo)
    made = await _series(api, token, variables)
    assert made["userErrors"] == [] and made["missed"] == [], made
    series_id = made["series"]["id"]
    starts = [instant(a["start"]) for a in made["appointments"]]
    assert starts == [weeks_after(variables["start"], n) for n in range(4)]
    assert {a["series"]["id"] for a in made["appointments"]} == {series_id}
    assert {a["practitioner"]["name"] for a in made["appointments"]} == {"Alex Morgan"}
    rows = await Appointment.filter(series_id=series_id).order_by("start_at")
    assert [r.start_at for r in rows] == starts and all(r.client_id == demo["demo"].client.id for r in rows)
    read = (await api.data(SERIES, {"id": series_id}, token))["series"]
    assert [a["id"] for a in read["appointments"]] == [a["id"] for a in made["appointments"]]
    assert (read["every"], read["unit"]) == (1, "WEEKS")


async def test_every_n_days_up_to_an_end_date_counts_the_days_in_the_clinic(api, demo):
    token = await staff_token(api)
    first = at(7, 9)
    last_day = datetime.fromisoformat(first).date() + timedelta(days=9)  # 10 days: every 3 days gives 4
    made = await _series(api, token, series_input(demo, start=first, count=None, every=3, unit="DAYS", until=last_day.isoformat()))
    assert made["userErrors"] == [], made
    days = [instant(a["start"]).astimezone(ZoneInfo("Europe/London")).date() for a in made["appointments"]]
    assert [(d - days[0]).days for d in days] == [0, 3, 6, 9]


async def test_all_or_nothing_books_nothing_when_one_occurrence_clashes_and_says_which(api, demo):
    token = await staff_token(api)
    variables = series_input(demo)
    await _block(api, token, demo, weeks_after(variables["start"], 2) + timedelta(minutes=30))
    before = await Appointment.all().count()
    refused = await _series(api, token, variables)
    assert refused["series"] is None and refused["appointments"] == []
    assert errors(refused) == ["SLOT_UNAVAILABLE"]
    assert "Appointment 3 " in refused["userErrors"][0]["message"] and refused["userErrors"][0]["field"] == ["input", "start"]
    [missed] = refused["missed"]
    assert missed["number"] == 3 and missed["code"] == "SLOT_UNAVAILABLE"
    assert instant(missed["start"]) == weeks_after(variables["start"], 2)
    assert await Appointment.all().count() == before and await AppointmentSeries.all().count() == 0
    assert await sms_rows(demo["demo"].clinic.id, "series_confirmation") == []
    assert len(await sms_rows(demo["demo"].clinic.id, "reminder")) == 1  # the blocking booking's own


async def test_book_what_fits_books_the_others_and_lists_the_clash(api, demo):
    token = await staff_token(api)
    variables = series_input(demo, mode="BOOK_WHAT_FITS")
    blocker = await _block(api, token, demo, weeks_after(variables["start"], 1))
    made = await _series(api, token, variables)
    assert made["userErrors"] == [] and made["series"] is not None
    assert [instant(a["start"]) for a in made["appointments"]] == [weeks_after(variables["start"], n) for n in (0, 2, 3)]
    assert [(m["number"], m["code"]) for m in made["missed"]] == [(2, "SLOT_UNAVAILABLE")]
    assert await Appointment.filter(series_id=made["series"]["id"]).count() == 3
    assert (await Appointment.get(id=blocker["id"])).status is AppointmentStatus.BOOKED


async def test_without_a_practitioner_each_occurrence_takes_whoever_offers_it_and_is_free(api, demo):
    token = await staff_token(api)
    variables = series_input(demo, practitionerId=None, count=3)
    await _block(api, token, demo, weeks_after(variables["start"], 1), practitioner="Alex Morgan")
    made = await _series(api, token, variables)
    assert made["userErrors"] == [] and made["missed"] == [], made
    assert [a["practitioner"]["name"] for a in made["appointments"]] == ["Alex Morgan", "Sam Patel", "Alex Morgan"]


async def test_one_confirmation_for_the_series_and_reminders_for_each_occurrence(api, demo):
    token = await staff_token(api)
    made = await _series(api, token, series_input(demo))
    assert made["userErrors"] == []
    clinic_id = demo["demo"].clinic.id
    assert await sms_rows(clinic_id, "confirmation") == []
    [confirmation] = await sms_rows(clinic_id, "series_confirmation")
    assert confirmation.status is OutboxStatus.PENDING and confirmation.payload["to"] == demo["demo"].client.phone
    assert "4 Facial appointments" in confirmation.payload["body"]
    reminders = await sms_rows(clinic_id, "reminder")
    assert sorted(str(r.appointment_id) for r in reminders) == sorted(a["id"] for a in made["appointments"])
    for reminder in reminders:
        start = next(instant(a["start"]) for a in made["appointments"] if a["id"] == str(reminder.appointment_id))
        assert reminder.due_at == start - timedelta(hours=24)


async def test_bad_series_input_is_invalid_input_naming_the_field(api, demo):
    token = await staff_token(api)
    far = (instant(at(7, 14)) + timedelta(weeks=60)).date().isoformat()
    cases = [
        ({"count": 1}, ["input", "count"]),
        ({"count": 53}, ["input", "count"]),
        ({"count": None}, ["input", "count"]),
        ({"count": 3, "until": far}, ["input", "count"]),
        ({"count": None, "until": far}, ["input", "until"]),
        ({"count": None, "until": (instant(at(7, 14)) - timedelta(days=1)).date().isoformat()}, ["input", "until"]),
        ({"every": 0}, ["input", "every"]),
        ({"every": 53}, ["input", "every"]),
        ({"start": "2030-01-01T10:00:00"}, ["input", "start"]),
    ]
    for change, field in cases:
        refused = await _series(api, token, series_input(demo, **change))
        assert errors(refused) == ["INVALID_INPUT"] and refused["userErrors"][0]["field"] == field, (change, refused)
    assert await AppointmentSeries.all().count() == 0


async def test_clients_cannot_book_a_series_nor_partner_keys_without_the_book_scope(api, demo):
    variables = series_input(demo)
    assert errors(await _series(api, await client_token(api), variables)) == ["UNAUTHENTICATED"]
    assert errors(await _series(api, None, variables)) == ["UNAUTHENTICATED"]
    assert errors(await _series(api, await partner_key("demo", ["read"]), variables)) == ["UNAUTHENTICATED"]
    assert await AppointmentSeries.all().count() == 0
    booked = await _series(api, await partner_key("demo", ["book"]), variables)
    assert booked["userErrors"] == [] and len(booked["appointments"]) == 4


async def test_another_clinics_series_client_and_treatment_are_not_found(api, demo):
    made = await _series(api, await staff_token(api), series_input(demo))
    series_id = made["series"]["id"]
    northside = await staff_token(api, "northside")
    assert (await api.data(SERIES, {"id": series_id}, northside))["series"] is None
    theirs = series_input(demo, slug="northside", clientId=str(demo["demo"].client.id))
    refused = await _series(api, northside, theirs)
    assert errors(refused) == ["NOT_FOUND"] and refused["userErrors"][0]["field"] == ["input", "clientId"]
    theirs = series_input(demo, slug="northside", treatmentId=str(demo["demo"].treatments["Facial"].id))
    assert errors(await _series(api, northside, theirs)) == ["NOT_FOUND"]
    assert errors(await _series(api, northside, series_input(demo))) == ["NOT_FOUND"]  # the demo clinic's slug
    assert await AppointmentSeries.all().count() == 1


async def test_the_demo_series_reads_like_a_booked_one(api, demo):
    clinic = demo["demo"]
    seeded = await seed_series(clinic.clinic, clinic.client, clinic.practitioners["Sam Patel"], clinic.treatments["Consultation"])
    client = await client_token(api)
    upcoming = await api.data("{ me { appointments(when: UPCOMING) { edges { node { id series { id } } } } } }", None, client)
    in_series = [e["node"] for e in upcoming["me"]["appointments"]["edges"] if e["node"]["series"]]
    assert len(in_series) == DEMO_RECURRENCE.count and {n["series"]["id"] for n in in_series} == {str(seeded.id)}
    read = (await api.data(SERIES, {"id": str(seeded.id)}, await staff_token(api)))["series"]
    days = [instant(a["start"]).astimezone(ZoneInfo("Europe/London")).date() for a in read["appointments"]]
    assert [(b - a).days for a, b in zip(days, days[1:])] == [14, 14, 14]
    assert {a["practitioner"]["name"] for a in read["appointments"]} == {"Sam Patel"}
    assert (read["every"], read["unit"]) == (DEMO_RECURRENCE.every, DEMO_RECURRENCE.unit.value)


async def test_concurrent_series_and_single_bookings_never_overlap(api, demo):
    token = await staff_token(api)
    variables = series_input(demo)
    alex = str(demo["demo"].practitioners["Alex Morgan"].id)
    third = weeks_after(variables["start"], 2)
    singles = [
        book_input(demo, start=(third + timedelta(minutes=15 * n)).isoformat(), practitionerId=alex, clientId=str(demo["demo"].client.id))
        for n in range(3)
    ]
    answers = await asyncio.gather(
        *(api.data(BOOK_SERIES, {"input": variables}, token) for _ in range(6)),
        *(api.data(BOOK, {"input": single}, token) for single in singles),
    )
    series_won = [a["bookSeries"] for a in answers[:6] if a["bookSeries"]["series"]]
    assert len(series_won) <= 1
    for lost in (a["bookSeries"] for a in answers[:6] if not a["bookSeries"]["series"]):
        assert lost["appointments"] == [] and set(errors(lost)) == {"SLOT_UNAVAILABLE"}
    booked = await Appointment.filter(practitioner_id=alex, status=AppointmentStatus.BOOKED).order_by("occupied_start")
    for before, after in zip(booked, booked[1:]):
        assert before.occupied_end <= after.occupied_start, (before.start_at, after.start_at)
    assert await AppointmentSeries.all().count() == len(series_won)


async def test_each_practitioner_gets_one_e_mail_naming_all_their_occurrences(api, demo):
    token = await staff_token(api)
    variables = series_input(demo, practitionerId=None)
    await _block(api, token, demo, weeks_after(variables["start"], 1), practitioner="Alex Morgan")
    before = {m.id for m in await OutboxMessage.filter(kind="email")}
    made = await _series(api, token, variables)
    assert made["userErrors"] == [] and made["missed"] == []
    mails = [m for m in await OutboxMessage.filter(kind="email") if m.id not in before]
    assert all(m.payload["purpose"] == "practitioner_new_appointment" for m in mails)
    by_address = {m.payload["to"][0]: m.payload["body"] for m in mails}
    assert set(by_address) == {"alex@demo.clinic", "sam@demo.clinic"} and len(mails) == 2
    assert all("recurring series" in body for body in by_address.values())
    assert by_address["sam@demo.clinic"].count("\n- ") == 1 and by_address["alex@demo.clinic"].count("\n- ") == 3


async def test_a_retry_with_the_same_idempotency_key_answers_the_same_series(api, demo):
    token = await partner_key("demo", ["book"])
    variables = series_input(demo, practitionerId=None, idempotencyKey="series-retry-1")
    first = await _series(api, token, variables)
    again = await _series(api, token, variables)
    assert first["userErrors"] == again["userErrors"] == []
    assert again["series"] == first["series"] and again["appointments"] == first["appointments"]
    assert await Appointment.filter(series_id=first["series"]["id"]).count() == 4
    assert await AppointmentSeries.all().count() == 1
    assert len(await sms_rows(demo["demo"].clinic.id, "series_confirmation")) == 1
    other = await _series(api, token, {**variables, "count": 3})
    assert errors(other) == ["IDEMPOTENCY_CONFLICT"] and other["userErrors"][0]["field"] == ["input", "idempotencyKey"]
    concurrent = await asyncio.gather(*(_series(api, token, {**variables, "idempotencyKey": "series-retry-2"}) for _ in range(4)))
    assert len({c["series"]["id"] for c in concurrent}) == 1 and all(c["userErrors"] == [] for c in concurrent)
    assert await AppointmentSeries.all().count() == 2


async def test_a_partner_series_follows_the_booking_window_per_occurrence(api, demo):
    token = await partner_key("demo", ["book"])
    variables = series_input(demo, every=8, count=5, mode="BOOK_WHAT_FITS")  # the fifth is about 231 days out
    made = await _series(api, token, variables)
    assert made["userErrors"] == [] and len(made["appointments"]) == 4
    assert [(m["number"], m["code"]) for m in made["missed"]] == [(5, "OUTSIDE_BOOKING_WINDOW")]
    refused = await _series(api, token, {**variables, "mode": "ALL_OR_NOTHING", "start": at(7, 11)})
    assert refused["series"] is None and errors(refused) == ["OUTSIDE_BOOKING_WINDOW"]
