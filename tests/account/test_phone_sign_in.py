"""Signing in with a phone number and a code by SMS. The code is read from
the outbox row the request wrote: the real path up to the SMS handler."""

import hashlib
import re
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from models import Clinic, Client, OutboxMessage, SignInCode, utcnow
from resolvers.account import legal_documents
from tests.support.booking import book_input

REQUEST = (
    "mutation($s: String!, $p: String!, $t: Boolean!) { requestSignInCode(clinicSlug: $s, phone: $p, acceptedTerms: $t)"
    " { sent expiresAt userErrors { code message field retryAfterSeconds } } }"
)
VERIFY = (
    "mutation($s: String!, $p: String!, $c: String!, $n: String) { verifySignInCode(clinicSlug: $s, phone: $p, code: $c, fullName: $n)"
    " { session { token expiresAt } userErrors { code message field retryAfterSeconds } } }"
)
ME = (
    "{ me { fullName phone appointments(when: UPCOMING) { edges { node { id start } } } "
    "past: appointments(when: PAST) { edges { node { id start } } } } }"
)
DEMO_PHONE = "+447700900001"


@pytest.fixture
async def sms(demo):
    """The demo clinic with Twilio set up."""
    clinic = demo["demo"].clinic
    clinic.twilio_account_sid = "AC" + "0" * 32
    clinic.twilio_auth_token = "test-auth-token"
    clinic.twilio_from_number = "+447700900999"
    await clinic.save()
    return clinic


def limits(runtime, **changes) -> None:
    runtime.settings = replace(runtime.settings, **changes)


async def request_code(api, phone=DEMO_PHONE, accepted=True, slug="demo") -> dict:
    return (await api.data(REQUEST, {"s": slug, "p": phone, "t": accepted}))["requestSignInCode"]


async def verify(api, code, phone=DEMO_PHONE, name=None) -> dict:
    return (await api.data(VERIFY, {"s": "demo", "p": phone, "c": code, "n": name}))["verifySignInCode"]


async def last_code(phone=DEMO_PHONE) -> str:
    rows = [m for m in await OutboxMessage.filter(kind="sms").order_by("created_at") if m.payload["to"] == phone]
    assert rows, "no SMS was queued"
    return re.search(r"\b(\d{6})\b", rows[-1].payload["body"]).group(1)


def codes(payloads: list[dict]) -> list[str | None]:
    return [p["userErrors"][0]["code"] if p["userErrors"] else None for p in payloads]


async def test_a_client_signs_in_with_the_code_sent_to_their_phone_typed_in_national_format(api, sms):
    sent = await request_code(api, "07700 900001")
    assert sent["sent"] is True and sent["userErrors"] == [] and sent["expiresAt"]
    [message] = await OutboxMessage.filter(kind="sms")
    assert message.payload["to"] == DEMO_PHONE and message.payload["purpose"] == "sign_in_code"
    assert message.payload["client_id"] == str((await Client.get(phone=DEMO_PHONE, clinic_id=sms.id)).id)
    session = (await verify(api, await last_code(), "07700900001"))["session"]
    me = (await api.data(ME, token=session["token"]))["me"]
    assert me["fullName"] == "Jamie Client"
    assert len(me["appointments"]["edges"]) == 1 and len(me["past"]["edges"]) == 1


async def test_the_client_sees_every_booking_made_with_their_number(api, demo, sms):
    await Clinic.filter(id=demo["demo"].clinic.id).update(verify_manual_entry=False)  # typed-in details attach as they are
    other_details = {"fullName": "J Client", "email": "jamie.other@example.com", "phone": "07700 900001"}
    booked = await api.data(
        "mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { appointment { id } userErrors { code } } }",
        {"input": book_input(demo, client=other_details)},
    )
    booked_id = booked["bookAppointment"]["appointment"]["id"]
    await request_code(api)
    token = (await verify(api, await last_code()))["session"]["token"]
    upcoming = (await api.data(ME, token=token))["me"]["appointments"]["edges"]
    assert booked_id in [e["node"]["id"] for e in upcoming] and len(upcoming) == 2


async def test_a_clinic_without_sms_refuses_with_a_code_and_sends_nothing(api, demo):
    await Clinic.filter(id=demo["demo"].clinic.id).update(twilio_account_sid=None, twilio_auth_token=None)
    sent = await request_code(api)
    assert sent["sent"] is False and codes([sent]) == ["SMS_UNAVAILABLE"]
    assert not await OutboxMessage.filter(kind="sms").exists()
    clinic = (await api.data('{ clinic(slug: "demo") { smsSignInEnabled privacyPolicyVersion } }'))["clinic"]
    versions = legal_documents.label(await legal_documents.current(demo["demo"].clinic.id))  # the seeded documents
    assert clinic == {"smsSignInEnabled": False, "privacyPolicyVersion": versions}


