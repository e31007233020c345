"""One clinic's credentials never reach another clinic's objects, and one
client never reaches another client's: such an object answers exactly like
one that does not exist, so a caller cannot even learn that it exists."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from models import Appointment, AppointmentSource, AppointmentStatus, Client, CredentialKind, utcnow
from resolvers.account import credentials
from tests.conftest import client_token, staff_token

KINDS = ["client", "staff", "partner"]
STAFF_KINDS = ["staff", "partner"]

APPOINTMENT = "query($id: ID!) { appointment(id: $id) { id start status } }"
CANCEL = (
    "mutation($id: ID!) { cancelAppointment(id: $id, reason: \"no\")"
    " { appointment { id status } userErrors { code message field } } }"
)
RESCHEDULE = (
    "mutation($id: ID!, $start: DateTime!, $p: ID) { rescheduleAppointment(id: $id, start: $start, practitionerId: $p)"
    " { appointment { id start } userErrors { code message field } } }"
)
REPEAT = (
    "mutation($id: ID!, $start: DateTime!) { repeatAppointment(id: $id, start: $start)"
    " { appointment { id start } userErrors { code message field } } }"
)
BOOK = (
    "mutation($input: BookAppointmentInput!) { bookAppointment(input: $input)"
    " { appointment { id start treatment { name } practitioner { name } } userErrors { code message field } } }"
)
SLOTS = (
    "query($slug: String!, $t: ID!, $from: Date!, $to: Date!, $p: ID) {"
    " availableSlots(clinicSlug: $slug, treatmentId: $t, from: $from, to: $to, practitionerId: $p)"
    " { start practitioner { name } } }"
)
CALENDAR = (
    "query($from: DateTime!, $to: DateTime!, $p: [ID!]) { calendar(from: $from, to: $to, practitionerIds: $p)"
    " { id start practitioner { id name } treatment { id } } }"
)
ME = "{ me { id fullName } }"


def unknown_id() -> str:
    return str(uuid.uuid4())


def unknown_slug() -> str:
    return f"no-such-clinic-{uuid.uuid4().hex[:8]}"


async def northside_token(api, kind: str) -> str:
    """A credential of the `northside` clinic: its client, its owner, or a
    partner key with every scope."""
    if kind == "client":
        return await client_token(api, "northside")
    if kind == "staff":
        return await staff_token(api, "northside")
    from models import Clinic

    clinic = await Clinic.get(slug="northside")
    token, _ = await credentials.issue(
        CredentialKind.API_KEY, clinic.id, lifetime=None, scopes=["read", "book", "calendar", "admin"]
    )
    return token


def working_start(timezone: str, hour: int = 14, days_ahead: int = 2) -> datetime:
    """A start inside every clinic's booking window and working hours:
    `hour` o'clock local time on the first Monday-to-Saturday date at least
    `days_ahead` days from now."""
    tz = ZoneInfo(timezone)
    day = utcnow().astimezone(tz).date() + timedelta(days=days_ahead)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, 0), tzinfo=tz).astimezone(UTC)


async def demo_appointments(demo) -> tuple[Appointment, Appointment]:
    """The `demo` client's (past, upcoming) appointments."""
    rows = await Appointment.filter(clinic_id=demo["demo"].clinic.id).order_by("start_at")
    past, upcoming = rows
    assert past.start_at < utcnow() < upcoming.start_at
    return past, upcoming


async def northside_upcoming(demo) -> Appointment:
    return await Appointment.filter(clinic_id=demo["northside"].clinic.id, start_at__gt=utcnow()).first()


def only_error(data: dict, operation: str) -> dict:
    payload = data[operation]
    assert payload["appointment"] is None, payload
    assert len(payload["userErrors"]) == 1, payload
    return payload["userErrors"][0]


async def assert_same_answer(api, query: str, theirs: dict, unknown: dict, token: str) -> dict:
    """Asks once with another tenant's id and once with an unknown one;
    the two whole responses must be identical. Returns the response."""
    seen = await api.post(query, theirs, token=token)
    missing = await api.post(query, unknown, token=token)
    assert seen == missing
    return seen


