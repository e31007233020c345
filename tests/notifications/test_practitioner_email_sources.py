"""Which changes the practitioner e-mails are about: by default those a
client makes (the portal, a booking session, the booking page), or, as the
clinic chooses, everyone's; and the clinic's extra addresses get a template
of their own. Mail goes through the real SMTP server (aiosmtpd)."""

from __future__ import annotations

import pytest

from models import EmailTemplate
from tests.support.admin import USER_ERRORS, codes, partner_key
from tests.support.booking import BOOK, CANCEL, at, book_input, errors
from tests.support.mailbox import deliver, mailbox, queued  # noqa: F401  (fixture)
from tests.conftest import client_token, staff_token

CHOOSE = (
    "mutation($i: PractitionerEmailSettingsInput!) { updatePractitionerEmailSettings(input: $i) {"
    " settings { notifiedChanges extraNewAppointmentTemplate { name } } " + USER_ERRORS + " } }"
)
CREATE = "mutation($i: EmailTemplateInput!) { createEmailTemplate(input: $i) { emailTemplate { id } " + USER_ERRORS + " } }"
DELETE = "mutation($id: ID!) { deleteEmailTemplate(id: $id) { deletedId " + USER_ERRORS + " } }"
PREFILL = "mutation { createPrefillToken { token } }"
REDEEM = "mutation($t: String!) { redeemPrefillToken(token: $t) { bookingSession { token } } }"
VISITOR = {"fullName": "Nova Visitor", "email": "nova@example.com", "phone": "07700 900777"}
DESK = "frontdesk@demo.clinic"


async def _caller(api, source: str) -> tuple[str | None, dict]:
    """The credential of a booking from `source`, and what its input adds."""
    if source == "portal":
        return await client_token(api), {}
    if source == "booking session":
        made = (await api.data(PREFILL, token=await client_token(api)))["createPrefillToken"]["token"]
        return (await api.data(REDEEM, {"t": made}))["redeemPrefillToken"]["bookingSession"]["token"], {}
    if source == "booking page":
        return None, {"client": VISITOR}
    token = await staff_token(api) if source == "staff" else await partner_key("demo", ["book", "read"])
    return token, {"clientId": None}  # filled in by the caller


async def _book(api, demo, source: str) -> dict:
    token, extra = await _caller(api, source)
    if "clientId" in extra:
        extra = {"clientId": str(demo["demo"].client.id)}
    alex = str(demo["demo"].practitioners["Alex Morgan"].id)
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(6, 14), practitionerId=alex, **extra)}, token))
    assert errors(booked["bookAppointment"]) == []
    return booked["bookAppointment"]["appointment"]


async def _mail(mailbox, runtime) -> dict[str, dict]:
    """What arrived since the last look, by recipient."""
    mailbox.recorder.clear()
    await deliver(await queued(), runtime.settings)
    arrived = {}
    for mail in mailbox.recorder.received():
        for to in mail["rcptTos"]:
            arrived[to] = mail
    return arrived


@pytest.mark.parametrize("source", ["portal", "booking session", "booking page"])
async def test_a_booking_a_client_makes_emails_the_practitioner_and_the_extra_addresses_their_own_text(
    api, demo, mailbox, runtime, source
):
    await _book(api, demo, source)
    arrived = await _mail(mailbox, runtime)
    assert sorted(arrived) == ["alex@demo.clinic", DESK]
    assert arrived["alex@demo.clinic"]["subject"].startswith("New booking: Facial with ")
    assert "A new appointment is in your diary at Demo Skin Clinic." in arrived["alex@demo.clinic"]["body"]
    assert arrived[DESK]["subject"].startswith("New booking at Demo Skin Clinic: ")
    assert "A new appointment is in Alex Morgan's diary at Demo Skin Clinic." in arrived[DESK]["body"]
    assert "{" not in arrived[DESK]["body"] and arrived[DESK]["messageId"] != arrived["alex@demo.clinic"]["messageId"]


@pytest.mark.parametrize("source", ["staff", "partner key"])
async def test_by_default_a_booking_by_staff_or_a_partner_key_emails_nobody(api, demo, mailbox, runtime, source):
    await _book(api, demo, source)
    assert await _mail(mailbox, runtime) == {}


@pytest.mark.parametrize("source", ["staff", "partner key"])
async def test_when_the_clinic_chooses_every_source_staff_and_partner_bookings_are_emailed_too(
    api, demo, mailbox, runtime, source
):
    chosen = (await api.data(CHOOSE, {"i": {"notifiedChanges": "ALL"}}, await staff_token(api)))
    assert chosen["updatePractitionerEmailSettings"]["settings"]["notifiedChanges"] == "ALL"
    await _book(api, demo, source)
    assert sorted(await _mail(mailbox, runtime)) == ["alex@demo.clinic", DESK]