async def test_terms_not_accepted_are_refused_and_acceptance_is_recorded_with_its_version(api, sms):
    refused = await request_code(api, accepted=False)
    assert codes([refused]) == ["TERMS_NOT_ACCEPTED"] and refused["userErrors"][0]["field"] == ["acceptedTerms"]
    assert not await OutboxMessage.filter(kind="sms").exists()
    sms.privacy_policy_version = "2026-11"
    await sms.save()
    before = utcnow()
    await request_code(api)
    assert (await verify(api, await last_code()))["session"]
    client = await Client.get(phone=DEMO_PHONE, clinic_id=sms.id)
    assert client.terms_version == "2026-11" and client.terms_accepted_at >= before - timedelta(seconds=1)


async def test_only_a_keyed_hash_of_the_code_is_stored(api, sms):
    await request_code(api)
    code = await last_code()
    row = await SignInCode.get(phone=DEMO_PHONE)
    assert code not in (row.code_hash, row.salt)
    assert row.code_hash not in (hashlib.sha256(code.encode()).hexdigest(), hashlib.sha256(f"{row.salt}:{code}".encode()).hexdigest())


async def test_a_used_code_cannot_sign_in_again(api, sms):
    await request_code(api)
    code = await last_code()
    assert (await verify(api, code))["session"]
    again = await verify(api, code)
    assert again["session"] is None and codes([again]) == ["INVALID_CODE"]


async def test_an_expired_code_fails(api, sms):
    await request_code(api)
    await SignInCode.filter(phone=DEMO_PHONE).update(expires_at=utcnow() - timedelta(seconds=1))
    assert codes([await verify(api, await last_code())]) == ["INVALID_CODE"]


async def test_a_new_code_replaces_the_previous_one(api, sms):
    await request_code(api)
    first = await last_code()
    await request_code(api)
    second = await last_code()
    if first != second:
        assert codes([await verify(api, first)]) == ["INVALID_CODE"]
    assert (await verify(api, second))["session"]


async def test_five_wrong_codes_kill_the_code_even_for_the_right_one(api, sms):
    await request_code(api)
    right = await last_code()
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    assert codes([await verify(api, wrong) for _ in range(5)]) == ["INVALID_CODE"] * 5
    assert codes([await verify(api, right)]) == ["INVALID_CODE"]


async def test_guesses_batched_as_aliases_in_one_document_are_each_counted(api, sms):
    await request_code(api)
    right = await last_code()
    guesses = [f"{(int(right) + n) % 10**6:06d}" for n in range(1, 13)]
    document = "mutation {" + " ".join(
        f'g{n}: verifySignInCode(clinicSlug: "demo", phone: "{DEMO_PHONE}", code: "{g}")'
        " { session { token } userErrors { code retryAfterSeconds } }"
        for n, g in enumerate(guesses)
    ) + "}"
    data = await api.data(document)
    answers = codes([data[f"g{n}"] for n in range(12)])
    assert answers == ["INVALID_CODE"] * 10 + ["RATE_LIMITED"] * 2  # SIGNIN_PER_ACCOUNT from one address
    assert data["g11"]["userErrors"][0]["retryAfterSeconds"] > 0
    assert codes([await verify(api, right)]) == ["RATE_LIMITED"]
    assert (await SignInCode.get(phone=DEMO_PHONE)).attempts == 5  # dead after five: no more tries counted


def _from(api, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=api.http._transport.app, client=(address, 1234))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_a_thousand_code_requests_for_many_numbers_from_one_address_are_capped(api, sms, runtime):
    answers = []
    for batch in range(40):  # 40 documents of 25 aliases: 1,000 requests
        document = "mutation {" + " ".join(
            f'r{n}: requestSignInCode(clinicSlug: "demo", phone: "+4477009{batch:02d}{n:03d}", acceptedTerms: true)'
            " { sent userErrors { code retryAfterSeconds } }"
            for n in range(25)
        ) + "}"
        data = await api.data(document)
        answers += codes([data[f"r{n}"] for n in range(25)])
    per_ip = runtime.settings.sms_code_per_ip
    assert answers.count(None) == per_ip and answers.count("RATE_LIMITED") == 1000 - per_ip
    assert await OutboxMessage.filter(kind="sms").count() == per_ip