# Reading and changing another clinic's appointment


@pytest.mark.parametrize("kind", KINDS)
async def test_another_clinics_appointment_reads_as_null_like_one_that_does_not_exist(api, demo, kind):
    token = await northside_token(api, kind)
    for theirs in await demo_appointments(demo):
        body = await assert_same_answer(api, APPOINTMENT, {"id": str(theirs.id)}, {"id": unknown_id()}, token)
        assert body == {"data": {"appointment": None}}


@pytest.mark.parametrize("kind", KINDS)
async def test_cancelling_another_clinics_appointment_is_not_found_like_one_that_does_not_exist(api, demo, kind):
    token = await northside_token(api, kind)
    _, upcoming = await demo_appointments(demo)
    body = await assert_same_answer(api, CANCEL, {"id": str(upcoming.id)}, {"id": unknown_id()}, token)
    assert only_error(body["data"], "cancelAppointment")["code"] == "NOT_FOUND"
    await upcoming.refresh_from_db()
    assert upcoming.status is AppointmentStatus.BOOKED


@pytest.mark.parametrize("kind", KINDS)
async def test_rescheduling_another_clinics_appointment_is_not_found_like_one_that_does_not_exist(api, demo, kind):
    token = await northside_token(api, kind)
    _, upcoming = await demo_appointments(demo)
    start = working_start("Europe/London").isoformat()
    body = await assert_same_answer(
        api, RESCHEDULE, {"id": str(upcoming.id), "start": start}, {"id": unknown_id(), "start": start}, token
    )
    assert only_error(body["data"], "rescheduleAppointment")["code"] == "NOT_FOUND"
    await upcoming.refresh_from_db()
    assert upcoming.status is AppointmentStatus.BOOKED
    assert await Appointment.filter(clinic_id=demo["demo"].clinic.id).count() == 2


@pytest.mark.parametrize("kind", KINDS)
async def test_repeating_another_clinics_appointment_is_not_found_like_one_that_does_not_exist(api, demo, kind):
    token = await northside_token(api, kind)
    past, _ = await demo_appointments(demo)
    start = working_start("Europe/London").isoformat()
    body = await assert_same_answer(
        api, REPEAT, {"id": str(past.id), "start": start}, {"id": unknown_id(), "start": start}, token
    )
    assert only_error(body["data"], "repeatAppointment")["code"] == "NOT_FOUND"
    assert await Appointment.filter(clinic_id=demo["demo"].clinic.id).count() == 2


@pytest.mark.parametrize("kind", KINDS)
async def test_rescheduling_to_another_clinics_practitioner_is_not_found_like_one_that_does_not_exist(
    api, demo, kind
):
    token = await northside_token(api, kind)
    own = await northside_upcoming(demo)
    start = working_start("America/New_York", days_ahead=4).isoformat()
    theirs = demo["demo"].practitioners["Alex Morgan"].id
    body = await assert_same_answer(
        api,
        RESCHEDULE,
        {"id": str(own.id), "start": start, "p": str(theirs)},
        {"id": str(own.id), "start": start, "p": unknown_id()},
        token,
    )
    error = only_error(body["data"], "rescheduleAppointment")
    assert error["code"] == "NOT_FOUND" and error["field"] == ["practitionerId"]
    await own.refresh_from_db()
    assert own.status is AppointmentStatus.BOOKED


# Booking with another clinic's slug or ids


def booking(slug: str, treatment_id, start: datetime, **extra) -> dict:
    return {"input": {"clinicSlug": slug, "treatmentId": str(treatment_id), "start": start.isoformat(), **extra}}


