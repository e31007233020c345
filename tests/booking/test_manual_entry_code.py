"""Manual entry proves who it is: details typed on the booking page that
match an existing client book onto that client only with the one-time code
sent to the phone (or, without SMS, the e-mail) the clinic holds for them.
The code is read from the outbox row the request wrote."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from models import Appointment, BookingCode, Client, Clinic, OutboxMessage
from tests.support.admin import partner_key
from tests.support.booking import BOOK, at, book_input, errors
from tests.conftest import staff_token

DEMO_PHONE = "+447700900001"
# Someone typing the demo client's e-mail with their own name and phone.
IMPOSTOR = {"fullName": "Not Jamie", "email": "client@demo.clinic", "phone": "07700 900666"}


@pytest.fixture
async def sms(demo):
    """The demo clinic with Twilio set up (the demo data has it too)."""
    await Clinic.filter(id=demo["demo"].clinic.id).update(
        twilio_account_sid="AC" + "0" * 32, twilio_auth_token="test-auth-token", twilio_from_number="+447700900999"
    )
    return demo


async def _book(api, demo, details=IMPOSTOR, code=None, token=None, **kw) -> dict:
    data = book_input(demo, start=kw.pop("start", at(5, 11)), client=details, **kw)
    if code is not None:
        data["verificationCode"] = code
    return (await api.data(BOOK, {"input": data}, token))["bookAppointment"]


async def _codes(kind: str = "sms") -> list[OutboxMessage]:
    return [m for m in await OutboxMessage.filter(kind=kind).order_by("created_at") if m.payload.get("purpose") == "booking_code"]


def _code_in(message: OutboxMessage) -> str:
    return re.search(r"\b(\d{6})\b", message.payload["body"]).group(1)


async def test_matching_details_get_a_code_sent_to_the_clients_own_phone_and_book_nothing_until_it_is_given(api, sms):
    before = await Appointment.all().count()
    asked = await _book(api, sms)
    assert errors(asked) == ["VERIFICATION_REQUIRED"] and asked["appointment"] is None
    assert asked["userErrors"][0]["field"] == ["input", "verificationCode"]
    assert "ending in 01" in asked["userErrors"][0]["message"]
    [sent] = await _codes()
    assert sent.payload["to"] == DEMO_PHONE  # the number on record, not the one typed
    assert "confirm a booking at Demo Skin Clinic" in sent.payload["body"]
    assert await Appointment.all().count() == before

    booked = await _book(api, sms, code=_code_in(sent))
    assert booked["userErrors"] == []
    row = await Appointment.get(id=booked["appointment"]["id"])
    assert row.client_id == sms["demo"].client.id
    assert await Client.filter(clinic_id=sms["demo"].clinic.id).count() == 1


async def test_a_wrong_code_books_nothing_and_a_spent_code_does_not_book_twice(api, sms):
    await _book(api, sms)
    [sent] = await _codes()
    code = _code_in(sent)
    wrong = "000000" if code != "000000" else "111111"
    refused = await _book(api, sms, code=wrong)
    assert errors(refused) == ["INVALID_CODE"] and refused["userErrors"][0]["field"] == ["input", "verificationCode"]
    assert errors(await _book(api, sms, code=code)) == []
    assert errors(await _book(api, sms, code=code, start=at(5, 14))) == ["INVALID_CODE"]
    assert await Appointment.filter(client_id=sms["demo"].client.id).count() == 3  # two seeded and the one booked


async def test_a_code_survives_a_booking_that_failed_for_another_reason(api, sms):
    await _book(api, sms)
    code = _code_in((await _codes())[-1])
    staff = await staff_token(api)
    taken = at(5, 11)
    for name in ("Alex Morgan", "Sam Patel"):  # both practitioners busy at 11:00
        practitioner = str(sms["demo"].practitioners[name].id)
        done = await _book(api, sms, details=None, token=staff, start=taken, practitionerId=practitioner,
                           clientId=str(sms["demo"].client.id))
        assert done["userErrors"] == []
    assert errors(await _book(api, sms, code=code, start=taken)) == ["SLOT_UNAVAILABLE"]
    assert errors(await _book(api, sms, code=code, start=at(5, 15))) == []


async def test_the_code_dies_after_the_allowed_tries_even_when_right(api, sms, runtime):
    await _book(api, sms)
    code = _code_in((await _codes())[-1])
    tries = runtime.settings.sign_in_code_max_attempts
    for _ in range(tries):
        assert errors(await _book(api, sms, code="999999" if code != "999999" else "888888")) == ["INVALID_CODE"]
    assert errors(await _book(api, sms, code=code)) == ["INVALID_CODE"]
    assert (await BookingCode.get(client_id=sms["demo"].client.id)).attempts == tries


async def test_asking_for_codes_is_rate_limited_like_phone_sign_in(api, sms, runtime):
    runtime.settings = replace(runtime.settings, sms_code_per_phone=2)
    answers = [errors(await _book(api, sms)) for _ in range(3)]
    assert answers == [["VERIFICATION_REQUIRED"], ["VERIFICATION_REQUIRED"], ["RATE_LIMITED"]]
    assert len(await _codes()) == 2
    # Only the newest code is alive.
    old, new = await _codes()
    assert errors(await _book(api, sms, code=_code_in(old))) == ["INVALID_CODE"]


async def test_without_sms_the_code_goes_to_the_clients_email_on_record(api, demo):
    await Clinic.filter(id=demo["demo"].clinic.id).update(twilio_account_sid=None, twilio_auth_token=None)
    by_phone = {"fullName": "Someone", "email": "someone.else@example.com", "phone": "07700 900001"}
    asked = await _book(api, demo, details=by_phone)
    assert errors(asked) == ["VERIFICATION_REQUIRED"] and "c…@demo.clinic" in asked["userErrors"][0]["message"]
    assert await _codes("sms") == []
    [mail] = await _codes("email")
    assert mail.payload["to"] == ["client@demo.clinic"]
    assert mail.payload["subject"] == "Your code to confirm a booking at Demo Skin Clinic"
    assert errors(await _book(api, demo, details=by_phone, code=_code_in(mail))) == []


async def test_new_clients_book_as_before_without_a_code(api, sms):
    visitor = {"fullName": "Brand New", "email": "brand.new@example.com", "phone": "07700 900321"}
    booked = await _book(api, sms, details=visitor)
    assert booked["userErrors"] == []
    assert await _codes() == []


async def test_a_clinic_that_switches_the_check_off_attaches_typed_in_details_as_before(api, sms):
    staff = await staff_token(api)
    answer = await api.data(
        "mutation { updatePortalSettings(input: { verifyManualEntry: false }) { clinic { verifyManualEntry } userErrors { code } } }",
        token=staff,
    )
    assert answer["updatePortalSettings"] == {"clinic": {"verifyManualEntry": False}, "userErrors": []}
    booked = await _book(api, sms)
    assert booked["userErrors"] == []
    assert (await Appointment.get(id=booked["appointment"]["id"])).client_id == sms["demo"].client.id
    assert await _codes() == []


async def test_staff_and_partner_keys_typing_a_clients_details_need_no_code(api, sms):
    for n, token in enumerate((await staff_token(api), await partner_key("demo", ["book", "read"]))):
        booked = await _book(api, sms, token=token, start=at(5, 10 + n))
        assert booked["userErrors"] == []
        assert (await Appointment.get(id=booked["appointment"]["id"])).client_id == sms["demo"].client.id
    assert await _codes() == []


async def test_a_code_for_one_clinics_client_does_not_book_at_another(api, sms):
    await _book(api, sms)
    code = _code_in((await _codes())[-1])
    northside = {"fullName": "Not Riley", "email": "client@northside.clinic", "phone": "+12025550199"}
    await Clinic.filter(slug="northside").update(twilio_account_sid=None, twilio_auth_token=None)
    other = await _book(api, sms, details=northside, code=code, clinicSlug="northside",
                        treatmentId=str(sms["northside"].treatments["Facial"].id), start=at(5, 11, tz="America/New_York"))
    assert errors(other) == ["INVALID_CODE"]