async def test_one_number_gets_a_limited_number_of_codes_from_any_number_of_addresses(api, sms, runtime):
    answers = []
    for n in range(8):
        async with _from(api, f"198.51.100.{n}") as client:
            body = (await client.post("/graphql", json={"query": REQUEST, "variables": {"s": "demo", "p": DEMO_PHONE, "t": True}})).json()
            answers.append(codes([body["data"]["requestSignInCode"]])[0])
    per_phone = runtime.settings.sms_code_per_phone
    assert answers == [None] * per_phone + ["RATE_LIMITED"] * (8 - per_phone)


async def test_a_clinic_sends_a_limited_number_of_codes_a_day(api, sms, runtime):
    limits(runtime, sms_code_per_clinic_day=3, sms_code_per_ip=100)
    answers = codes([await request_code(api, f"+4477009000{n:02d}") for n in range(5)])
    assert answers == [None] * 3 + ["RATE_LIMITED"] * 2
    assert await OutboxMessage.filter(kind="sms").count() == 3


async def test_a_new_number_becomes_a_client_of_a_clinic_that_accepts_new_clients(api, sms):
    phone = "+447700900123"
    await request_code(api, phone)
    message = (await OutboxMessage.get(kind="sms")).payload
    assert message["client_id"] is None
    session = (await verify(api, await last_code(phone), phone, "Robin New"))["session"]
    me = (await api.data(ME, token=session["token"]))["me"]
    assert me["fullName"] == "Robin New" and me["phone"] == phone


async def test_a_new_number_is_refused_after_the_code_when_the_clinic_takes_no_new_clients(api, sms):
    sms.accepts_new_clients = False
    await sms.save()
    phone = "+447700900124"
    sent = await request_code(api, phone)  # the same answer as for a known number
    assert sent["sent"] is True
    refused = await verify(api, await last_code(phone), phone)
    assert codes([refused]) == ["NEW_CLIENTS_NOT_ACCEPTED"]
    assert not await Client.filter(phone=phone).exists()


async def test_an_unknown_clinic_and_a_bad_number_are_clear_errors(api, sms):
    assert codes([await request_code(api, slug="nowhere")]) == ["NOT_FOUND"]
    bad = await request_code(api, "12")
    assert codes([bad]) == ["INVALID_INPUT"] and bad["userErrors"][0]["field"] == ["phone"]


async def test_the_code_is_sent_in_the_clients_language(api, demo, sms):
    await Client.filter(id=demo["demo"].client.id).update(language="fr")
    await request_code(api)
    [message] = await OutboxMessage.filter(kind="sms")
    assert "code de connexion" in message.payload["body"]
    assert (await verify(api, await last_code()))["session"]


async def test_the_clean_up_deletes_only_codes_and_links_expired_more_than_a_day_ago(api, sms, runtime):
    from jobs import cleanup
    from models import PasswordResetToken

    await request_code(api)
    await request_code(api, "+447700900777")
    await SignInCode.filter(phone="+447700900777").update(expires_at=utcnow() - timedelta(days=2))
    client = await Client.get(phone=DEMO_PHONE, clinic_id=sms.id)
    await PasswordResetToken.create(clinic=sms, client=client, token_hash="a" * 64, expires_at=utcnow() - timedelta(days=2))
    await PasswordResetToken.create(clinic=sms, client=client, token_hash="b" * 64, expires_at=utcnow() + timedelta(hours=1))
    await PasswordResetToken.create(clinic=sms, client=client, token_hash="c" * 64, expires_at=utcnow() - timedelta(hours=1))
    deleted = await cleanup.run(runtime.settings)
    assert (deleted["expired sign-in codes"], deleted["expired password-reset links"]) == (1, 1)
    assert await SignInCode.all().values_list("phone", flat=True) == [DEMO_PHONE]
    # Just expired: still there, so using it says "expired" rather than "unknown".
    assert sorted(await PasswordResetToken.all().values_list("token_hash", flat=True)) == ["b" * 64, "c" * 64]


async def test_a_code_still_unsent_when_it_expires_is_not_sent_late(api, sms, runtime):
    from tests.support.outbox import drain

    limits(runtime, sign_in_code_minutes=0)  # expires as it is made: as if Twilio were down until after the expiry
    await request_code(api)
    [message] = await OutboxMessage.filter(kind="sms")
    assert message.payload["expires_at"]
    assert await drain(runtime.settings) == ["CANCELLED"]
    message = await OutboxMessage.get(id=message.id)
    assert message.last_error == "It expired before it could be sent." and message.attempts == 1
