"""What a client reads outside the portal (SMS through the real `twilio`
client to the Twilio stand-in, e-mail through aiosmtpd) is in the client's
language (`setLanguage`), with dates, times and prices written that
language's way, in the clinic's time zone."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency

from models import Client, Clinic
from tests.booking.test_consent import _book_peel
from tests.conftest import client_token
from tests.support.booking import BOOK, at, book_input
from tests.support.mailbox import deliver, mailbox, queued  # noqa: F401  (fixture)
from tests.support.outbox import drain, twilio  # noqa: F401  (fixture)

PHONE = "+447700900001"  # the demo client's
BERLIN = "Europe/Berlin"  # an hour off UTC all year: a time in UTC would show


def local(iso: str, zone: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(zone))


async def test_a_german_clients_confirmation_sms_is_german_with_the_date_and_price_written_the_german_way(api, demo, twilio, runtime):
    clinic = demo["demo"].clinic
    await Clinic.filter(id=clinic.id).update(timezone=BERLIN)
    await Client.filter(id=demo["demo"].client.id).update(language="de")
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(5, 11, tz=BERLIN))}, await client_token(api)))
    appointment = booked["bookAppointment"]["appointment"]
    assert await drain(runtime.settings) == ["SENT"]
    [body] = twilio.sandbox.bodies_to(PHONE)
    start = local(appointment["start"], BERLIN)
    assert body.startswith(f"{clinic.name}: Ihr Termin für Facial bei ")
    assert format_date(start, "EEE", locale="de") in body and format_date(start, "MMM", locale="de") in body
    assert "11:00" in body and "10:00" not in body  # the clinic's wall clock, not UTC
    price = Decimal(appointment["price"]["amount"])
    assert format_currency(price, appointment["price"]["currency"], locale="de") in body  # "45,00 £"
    assert f"{price:.2f}" not in body


async def test_a_french_clients_password_reset_email_arrives_in_french(api, demo, mailbox, runtime):
    await Client.filter(id=demo["demo"].client.id).update(language="fr")
    asked = await api.data(
        'mutation { requestPasswordReset(clinicSlug: "demo", email: "client@demo.clinic") { sent userErrors { code } } }'
    )
    assert asked["requestPasswordReset"] == {"sent": True, "userErrors": []}
    await deliver(await queued(), runtime.settings)
    [mail] = [m for m in mailbox.recorder.received() if m["rcptTos"] == ["client@demo.clinic"]]
    name = demo["demo"].clinic.name
    assert mail["subject"] == f"Réinitialisez votre mot de passe {name}"
    assert f"Quelqu’un a demandé la réinitialisation du mot de passe de votre compte {name}." in mail["body"]
    minutes = runtime.settings.password_reset_minutes
    assert f"dans les {minutes} minutes" in mail["body"] and "/p/demo/reset-password?token=" in mail["body"]


async def test_a_french_clients_consent_email_names_the_new_york_time_in_french(api, demo, mailbox, runtime):
    zone = "America/New_York"
    await Client.filter(id=demo["northside"].client.id).update(language="fr")
    appointment, _token = await _book_peel(api, demo, at(6, 11, tz=zone), slug="northside")
    [row] = [m for m in await queued(appointment_id=appointment["id"]) if m.payload["purpose"] == "consent_request"]
    await deliver([row], runtime.settings)
    [mail] = [m for m in mailbox.recorder.received() if m["subject"].endswith("Chemical Peel")]
    assert mail["subject"].startswith("Northside") and "veuillez signer votre formulaire de consentement" in mail["subject"]
    start = local(appointment["start"], zone)
    assert f"{format_date(start, 'full', locale='fr')}, 11:00 ({zone})" in mail["body"]  # "lundi 7 janvier 2030, 11:00"
    assert "Avant votre rendez-vous Chemical Peel du " in mail["body"]


async def test_a_language_without_a_catalogue_reads_english(api, demo, twilio, runtime):
    await Client.filter(id=demo["demo"].client.id).update(language="sv")  # stored before SUPPORTED_LANGUAGES changed
    await api.data(BOOK, {"input": book_input(demo, start=at(5, 11))}, await client_token(api))
    assert await drain(runtime.settings) == ["SENT"]
    [body] = twilio.sandbox.bodies_to(PHONE)
    assert "is booked for" in body


async def gql_from_page(api, language: str, query: str, variables: dict, token: str | None = None) -> dict:
    """A request as a page in `language` sends it (Accept-Language)."""
    headers = {"accept-language": language, **({"authorization": f"Bearer {token}"} if token else {})}
    body = (await api.http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)).json()
    assert "errors" not in body, body
    return body["data"]


async def test_a_new_client_booking_from_a_german_page_reads_its_messages_in_german(api, demo, twilio, runtime):
    phone, details = "+447700900222", {"fullName": "Kim Neu", "email": "kim@example.com", "phone": "07700 900222"}
    booked = await gql_from_page(api, "de-DE,de;q=0.9", BOOK, {"input": book_input(demo, start=at(5, 11), client=details)})
    assert booked["bookAppointment"]["userErrors"] == []
    assert (await Client.get(clinic_id=demo["demo"].clinic.id, phone=phone)).language == "de"
    assert await drain(runtime.settings) == ["SENT"]
    [body] = twilio.sandbox.bodies_to(phone)
    assert "Ihr Termin für Facial" in body


async def test_staff_booking_for_a_new_client_leaves_their_language_to_the_client(api, demo):
    from tests.conftest import staff_token

    details = {"fullName": "Sam Staffbooked", "email": "sam@example.com", "phone": "+447700900333"}
    booked = await gql_from_page(
        api, "de", BOOK, {"input": book_input(demo, start=at(5, 11), client=details)}, await staff_token(api)
    )
    assert booked["bookAppointment"]["userErrors"] == []
    assert (await Client.get(clinic_id=demo["demo"].clinic.id, phone="+447700900333")).language == "en"


async def test_a_sign_in_code_for_a_number_not_yet_known_is_in_the_pages_language_and_the_new_client_keeps_it(api, demo):
    from models import OutboxMessage

    await Clinic.filter(id=demo["demo"].clinic.id).update(
        twilio_account_sid="AC" + "0" * 32, twilio_auth_token="secret", twilio_from_number="+447700900999"
    )
    phone = "+447700900444"
    asked = await gql_from_page(
        api, "pl", 'mutation($p: String!) { requestSignInCode(clinicSlug: "demo", phone: $p, acceptedTerms: true) { sent } }', {"p": phone}
    )
    assert asked["requestSignInCode"]["sent"] is True
    [row] = await OutboxMessage.filter(kind="sms")
    assert "to Twój kod logowania do" in row.payload["body"]
    code = row.payload["body"].split()[0]
    verified = await gql_from_page(
        api, "pl", 'mutation($p: String!, $c: String!) { verifySignInCode(clinicSlug: "demo", phone: $p, code: $c) { session { token } } }',
        {"p": phone, "c": code},
    )
    me = await api.data("{ me { language } }", token=verified["verifySignInCode"]["session"]["token"])
    assert me["me"]["language"] == "pl"
