"""Consent forms: booking a treatment that links one sends the client a
single-use signing link; the client reads and signs it through GraphQL;
staff see each appointment's consent status."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta

from models import Appointment, Clinic, ConsentRequest, ConsentRequestStatus, OutboxMessage, OutboxStatus, utcnow
from resolvers.account.credentials import hash_token
from tests.support.booking import BOOK, CANCEL, RESCHEDULE, at, book_input, errors
from tests.conftest import client_token, staff_token
from tests.support.mailbox import consent_token, deliver, mailbox, queued  # noqa: F401  (fixture)
from tests.schema.test_dataloaders import add_appointments, measure, same_count

VIEW = "status title body clinicName clinicTimezone treatmentName practitionerName appointmentStart expiresAt signedAt signatureName"
READ = f"query($t: String!, $c: String) {{ consentRequest(token: $t, clinicSlug: $c) {{ {VIEW} }} }}"
SIGN = (
    "mutation($t: String!, $n: String!, $a: Boolean!, $c: String) {"
    " signConsentForm(token: $t, signatureName: $n, agree: $a, clinicSlug: $c) {"
    f" consentRequest {{ {VIEW} }} userErrors {{ code message field }} }} }}"
)
STATUS = "query($id: ID!) { appointment(id: $id) { consentStatus } }"


async def _book_peel(api, demo, start: str | None = None, slug: str = "demo") -> tuple[dict, str]:
    """Book the chemical peel as the demo client; the appointment and the
    raw token from the link in the e-mail the client is sent."""
    tz = "America/New_York" if slug == "northside" else "Europe/London"
    booked = (
        await api.data(
            BOOK, {"input": book_input(demo, slug, "Chemical Peel", start or at(5, 11, tz=tz))}, await client_token(api, slug)
        )
    )["bookAppointment"]
    assert errors(booked) == []
    [mail] = [m for m in await queued(appointment_id=booked["appointment"]["id"]) if m.payload["purpose"] == "consent_request"]
    return booked["appointment"], consent_token(mail.payload["body"])


async def _status(api, appointment_id: str) -> str:
    return (await api.data(STATUS, {"id": appointment_id}, await staff_token(api)))["appointment"]["consentStatus"]


async def test_booking_a_treatment_with_a_form_emails_the_client_a_single_use_link(api, demo, mailbox, runtime):
    await Clinic.filter(id=demo["demo"].clinic.id).update(twilio_account_sid=None)  # no SMS: e-mail only
    appointment, token = await _book_peel(api, demo)
    request = await ConsentRequest.get(appointment_id=appointment["id"])
    assert request.token_hash == hash_token(token) and len(token) >= 43  # 256 bits, only the hash stored
    assert request.status == ConsentRequestStatus.PENDING
    assert request.expires_at == (await Appointment.get(id=appointment["id"])).start_at
    [row] = [m for m in await queued() if m.payload["purpose"] == "consent_request"]
    await deliver([row], runtime.settings)
    [mail] = [m for m in mailbox.recorder.received() if m["rcptTos"] == ["client@demo.clinic"]]
    assert mail["subject"] == "Demo Skin Clinic: please sign your consent form for Chemical Peel"
    assert f"http://127.0.0.1:8000/p/demo/consent?token={token}" in mail["body"]
    assert "(Europe/London)" in mail["body"]
    assert await queued("sms") == []  # the clinic has no Twilio account


async def test_with_sms_configured_the_link_also_goes_by_sms(api, demo):
    await Clinic.filter(id=demo["demo"].clinic.id).update(
        twilio_account_sid="AC" + "0" * 32, twilio_auth_token="secret", twilio_from_number="+447700900999"
    )
    appointment, token = await _book_peel(api, demo)
    [sms] = [m for m in await queued("sms", appointment_id=appointment["id"]) if m.payload["purpose"] == "consent_request"]
    assert sms.payload["to"] == "+447700900001"
    assert sms.payload["client_id"] == str(demo["demo"].client.id)
    assert sms.payload["purpose"] == "consent_request"
    assert sms.payload["body"].endswith(f"/p/demo/consent?token={token}")


async def test_a_treatment_without_a_form_needs_no_consent(api, demo):
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(5, 11))}, await client_token(api)))
    appointment_id = booked["bookAppointment"]["appointment"]["id"]
    assert not await ConsentRequest.exists(appointment_id=appointment_id)
    assert await _status(api, appointment_id) == "NOT_REQUIRED"


async def test_a_link_opened_under_an_over_long_clinic_slug_answers_as_under_another_clinics(api, demo):
    _, token = await _book_peel(api, demo)
    long_slug = "x" * 100_000
    for query, variables in ((READ, {"t": token}), (SIGN, {"t": token, "n": "Jamie Client", "a": True})):
        answer = await api.post(query, {**variables, "c": long_slug})
        assert answer == await api.post(query, {**variables, "c": "northside"})
        assert len(json.dumps(answer)) < 1000
    assert (await api.data(READ, {"t": token, "c": "demo"}))["consentRequest"]["status"] == "PENDING"


async def test_the_client_reads_and_signs_the_form_once_and_staff_see_it_signed(api, demo):
    appointment, token = await _book_peel(api, demo)
    assert await _status(api, appointment["id"]) == "PENDING"
    shown = (await api.data(READ, {"t": token, "c": "demo"}))["consentRequest"]
    assert shown["status"] == "PENDING"
    assert (shown["title"], shown["body"]) == ("Chemical peel consent", "I understand the risks of a chemical peel.")
    assert shown["treatmentName"] == "Chemical Peel" and shown["clinicTimezone"] == "Europe/London"
    assert shown["appointmentStart"] == appointment["start"] == shown["expiresAt"]
    signed = (await api.data(SIGN, {"t": token, "n": "  Jamie   Client ", "a": True, "c": "demo"}))["signConsentForm"]
    assert signed["userErrors"] == []
    assert signed["consentRequest"]["status"] == "SIGNED" and signed["consentRequest"]["signatureName"] == "Jamie Client"
    row = await ConsentRequest.get(appointment_id=appointment["id"])
    assert row.signed_ip == "127.0.0.1" and row.signed_at is not None
    assert await _status(api, appointment["id"]) == "SIGNED"
    again = (await api.data(SIGN, {"t": token, "n": "Jamie Client", "a": True}))["signConsentForm"]
    assert errors(again) == ["TOKEN_ALREADY_USED"]
    assert (await api.data(READ, {"t": token}))["consentRequest"]["status"] == "SIGNED"  # still readable


async def test_signing_needs_agreement_and_a_name_and_a_refusal_changes_nothing(api, demo):
    appointment, token = await _book_peel(api, demo)
    refused = (await api.data(SIGN, {"t": token, "n": "Jamie Client", "a": False}))["signConsentForm"]
    assert errors(refused) == ["INVALID_INPUT"] and refused["userErrors"][0]["field"] == ["agree"]
    nameless = (await api.data(SIGN, {"t": token, "n": "   ", "a": True}))["signConsentForm"]
    assert errors(nameless) == ["INVALID_INPUT"] and nameless["userErrors"][0]["field"] == ["signatureName"]
    assert (await ConsentRequest.get(appointment_id=appointment["id"])).status == ConsentRequestStatus.PENDING


async def test_of_twenty_concurrent_signings_exactly_one_wins(api, demo):
    _, token = await _book_peel(api, demo)
    answers = await asyncio.gather(
        *(api.data(SIGN, {"t": token, "n": f"Signer {i}", "a": True}) for i in range(20))
    )
    codes = [errors(a["signConsentForm"]) for a in answers]
    assert codes.count([]) == 1
    assert sorted(c for c in codes if c) == [["TOKEN_ALREADY_USED"]] * 19
    winner = next(a["signConsentForm"] for a in answers if not a["signConsentForm"]["userErrors"])
    row = await ConsentRequest.get(token_hash=hash_token(token))
    assert row.signature_name == winner["consentRequest"]["signatureName"]


async def test_an_unknown_token_is_invalid(api, demo):
    assert errors((await api.data(SIGN, {"t": "not-a-token", "n": "X", "a": True}))["signConsentForm"]) == ["TOKEN_INVALID"]
    body = await api.post(READ, {"t": "not-a-token"})
    assert body["errors"][0]["extensions"]["code"] == "TOKEN_INVALID"


async def test_another_clinics_token_is_invalid_and_stays_unsigned(api, demo):
    appointment, token = await _book_peel(api, demo)
    # Through another clinic's page, or by a session of another clinic.
    northside = await client_token(api, "northside")
    for variables, session in (({"c": "northside"}, None), ({}, northside), ({}, await staff_token(api, "northside"))):
        body = await api.post(READ, {"t": token, **variables}, token=session)
        assert body["errors"][0]["extensions"]["code"] == "TOKEN_INVALID"
        signed = (await api.data(SIGN, {"t": token, "n": "Mallory", "a": True, **variables}, session))["signConsentForm"]
        assert errors(signed) == ["TOKEN_INVALID"]
    assert (await ConsentRequest.get(appointment_id=appointment["id"])).status == ConsentRequestStatus.PENDING


async def test_the_link_expires_when_the_appointment_starts(api, demo):
    appointment, token = await _book_peel(api, demo)
    await ConsentRequest.filter(appointment_id=appointment["id"]).update(expires_at=utcnow() - timedelta(minutes=1))
    assert errors((await api.data(SIGN, {"t": token, "n": "Jamie", "a": True}))["signConsentForm"]) == ["TOKEN_EXPIRED"]
    assert (await api.post(READ, {"t": token}))["errors"][0]["extensions"]["code"] == "TOKEN_EXPIRED"


async def test_cancelling_the_appointment_kills_its_pending_request(api, demo):
    appointment, token = await _book_peel(api, demo)
    cancelled = (await api.data(CANCEL, {"id": appointment["id"]}, await client_token(api)))["cancelAppointment"]
    assert errors(cancelled) == []
    assert (await ConsentRequest.get(appointment_id=appointment["id"])).status == ConsentRequestStatus.CANCELLED
    assert errors((await api.data(SIGN, {"t": token, "n": "Jamie", "a": True}))["signConsentForm"]) == ["TOKEN_EXPIRED"]
    assert await _status(api, appointment["id"]) == "NOT_REQUIRED"


async def test_cancelling_stops_the_consent_link_still_waiting_to_be_sent(api, demo):
    appointment, _ = await _book_peel(api, demo)
    waiting = [m for m in await queued(appointment_id=appointment["id"]) if m.payload["purpose"] == "consent_request"]
    assert waiting and all(m.status == OutboxStatus.PENDING for m in waiting)
    await api.data(CANCEL, {"id": appointment["id"]}, await client_token(api))
    after = await OutboxMessage.filter(id__in=[m.id for m in waiting])
    assert len(after) == len(waiting) and {m.status for m in after} == {OutboxStatus.CANCELLED}


async def test_a_rescheduled_appointment_keeps_its_link_until_the_new_start(api, demo):
    appointment, token = await _book_peel(api, demo)
    moved = (await api.data(RESCHEDULE, {"id": appointment["id"], "start": at(6, 15)}, await client_token(api)))
    new = moved["rescheduleAppointment"]["appointment"]
    assert errors(moved["rescheduleAppointment"]) == []
    request = await ConsentRequest.get(token_hash=hash_token(token))
    assert str(request.appointment_id) == new["id"]
    assert request.expires_at == (await Appointment.get(id=new["id"])).start_at
    links = [m for m in await OutboxMessage.filter(kind="email") if m.payload["purpose"] == "consent_request"]
    assert len(links) == 1  # no second link for the same form
    assert await _status(api, new["id"]) == "PENDING"
    signed = (await api.data(SIGN, {"t": token, "n": "Jamie Client", "a": True}))["signConsentForm"]
    assert signed["consentRequest"]["appointmentStart"] == new["start"]


async def test_a_signed_form_stays_signed_when_the_appointment_moves(api, demo):
    appointment, token = await _book_peel(api, demo)
    await api.data(SIGN, {"t": token, "n": "Jamie Client", "a": True})
    moved = (await api.data(RESCHEDULE, {"id": appointment["id"], "start": at(6, 15)}, await client_token(api)))
    assert await _status(api, moved["rescheduleAppointment"]["appointment"]["id"]) == "SIGNED"


CALENDAR = "query($from: DateTime!, $to: DateTime!) { calendar(from: $from, to: $to) { id consentStatus } }"


async def _ask_for_consent(demo, appointment_ids, status: ConsentRequestStatus) -> None:
    for n, appointment_id in enumerate(appointment_ids):
        await ConsentRequest.create(
            clinic_id=demo["demo"].clinic.id, appointment_id=appointment_id, client_id=demo["demo"].client.id,
            form_title="Form", form_body="Body", token_hash=hash_token(f"{appointment_id}-{n}"),
            status=status, expires_at=utcnow() + timedelta(days=30),
        )


async def test_the_calendars_consent_status_runs_as_many_statements_for_many_appointments_as_for_a_few(api, demo):
    token = await staff_token(api)
    now = utcnow()
    window = {"from": (now - timedelta(days=40)).isoformat(), "to": (now + timedelta(days=20)).isoformat()}
    await add_appointments(demo, 2, past=False, tag="a")
    await _ask_for_consent(demo, await Appointment.filter(clinic_id=demo["demo"].clinic.id).values_list("id", flat=True), ConsentRequestStatus.PENDING)
    small, before = await measure(api, CALENDAR, window, token=token)
    await add_appointments(demo, 12, past=True, tag="b")
    asked = set(await ConsentRequest.all().values_list("appointment_id", flat=True))
    newer = [i for i in await Appointment.filter(clinic_id=demo["demo"].clinic.id).values_list("id", flat=True) if i not in asked]
    await _ask_for_consent(demo, newer[:6], ConsentRequestStatus.SIGNED)
    large, after = await measure(api, CALENDAR, window, token=token)
    assert len(after["calendar"]) == len(before["calendar"]) + 12
    assert {a["consentStatus"] for a in before["calendar"]} == {"PENDING"}
    counts = {s: [a["consentStatus"] for a in after["calendar"]].count(s) for s in ("PENDING", "SIGNED", "NOT_REQUIRED")}
    assert counts == {"PENDING": len(before["calendar"]), "SIGNED": 6, "NOT_REQUIRED": 6}
    assert len(small) == len(large), same_count(small, large)


async def test_guessing_links_from_one_address_is_rate_limited(api, demo, runtime):
    runtime.settings = replace(runtime.settings, consent_per_ip=3)
    for n in range(3):
        assert errors((await api.data(SIGN, {"t": f"guess-{n}", "n": "X", "a": True}))["signConsentForm"]) == ["TOKEN_INVALID"]
    limited = (await api.data(SIGN, {"t": "guess-4", "n": "X", "a": True}))["signConsentForm"]
    assert errors(limited) == ["RATE_LIMITED"] and limited["userErrors"][0]["message"].startswith("Too many")
    assert (await api.post(READ, {"t": "guess-5"}))["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_staff_calendars_hear_of_a_signing_at_once(backend, demo):
    import httpx

    from tests.conftest import FAST_HASH_ENV
    from tests.support.servers import running_server
    from tests.live.test_subscriptions import _next, _subscribe, _token

    subscription = "subscription { calendarUpdates { kind appointment { id consentStatus } } }"
    async with running_server({"DATABASE_URL": backend.url, **FAST_HASH_ENV}) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            staff = await _token(http, 'mutation { staffSignIn(email: "owner@demo.clinic", password: "demo-owner-pass") { session { token } } }')
            client = await _token(http, 'mutation { signIn(clinicSlug: "demo", email: "client@demo.clinic", password: "demo-client-pass") { session { token } } }')
            ws = await _subscribe(server.url, staff, subscription)
            booked = (await http.post(
                "/graphql", json={"query": BOOK, "variables": {"input": book_input(demo, "demo", "Chemical Peel", at(5, 11))}},
                headers={"authorization": f"Bearer {client}"},
            )).json()["data"]["bookAppointment"]["appointment"]
            assert (await _next(ws))["calendarUpdates"] == {"kind": "BOOKED", "appointment": {"id": booked["id"], "consentStatus": "PENDING"}}
            [mail] = [m for m in await queued(appointment_id=booked["id"]) if m.payload["purpose"] == "consent_request"]
            variables = {"t": consent_token(mail.payload["body"]), "n": "Jamie Client", "a": True}
            signed = (await http.post("/graphql", json={"query": SIGN, "variables": variables})).json()
            assert signed["data"]["signConsentForm"]["userErrors"] == []
            assert (await _next(ws))["calendarUpdates"] == {"kind": "UPDATED", "appointment": {"id": booked["id"], "consentStatus": "SIGNED"}}
            await ws.close()


RESEND = "mutation($id: ID!) { resendConsentLink(appointmentId: $id) { appointment { id consentStatus } userErrors { code message field } } }"


async def test_a_resent_link_replaces_the_old_one(api, demo):
    appointment, old = await _book_peel(api, demo)
    resent = (await api.data(RESEND, {"id": appointment["id"]}, await staff_token(api)))["resendConsentLink"]
    assert resent == {"appointment": {"id": appointment["id"], "consentStatus": "PENDING"}, "userErrors": []}
    first, second = [m for m in await queued(appointment_id=appointment["id"]) if m.payload["purpose"] == "consent_request"]
    new = consent_token(second.payload["body"])
    assert new != old and consent_token(first.payload["body"]) == old
    assert errors((await api.data(SIGN, {"t": old, "n": "Jamie", "a": True}))["signConsentForm"]) == ["TOKEN_INVALID"]
    assert (await api.data(SIGN, {"t": new, "n": "Jamie", "a": True}))["signConsentForm"]["userErrors"] == []
    again = (await api.data(RESEND, {"id": appointment["id"]}, await client_token(api)))["resendConsentLink"]
    assert errors(again) == ["INVALID_INPUT"]  # nothing left to sign


async def test_resending_is_limited_per_appointment_and_scoped_to_the_clinic(api, demo):
    appointment, _ = await _book_peel(api, demo)
    assert errors((await api.data(RESEND, {"id": appointment["id"]}, await staff_token(api, "northside")))["resendConsentLink"]) == ["NOT_FOUND"]
    client = await client_token(api)
    for _ in range(3):
        assert (await api.data(RESEND, {"id": appointment["id"]}, client))["resendConsentLink"]["userErrors"] == []
    assert errors((await api.data(RESEND, {"id": appointment["id"]}, client))["resendConsentLink"]) == ["RATE_LIMITED"]
    links = [m for m in await queued(appointment_id=appointment["id"]) if m.payload["purpose"] == "consent_request"]
    assert len(links) == 4