async def test_a_cancellation_is_emailed_when_the_client_makes_it_and_by_staff_only_when_chosen(api, demo, mailbox, runtime):
    client, staff = await client_token(api), await staff_token(api)
    first = await _book(api, demo, "portal")
    await _mail(mailbox, runtime)
    assert errors((await api.data(CANCEL, {"id": first["id"]}, client))["cancelAppointment"]) == []
    arrived = await _mail(mailbox, runtime)
    assert list(arrived) == ["alex@demo.clinic"] and arrived["alex@demo.clinic"]["subject"].startswith("Cancelled: ")

    second = await _book(api, demo, "portal")
    await _mail(mailbox, runtime)
    assert errors((await api.data(CANCEL, {"id": second["id"]}, staff))["cancelAppointment"]) == []
    assert await _mail(mailbox, runtime) == {}

    await api.data(CHOOSE, {"i": {"notifiedChanges": "ALL"}}, staff)
    third = await _book(api, demo, "staff")
    await _mail(mailbox, runtime)
    assert errors((await api.data(CANCEL, {"id": third["id"]}, staff))["cancelAppointment"]) == []
    assert list(await _mail(mailbox, runtime)) == ["alex@demo.clinic"]


async def test_without_a_template_of_their_own_the_extra_addresses_share_the_practitioners_email(api, demo, mailbox, runtime):
    chosen = (await api.data(CHOOSE, {"i": {"extraNewAppointmentTemplateId": None}}, await staff_token(api)))
    assert chosen["updatePractitionerEmailSettings"]["settings"]["extraNewAppointmentTemplate"] is None
    await _book(api, demo, "portal")
    arrived = await _mail(mailbox, runtime)
    assert sorted(arrived) == ["alex@demo.clinic", DESK]
    assert arrived[DESK]["messageId"] == arrived["alex@demo.clinic"]["messageId"]  # one message to both


async def test_bad_choices_are_refused_by_field_and_the_extra_template_is_not_deleted_while_in_use(api, demo):
    staff = await staff_token(api)
    refused = (await api.data(CHOOSE, {"i": {"notifiedChanges": None}}, staff))["updatePractitionerEmailSettings"]
    assert codes(refused) == ["INVALID_INPUT"] and refused["userErrors"][0]["field"] == ["input", "notifiedChanges"]
    body = await api.post(CHOOSE, {"i": {"notifiedChanges": "SOMETIMES"}}, staff)
    assert body.get("data") is None and "SOMETIMES" in body["errors"][0]["message"]
    theirs = await EmailTemplate.get(clinic_id=demo["northside"].clinic.id, name="New appointment (front desk)")
    refused = (await api.data(CHOOSE, {"i": {"extraNewAppointmentTemplateId": str(theirs.id)}}, staff))
    assert codes(refused["updatePractitionerEmailSettings"]) == ["NOT_FOUND"]
    assert refused["updatePractitionerEmailSettings"]["userErrors"][0]["field"] == ["input", "extraNewAppointmentTemplateId"]
    ours = await EmailTemplate.get(clinic_id=demo["demo"].clinic.id, name="New appointment (front desk)")
    assert codes((await api.data(DELETE, {"id": str(ours.id)}, staff))["deleteEmailTemplate"]) == ["INVALID_INPUT"]
    settings = (await api.data("{ practitionerEmailSettings { notifiedChanges extraNewAppointmentTemplate { name } } }", token=staff))
    assert settings["practitionerEmailSettings"] == {
        "notifiedChanges": "PORTAL", "extraNewAppointmentTemplate": {"name": "New appointment (front desk)"},
    }


async def test_a_new_template_for_the_extra_addresses_is_used_for_the_next_booking(api, demo, mailbox, runtime):
    staff = await staff_token(api)
    made = (await api.data(CREATE, {"i": {"name": "Desk note", "subject": "Desk: {ClientFullName}", "body": "For {PractitionerName}."}}, staff))
    template_id = made["createEmailTemplate"]["emailTemplate"]["id"]
    assert errors((await api.data(CHOOSE, {"i": {"extraNewAppointmentTemplateId": template_id}}, staff))["updatePractitionerEmailSettings"]) == []
    await _book(api, demo, "portal")
    arrived = await _mail(mailbox, runtime)
    assert arrived[DESK]["subject"] == "Desk: Jamie Client" and arrived[DESK]["body"].strip() == "For Alex Morgan."
    assert arrived["alex@demo.clinic"]["subject"].startswith("New booking: Facial with Jamie Client")
