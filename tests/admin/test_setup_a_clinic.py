"""docs/setup-a-clinic.md, step by step: a new clinic through GraphQL alone,
ending with a client's booking; and the operators' way, from the command
line."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.admin import USER_ERRORS
from models import Clinic
from tests.conftest import FAST_HASH_ENV
from tests.support.servers import ROOT


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


def _next_weekday(days_ahead: int, tz: str) -> date:
    day = datetime.now(ZoneInfo(tz)).date() + timedelta(days=days_ahead)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


async def _ok(api, query: str, variables: dict, token: str | None = None) -> dict:
    data = await api.data(query, variables, token)
    (result,) = data.values()
    assert result["userErrors"] == [], result
    return result


CREATE_CLINIC = (
    "mutation($i: CreateClinicInput!) { createClinic(input: $i) { clinic { slug timezone portalUrl }"
    " session { token } " + USER_ERRORS + " } }"
)
RIVERSIDE = {
    "slug": "riverside", "name": "Riverside Physio", "timezone": "Europe/Dublin", "currency": "EUR",
    "country": "IE", "adminEmail": "owner@riverside.example", "adminPassword": "a-long-owner-password",
}


def _signup(runtime, allowed: bool, per_ip: int = 5) -> None:
    runtime.settings = replace(runtime.settings, clinic_signup=allowed, clinic_signup_per_ip=per_ip)


def _codes(result: dict) -> list[str]:
    return [e["code"] for e in result["userErrors"]]


async def test_a_new_clinic_is_set_up_through_graphql_and_takes_a_booking(api, backend):
    # Step 1: the clinic and its first administrator, who is signed in at once.
    created = await _ok(api, CREATE_CLINIC, {"i": RIVERSIDE})
    assert created["clinic"]["slug"] == "riverside" and created["clinic"]["timezone"] == "Europe/Dublin"
    assert created["session"]["token"]
    taken = (await api.data(CREATE_CLINIC, {"i": {**RIVERSIDE, "adminEmail": "other@riverside.example"}}))["createClinic"]
    assert _codes(taken) == ["INVALID_INPUT"] and taken["userErrors"][0]["field"] == ["slug"]

    # Step 2: sign in as the administrator.
    owner = await api.staff_sign_in("owner@riverside.example", "a-long-owner-password")

    # Step 3: the portal's settings.
    settings = {
        "bookingInstructions": "Wear comfortable clothes.",
        "termsAndConditions": "Cancellations inside 24 hours are charged.",
        "cancellationNoticeHours": 24,
        "cancellationPolicyText": "Please give a day's notice.",
        "bookingMinNoticeMinutes": 120,
        "bookingHorizonDays": 60,
        "slotStepMinutes": 30,
        "backgroundColor": "#e8f1f5",
    }
    await _ok(api, "mutation($i: PortalSettingsInput!) { updatePortalSettings(input: $i) { clinic { portalUrl } " + USER_ERRORS + " } }", {"i": settings}, owner)

    # Step 4: practitioners.
    create_practitioner = "mutation($i: PractitionerInput!) { createPractitioner(input: $i) { practitioner { id } " + USER_ERRORS + " } }"
    niamh = (await _ok(api, create_practitioner, {"i": {"name": "Niamh Byrne"}}, owner))["practitioner"]["id"]
    cian = (await _ok(api, create_practitioner, {"i": {"name": "Cian Walsh"}}, owner))["practitioner"]["id"]

    # Step 5: a consent form and treatments, and who offers them.
    consent = (await _ok(api, "mutation { createConsentForm(title: \"Dry needling consent\", body: \"I agree.\") { consentForm { id } " + USER_ERRORS + " } }", {}, owner))["consentForm"]["id"]
    create_treatment = "mutation($i: TreatmentInput!) { createTreatment(input: $i) { treatment { id } " + USER_ERRORS + " } }"
    assessment = (await _ok(api, create_treatment, {"i": {"name": "Assessment", "durationMinutes": 45, "bufferAfterMinutes": 15, "price": "70.00"}}, owner))["treatment"]["id"]
    needling = (await _ok(api, create_treatment, {"i": {"name": "Dry needling", "durationMinutes": 30, "price": "55.00", "consentFormId": consent}}, owner))["treatment"]["id"]
    offer = "mutation($t: ID!, $p: [ID!]!) { setTreatmentPractitioners(treatmentId: $t, practitionerIds: $p) { treatment { id } " + USER_ERRORS + " } }"
    await _ok(api, offer, {"t": assessment, "p": [niamh, cian]}, owner)
    await _ok(api, offer, {"t": needling, "p": [niamh]}, owner)

    # Step 6: weekly hours, Monday to Friday.
    set_hours = "mutation($p: ID!, $h: [WorkingHoursInput!]!) { setWeeklyHours(practitionerId: $p, hours: $h) { weeklyHours { weekday } " + USER_ERRORS + " } }"
    for practitioner in (niamh, cian):
        week = [{"weekday": d, "start": "09:00", "end": "13:00"} for d in range(5)] + [
            {"weekday": d, "start": "14:00", "end": "17:30"} for d in range(5)
        ]
        await _ok(api, set_hours, {"p": practitioner, "h": week}, owner)

    # Step 7: a practitioner signs in to their own diary.
    staff = {"email": "niamh@riverside.example", "fullName": "Niamh Byrne", "role": "PRACTITIONER", "practitionerId": niamh, "password": "niamh-password-1"}
    await _ok(api, "mutation($i: StaffUserInput!) { createStaffUser(input: $i) { staffUser { id } " + USER_ERRORS + " } }", {"i": staff}, owner)
    await api.staff_sign_in("niamh@riverside.example", "niamh-password-1")

    # Step 8: a client finds the clinic and books, without an account.
    public = (await api.data('{ clinic(slug: "riverside") { name portalUrl treatments { id name price { amount currency } consentForm { title } } } }'))["clinic"]
    assert public["portalUrl"] == "http://127.0.0.1:8000/p/riverside/"
    assert {t["name"]: t["price"]["amount"] for t in public["treatments"]} == {"Assessment": "70.00", "Dry needling": "55.00"}
    day = _next_weekday(3, "Europe/Dublin").isoformat()
    slots = (await api.data(
        "query($t: ID!, $d: Date!) { availableSlots(clinicSlug: \"riverside\", treatmentId: $t, from: $d, to: $d) { start practitioner { name } } }",
        {"t": needling, "d": day},
    ))["availableSlots"]
    assert slots and {s["practitioner"]["name"] for s in slots} == {"Niamh Byrne"}
    local = [datetime.fromisoformat(s["start"]).astimezone(ZoneInfo("Europe/Dublin")).strftime("%H:%M") for s in slots]
    assert local[0] == "09:00" and "13:00" not in local and "14:00" in local and local[-1] == "17:00"
    booking = {
        "clinicSlug": "riverside",
        "treatmentId": needling,
        "start": slots[0]["start"],
        "client": {"fullName": "Aoife Kelly", "email": "aoife@example.ie", "phone": "087 123 4567"},
        "idempotencyKey": "riverside-first-booking",
    }
    booked = await _ok(
        api,
        "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { appointment { id status start practitioner { name } price { amount currency } } " + USER_ERRORS + " } }",
        {"i": booking},
    )
    assert booked["appointment"]["status"] == "BOOKED"
    assert booked["appointment"]["practitioner"]["name"] == "Niamh Byrne"
    assert booked["appointment"]["price"] == {"amount": "55.00", "currency": "EUR"}
    found = (await api.data('{ clients(search: "aoife") { edges { node { phone } } } }', None, owner))["clients"]["edges"]
    assert found == [{"node": {"phone": "+353871234567"}}]


async def test_the_command_line_creates_a_clinic_and_refuses_a_taken_slug(api, backend):
    env = {"DATABASE_URL": backend.url, **FAST_HASH_ENV}
    made = _cli(
        env, "create-clinic", "--slug", "lakeside", "--name", "Lakeside Physio", "--timezone", "Europe/Dublin",
        "--currency", "EUR", "--country", "IE", "--admin-email", "owner@lakeside.example", "--admin-password", "a-long-owner-password",
    )
    assert made.returncode == 0, made.stderr
    assert await Clinic.exists(slug="lakeside")
    again = _cli(
        env, "create-clinic", "--slug", "lakeside", "--name", "X", "--timezone", "Europe/Dublin",
        "--currency", "EUR", "--country", "IE", "--admin-email", "other@lakeside.example", "--admin-password", "a-long-owner-password",
    )
    assert again.returncode == 2 and "taken" in again.stderr
    assert await api.staff_sign_in("owner@lakeside.example", "a-long-owner-password")


async def test_self_serve_sign_up_can_be_switched_off_and_is_limited_per_address(api, backend, runtime):
    try:
        _signup(runtime, False)
        refused = (await api.data(CREATE_CLINIC, {"i": RIVERSIDE}))["createClinic"]
        assert _codes(refused) == ["UNAUTHENTICATED"] and not await Clinic.exists(slug="riverside")
        _signup(runtime, True, per_ip=2)
        answers = [
            (await api.data(CREATE_CLINIC, {"i": {**RIVERSIDE, "slug": f"clinic-{n}", "adminEmail": f"owner{n}@example.com"}}))["createClinic"]
            for n in range(3)
        ]
        assert [_codes(a) for a in answers] == [[], [], ["RATE_LIMITED"]]
        assert not await Clinic.exists(slug="clinic-2")
    finally:
        _signup(runtime, True)


async def test_a_signed_in_caller_cannot_create_a_clinic_and_bad_input_names_its_field(api, demo):
    owner = await api.staff_sign_in("owner@demo.clinic", "demo-owner-pass")
    signed_in = (await api.data(CREATE_CLINIC, {"i": RIVERSIDE}, owner))["createClinic"]
    assert _codes(signed_in) == ["INVALID_INPUT"] and not await Clinic.exists(slug="riverside")
    bad_zone = (await api.data(CREATE_CLINIC, {"i": {**RIVERSIDE, "timezone": "Mars/Olympus"}}))["createClinic"]
    assert bad_zone["userErrors"][0]["field"] == ["timezone"]