@pytest.mark.parametrize("kind", KINDS)
async def test_booking_at_another_clinic_by_its_slug_is_not_found_like_an_unknown_clinic(api, demo, kind):
    token = await northside_token(api, kind)
    treatment = demo["demo"].treatments["Consultation"].id
    start = working_start("Europe/London")
    body = await assert_same_answer(
        api, BOOK, booking("demo", treatment, start), booking(unknown_slug(), treatment, start), token
    )
    error = only_error(body["data"], "bookAppointment")
    assert error["code"] == "NOT_FOUND" and error["field"] == ["clinicSlug"]
    assert await Appointment.filter(clinic_id=demo["demo"].clinic.id).count() == 2


@pytest.mark.parametrize("kind", KINDS)
async def test_booking_another_clinics_treatment_is_not_found_like_an_unknown_treatment(api, demo, kind):
    token = await northside_token(api, kind)
    start = working_start("America/New_York")
    theirs = demo["demo"].treatments["Consultation"].id
    body = await assert_same_answer(
        api, BOOK, booking("northside", theirs, start), booking("northside", unknown_id(), start), token
    )
    error = only_error(body["data"], "bookAppointment")
    assert error["code"] == "NOT_FOUND" and error["field"] == ["input", "treatmentId"]


@pytest.mark.parametrize("kind", KINDS)
async def test_booking_another_clinics_practitioner_is_not_found_like_an_unknown_practitioner(api, demo, kind):
    token = await northside_token(api, kind)
    start = working_start("America/New_York")
    own = demo["northside"].treatments["Consultation"].id
    theirs = demo["demo"].practitioners["Alex Morgan"].id
    body = await assert_same_answer(
        api,
        BOOK,
        booking("northside", own, start, practitionerId=str(theirs)),
        booking("northside", own, start, practitionerId=unknown_id()),
        token,
    )
    error = only_error(body["data"], "bookAppointment")
    assert error["code"] == "NOT_FOUND" and error["field"] == ["input", "practitionerId"]
    assert await Appointment.filter(practitioner_id=theirs).count() == 2


@pytest.mark.parametrize("kind", STAFF_KINDS)
async def test_booking_for_another_clinics_client_is_not_found_like_an_unknown_client(api, demo, kind):
    token = await northside_token(api, kind)
    start = working_start("America/New_York")
    own = demo["northside"].treatments["Consultation"].id
    theirs = demo["demo"].client.id
    body = await assert_same_answer(
        api,
        BOOK,
        booking("northside", own, start, clientId=str(theirs)),
        booking("northside", own, start, clientId=unknown_id()),
        token,
    )
    error = only_error(body["data"], "bookAppointment")
    assert error["code"] == "NOT_FOUND" and error["field"] == ["input", "clientId"]
    assert await Appointment.filter(client_id=theirs).count() == 2
    assert await Appointment.filter(clinic_id=demo["northside"].clinic.id).count() == 2


@pytest.mark.parametrize("kind", STAFF_KINDS)
async def test_the_same_booking_for_an_own_client_goes_through(api, demo, kind):
    """The control for the test above: the refusal is about the client."""
    token = await northside_token(api, kind)
    start = working_start("America/New_York")
    data = await api.data(
        BOOK,
        booking(
            "northside",
            demo["northside"].treatments["Consultation"].id,
            start,
            clientId=str(demo["northside"].client.id),
        ),
        token=token,
    )
    assert data["bookAppointment"]["userErrors"] == []
    assert data["bookAppointment"]["appointment"]["treatment"]["name"] == "Consultation"


# Available slots


def slots_args(slug: str, treatment_id, practitioner_id=None) -> dict:
    first = utcnow().date() + timedelta(days=2)
    return {
        "slug": slug,
        "t": str(treatment_id),
        "from": first.isoformat(),
        "to": (first + timedelta(days=2)).isoformat(),
        "p": str(practitioner_id) if practitioner_id else None,
    }


def only_top_level_error(body: dict) -> dict:
    assert body.get("data") is None, body
    assert len(body["errors"]) == 1, body
    return body["errors"][0]


@pytest.mark.parametrize("kind", KINDS)
async def test_slots_of_another_clinic_are_a_not_found_error_like_an_unknown_clinic(api, demo, kind):
    token = await northside_token(api, kind)
    treatment = demo["demo"].treatments["Consultation"].id
    body = await assert_same_answer(
        api, SLOTS, slots_args("demo", treatment), slots_args(unknown_slug(), treatment), token
    )
    assert only_top_level_error(body)["extensions"]["code"] == "NOT_FOUND"


async def test_anyone_without_a_credential_still_sees_that_clinics_slots(api, demo):
    """The control for the test above: the slots exist, the credential is
    what hides them."""
    data = await api.data(SLOTS, slots_args("demo", demo["demo"].treatments["Consultation"].id))
    assert data["availableSlots"]


@pytest.mark.parametrize("kind", KINDS)
async def test_slots_for_another_clinics_treatment_are_not_found_like_an_unknown_treatment(api, demo, kind):
    token = await northside_token(api, kind)
    body = await assert_same_answer(
        api,
        SLOTS,
        slots_args("northside", demo["demo"].treatments["Consultation"].id),
        slots_args("northside", unknown_id()),
        token,
    )
    assert only_top_level_error(body)["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("kind", KINDS)
async def test_slots_with_another_clinics_practitioner_are_not_found_like_an_unknown_practitioner(api, demo, kind):
    token = await northside_token(api, kind)
    own = demo["northside"].treatments["Consultation"].id
    body = await assert_same_answer(
        api,
        SLOTS,
        slots_args("northside", own, demo["demo"].practitioners["Alex Morgan"].id),
        slots_args("northside", own, unknown_id()),
        token,
    )
    assert only_top_level_error(body)["extensions"]["code"] == "NOT_FOUND"


# The calendar


def calendar_range() -> dict:
    now = utcnow()
    return {"from": (now - timedelta(days=30)).isoformat(), "to": (now + timedelta(days=30)).isoformat()}


@pytest.mark.parametrize("kind", STAFF_KINDS)
async def test_the_calendar_never_contains_another_clinics_appointments(api, demo, kind):
    token = await northside_token(api, kind)
    rows = (await api.data(CALENDAR, calendar_range(), token=token))["calendar"]
    own = {str(a.id) for a in await Appointment.filter(clinic_id=demo["northside"].clinic.id)}
    theirs = {str(a.id) for a in await Appointment.filter(clinic_id=demo["demo"].clinic.id)}
    assert {r["id"] for r in rows} == own
    assert not {r["id"] for r in rows} & theirs
    northside_practitioners = {str(p.id) for p in demo["northside"].practitioners.values()}
    assert {r["practitioner"]["id"] for r in rows} <= northside_practitioners


@pytest.mark.parametrize("kind", STAFF_KINDS)
async def test_the_calendar_of_another_clinics_practitioners_is_empty_like_unknown_ones(api, demo, kind):
    token = await northside_token(api, kind)
    theirs = [str(p.id) for p in demo["demo"].practitioners.values()]
    body = await assert_same_answer(
        api,
        CALENDAR,
        {**calendar_range(), "p": theirs},
        {**calendar_range(), "p": [unknown_id() for _ in theirs]},
        token,
    )
    assert body == {"data": {"calendar": []}}


async def test_a_client_session_has_no_calendar(api, demo):
    token = await northside_token(api, "client")
    body = await api.post(CALENDAR, calendar_range(), token=token)
    assert only_top_level_error(body)["extensions"]["code"] == "UNAUTHENTICATED"


# The public face of another clinic


CLINIC_FACE = (
    "{ clinic(slug: \"demo\") { slug showPrices treatments { id name price { amount }"
    " practitioners { id name treatments { id name price { amount } } } }"
    " practitioners { id name treatments { id name price { amount } } } } }"
)


@pytest.mark.parametrize("kind", KINDS)
async def test_another_clinics_staff_and_partners_see_only_its_public_face(api, demo, kind):
    """Hidden prices and treatments that are not bookable online show to a
    clinic's own staff and partners only, never to another clinic's."""
    clinic = demo["demo"].clinic
    clinic.show_prices = False
    await clinic.save()
    hidden = demo["demo"].treatments["Chemical Peel"]
    hidden.online_bookable = False
    await hidden.save()
    token = await northside_token(api, kind)
    theirs = await api.data(CLINIC_FACE, token=token)
    anonymous = await api.data(CLINIC_FACE)
    assert theirs == anonymous
    face = theirs["clinic"]
    assert {t["name"] for t in face["treatments"]} == {"Consultation", "Facial"}
    assert all(t["price"] is None for t in face["treatments"])
    assert all(t["name"] != "Chemical Peel" for p in face["practitioners"] for t in p["treatments"])
    own_staff = await api.data(CLINIC_FACE, token=await staff_token(api, "demo"))
    assert "Chemical Peel" in {t["name"] for t in own_staff["clinic"]["treatments"]}
    assert all(t["price"] is not None for t in own_staff["clinic"]["treatments"])


# Another client of the same clinic


async def another_demo_client(api, demo) -> tuple[str, str]:
    """A second `demo` client, booked anonymously with typed-in details, and
    a past appointment of theirs. Returns (upcoming id, past id)."""
    data = await api.data(
        BOOK,
        booking(
            "demo",
            demo["demo"].treatments["Consultation"].id,
            working_start("Europe/London"),
            client={"fullName": "Robin Other", "email": "robin@example.com", "phone": "+447700900123"},
        ),
    )
    assert data["bookAppointment"]["userErrors"] == [], data
    upcoming = data["bookAppointment"]["appointment"]["id"]
    other = await Client.get(clinic_id=demo["demo"].clinic.id, email="robin@example.com")
    assert other.id != demo["demo"].client.id
    treatment = demo["demo"].treatments["Consultation"]
    start = datetime.combine(utcnow().date() - timedelta(days=14), time(11, 0), tzinfo=UTC)
    past = await Appointment.create(
        clinic_id=demo["demo"].clinic.id,
        practitioner_id=demo["demo"].practitioners["Sam Patel"].id,
        treatment_id=treatment.id,
        client_id=other.id,
        start_at=start,
        end_at=start + timedelta(minutes=30),
        occupied_start=start,
        occupied_end=start + timedelta(minutes=30),
        status=AppointmentStatus.COMPLETED,
        source=AppointmentSource.STAFF,
        price=treatment.price,
        currency="GBP",
    )
    return upcoming, str(past.id)


async def test_a_client_cannot_read_another_clients_appointment_at_the_same_clinic(api, demo):
    upcoming, past = await another_demo_client(api, demo)
    token = await client_token(api, "demo")
    for theirs in (upcoming, past):
        body = await assert_same_answer(api, APPOINTMENT, {"id": theirs}, {"id": unknown_id()}, token)
        assert body == {"data": {"appointment": None}}


async def test_a_client_cannot_cancel_another_clients_appointment_at_the_same_clinic(api, demo):
    upcoming, _ = await another_demo_client(api, demo)
    token = await client_token(api, "demo")
    body = await assert_same_answer(api, CANCEL, {"id": upcoming}, {"id": unknown_id()}, token)
    assert only_error(body["data"], "cancelAppointment")["code"] == "NOT_FOUND"
    assert (await Appointment.get(id=upcoming)).status is AppointmentStatus.BOOKED


async def test_a_client_cannot_reschedule_another_clients_appointment_at_the_same_clinic(api, demo):
    upcoming, _ = await another_demo_client(api, demo)
    token = await client_token(api, "demo")
    start = working_start("Europe/London", hour=16, days_ahead=5).isoformat()
    body = await assert_same_answer(
        api, RESCHEDULE, {"id": upcoming, "start": start}, {"id": unknown_id(), "start": start}, token
    )
    assert only_error(body["data"], "rescheduleAppointment")["code"] == "NOT_FOUND"
    assert (await Appointment.get(id=upcoming)).status is AppointmentStatus.BOOKED


async def test_a_client_cannot_repeat_another_clients_appointment_at_the_same_clinic(api, demo):
    _, past = await another_demo_client(api, demo)
    token = await client_token(api, "demo")
    start = working_start("Europe/London", hour=16, days_ahead=5).isoformat()
    before = await Appointment.filter(clinic_id=demo["demo"].clinic.id).count()
    body = await assert_same_answer(
        api, REPEAT, {"id": past, "start": start}, {"id": unknown_id(), "start": start}, token
    )
    assert only_error(body["data"], "repeatAppointment")["code"] == "NOT_FOUND"
    assert await Appointment.filter(clinic_id=demo["demo"].clinic.id).count() == before


async def test_a_client_never_sees_another_clients_appointments_in_their_own_list(api, demo):
    upcoming, past = await another_demo_client(api, demo)
    token = await client_token(api, "demo")
    query = (
        "{ me { upcoming: appointments(when: UPCOMING) { edges { node { id } } }"
        " past: appointments(when: PAST) { edges { node { id } } } } }"
    )
    me = (await api.data(query, token=token))["me"]
    seen = {e["node"]["id"] for key in ("upcoming", "past") for e in me[key]["edges"]}
    own = {str(a.id) for a in await Appointment.filter(client_id=demo["demo"].client.id)}
    assert seen == own
    assert upcoming not in seen and past not in seen


# Booking sessions


async def booking_session(api) -> str:
    token = await client_token(api, "demo")
    made = await api.data("mutation { createPrefillToken { token userErrors { code } } }", token=token)
    assert made["createPrefillToken"]["userErrors"] == []
    redeemed = await api.data(
        "mutation($t: String!) { redeemPrefillToken(token: $t)"
        " { prefill { fullName } bookingSession { token } userErrors { code } } }",
        {"t": made["createPrefillToken"]["token"]},
    )
    assert redeemed["redeemPrefillToken"]["userErrors"] == []
    assert redeemed["redeemPrefillToken"]["prefill"]["fullName"] == "Jamie Client"
    return redeemed["redeemPrefillToken"]["bookingSession"]["token"]


async def test_a_booking_session_books_for_its_client(api, demo):
    session = await booking_session(api)
    data = await api.data(
        BOOK, booking("demo", demo["demo"].treatments["Consultation"].id, working_start("Europe/London")), token=session
    )
    assert data["bookAppointment"]["userErrors"] == []
    booked = await Appointment.get(id=data["bookAppointment"]["appointment"]["id"])
    assert booked.client_id == demo["demo"].client.id


async def test_a_booking_session_is_not_signed_in_as_the_client(api, demo):
    session = await booking_session(api)
    assert await api.data(ME, token=session) == {"me": None}


async def test_a_booking_session_cannot_read_or_cancel_even_its_own_clients_appointments(api, demo):
    _, seeded = await demo_appointments(demo)
    session = await booking_session(api)
    data = await api.data(
        BOOK, booking("demo", demo["demo"].treatments["Consultation"].id, working_start("Europe/London")), token=session
    )
    just_booked = data["bookAppointment"]["appointment"]["id"]
    for own in (just_booked, str(seeded.id)):
        body = await assert_same_answer(api, APPOINTMENT, {"id": own}, {"id": unknown_id()}, session)
        assert body == {"data": {"appointment": None}}
        body = await assert_same_answer(api, CANCEL, {"id": own}, {"id": unknown_id()}, session)
        assert only_error(body["data"], "cancelAppointment")["code"] == "NOT_FOUND"
        assert (await Appointment.get(id=own)).status is AppointmentStatus.BOOKED


async def test_a_booking_session_cannot_book_at_another_clinic(api, demo):
    session = await booking_session(api)
    treatment = demo["northside"].treatments["Consultation"].id
    start = working_start("America/New_York")
    body = await assert_same_answer(
        api, BOOK, booking("northside", treatment, start), booking(unknown_slug(), treatment, start), session
    )
    assert only_error(body["data"], "bookAppointment")["code"] == "NOT_FOUND"
