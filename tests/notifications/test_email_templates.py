"""E-mail templates managed by the clinic's admin staff, and the
practitioner e-mails they produce on booking, cancelling and moving."""

from __future__ import annotations

from models import Appointment, EmailTemplate, OutboxMessage, Practitioner
from tests.support.booking import BOOK, CANCEL, RESCHEDULE, at, book_input, errors
from tests.conftest import client_token, staff_token

FIELDS = "emailTemplate { id name subject body } userErrors { code message field }"
CREATE = f"mutation($i: EmailTemplateInput!) {{ createEmailTemplate(input: $i) {{ {FIELDS} }} }}"
UPDATE = f"mutation($id: ID!, $i: EmailTemplateInput!) {{ updateEmailTemplate(id: $id, input: $i) {{ {FIELDS} }} }}"
DELETE = "mutation($id: ID!) { deleteEmailTemplate(id: $id) { deletedId userErrors { code message field } } }"
CHOOSE = (
    "mutation($i: PractitionerEmailSettingsInput!) { updatePractitionerEmailSettings(input: $i) {"
    " settings { newAppointmentTemplate { name } cancelledAppointmentTemplate { name } extraNewAppointmentRecipients }"
    " userErrors { code message field } } }"
)
LIST = "{ emailTemplates { id name } practitionerEmailSettings { newAppointmentTemplate { id name } extraNewAppointmentRecipients } }"


def _template(name="Short note", subject="{ClientFullName} at {AppointmentStartDateTime}", body="{TreatmentName} with {PractitionerName}.") -> dict:
    return {"name": name, "subject": subject, "body": body}


async def _practitioner_emails(purpose: str = "practitioner_new_appointment") -> list[dict]:
    rows = await OutboxMessage.filter(kind="email").order_by("created_at")
    return [r.payload for r in rows if r.payload["purpose"] == purpose]


async def test_admin_staff_create_list_update_and_delete_templates(api):
    token = await staff_token(api)
    made = (await api.data(CREATE, {"i": _template()}, token))["createEmailTemplate"]
    assert made["userErrors"] == []
    names = [t["name"] for t in (await api.data(LIST, token=token))["emailTemplates"]]
    assert names == ["Cancelled appointment", "New appointment", "New appointment (front desk)", "Short note"]
    changed = (await api.data(UPDATE, {"id": made["emailTemplate"]["id"], "i": {"body": "Now {ClinicName}."}}, token))
    assert changed["updateEmailTemplate"]["emailTemplate"]["body"] == "Now {ClinicName}."
    assert changed["updateEmailTemplate"]["emailTemplate"]["name"] == "Short note"
    gone = (await api.data(DELETE, {"id": made["emailTemplate"]["id"]}, token))["deleteEmailTemplate"]
    assert gone == {"deletedId": made["emailTemplate"]["id"], "userErrors": []}
    assert not await EmailTemplate.exists(id=made["emailTemplate"]["id"])


async def test_an_unknown_placeholder_is_refused_by_name_and_nothing_is_saved(api):
    token = await staff_token(api)
    refused = (await api.data(CREATE, {"i": _template(body="Dear {ClientFirstName},")}, token))["createEmailTemplate"]
    assert errors(refused) == ["INVALID_INPUT"]
    assert "{ClientFirstName}" in refused["userErrors"][0]["message"]
    assert refused["userErrors"][0]["field"] == ["input", "body"]
    assert not await EmailTemplate.exists(name="Short note")


async def test_an_unbalanced_brace_is_refused_and_doubled_braces_are_literal(api):
    token = await staff_token(api)
    for subject in ("Booked {TreatmentName", "Booked TreatmentName}", "{Treatment{Name}}"):
        refused = (await api.data(CREATE, {"i": _template(subject=subject)}, token))["createEmailTemplate"]
        assert errors(refused) == ["INVALID_INPUT"], subject
        assert refused["userErrors"][0]["field"] == ["input", "subject"]
    kept = (await api.data(CREATE, {"i": _template(body="{{not a placeholder}} {ClinicName}")}, token))
    assert kept["createEmailTemplate"]["userErrors"] == []


async def test_an_update_with_a_bad_placeholder_leaves_the_template_as_it_was(api, demo):
    token = await staff_token(api)
    template = await EmailTemplate.get(clinic_id=demo["demo"].clinic.id, name="New appointment")
    refused = (await api.data(UPDATE, {"id": str(template.id), "i": {"subject": "x", "body": "{Nope}"}}, token))
    assert errors(refused["updateEmailTemplate"]) == ["INVALID_INPUT"]
    assert (await EmailTemplate.get(id=template.id)).subject == template.subject


async def test_two_templates_of_one_clinic_cannot_share_a_name(api):
    token = await staff_token(api)
    refused = (await api.data(CREATE, {"i": _template(name="New appointment")}, token))["createEmailTemplate"]
    assert errors(refused) == ["INVALID_INPUT"]


async def test_only_admin_staff_manage_templates(api, demo):
    practitioner = await api.staff_sign_in("alex@demo.clinic", "demo-practitioner-pass")
    client = await client_token(api)
    for token in (practitioner, client, None):
        assert errors((await api.data(CREATE, {"i": _template()}, token))["createEmailTemplate"]) == ["UNAUTHENTICATED"]
        body = await api.post("{ emailTemplates { id } }", token=token)
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_another_clinics_template_is_not_found(api, demo):
    theirs = await EmailTemplate.get(clinic_id=demo["northside"].clinic.id, name="New appointment")
    token = await staff_token(api)
    assert errors((await api.data(UPDATE, {"id": str(theirs.id), "i": {"body": "x"}}, token))["updateEmailTemplate"]) == ["NOT_FOUND"]
    assert errors((await api.data(DELETE, {"id": str(theirs.id)}, token))["deleteEmailTemplate"]) == ["NOT_FOUND"]
    chosen = (await api.data(CHOOSE, {"i": {"newAppointmentTemplateId": str(theirs.id)}}, token))
    assert errors(chosen["updatePractitionerEmailSettings"]) == ["NOT_FOUND"]
    assert str(theirs.id) not in str(await api.data(LIST, token=token))


async def test_a_template_in_use_is_not_deleted(api, demo):
    token = await staff_token(api)
    template = await EmailTemplate.get(clinic_id=demo["demo"].clinic.id, name="New appointment")
    assert errors((await api.data(DELETE, {"id": str(template.id)}, token))["deleteEmailTemplate"]) == ["INVALID_INPUT"]
    await api.data(CHOOSE, {"i": {"newAppointmentTemplateId": None}}, token)
    assert (await api.data(DELETE, {"id": str(template.id)}, token))["deleteEmailTemplate"]["userErrors"] == []


async def test_extra_addresses_are_validated_and_the_choice_is_kept_when_left_out(api):
    token = await staff_token(api)
    refused = (await api.data(CHOOSE, {"i": {"extraNewAppointmentRecipients": ["ok@demo.clinic", "not an address"]}}, token))
    assert errors(refused["updatePractitionerEmailSettings"]) == ["INVALID_INPUT"]
    assert refused["updatePractitionerEmailSettings"]["userErrors"][0]["field"] == ["input", "extraNewAppointmentRecipients", "1"]
    saved = (await api.data(CHOOSE, {"i": {"extraNewAppointmentRecipients": ["Manager@Demo.Clinic", "manager@demo.clinic"]}}, token))
    assert saved["updatePractitionerEmailSettings"]["settings"] == {
        "newAppointmentTemplate": {"name": "New appointment"},
        "cancelledAppointmentTemplate": {"name": "Cancelled appointment"},
        "extraNewAppointmentRecipients": ["manager@demo.clinic"],
    }


async def test_a_template_edited_after_booking_does_not_change_the_email_already_queued(api, demo):
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(6, 14))}, await client_token(api)))["bookAppointment"]
    assert errors(booked) == []
    template = await EmailTemplate.get(clinic_id=demo["demo"].clinic.id, name="New appointment")
    edited = await api.data(UPDATE, {"id": str(template.id), "i": {"subject": "EDITED {ClinicName}"}}, await staff_token(api))
    assert edited["updateEmailTemplate"]["userErrors"] == []
    [queued] = await _practitioner_emails()
    assert queued["subject"].startswith("New booking: Facial with Jamie Client, ")
    practitioner = await Practitioner.get(id=(await Appointment.get(id=booked["appointment"]["id"])).practitioner_id)
    assert queued["to"] == [practitioner.contact_email]
    [desk] = await _practitioner_emails("extra_new_appointment")
    assert desk["to"] == ["frontdesk@demo.clinic"]
    assert desk["subject"].startswith("New booking at Demo Skin Clinic: Jamie Client, ")


async def test_cancelling_sends_the_cancelled_template_with_the_reason_to_the_practitioner_only(api, demo):
    token = await client_token(api)
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(6, 14))}, token))["bookAppointment"]
    cancelled = (await api.data(CANCEL, {"id": booked["appointment"]["id"], "reason": "Feeling unwell"}, token))
    assert errors(cancelled["cancelAppointment"]) == []
    [mail] = await _practitioner_emails("practitioner_cancelled_appointment")
    name = booked["appointment"]["practitioner"]["name"]
    assert mail["to"] == [f"{name.split()[0].lower()}@demo.clinic"]
    assert mail["subject"].startswith("Cancelled: Facial with Jamie Client, ")
    assert "Reason: Feeling unwell" in mail["body"]


async def test_a_reschedule_sends_the_new_appointment_email_for_the_new_time(api, demo):
    token = await client_token(api)
    first = at(6, 14)
    booked = (await api.data(BOOK, {"input": book_input(demo, start=first)}, token))["bookAppointment"]
    moved = (await api.data(RESCHEDULE, {"id": booked["appointment"]["id"], "start": at(6, 16)}, token))
    assert errors(moved["rescheduleAppointment"]) == []
    old, new = await _practitioner_emails()
    assert ", 14:00 " in old["subject"] and ", 16:00 " in new["subject"]
    assert await _practitioner_emails("practitioner_cancelled_appointment") == []


async def test_moving_to_another_practitioner_tells_the_previous_one_it_is_cancelled(api, demo):
    people = demo["demo"].practitioners
    staff = await staff_token(api)
    await api.data(CHOOSE, {"i": {"notifiedChanges": "ALL"}}, staff)  # the move is the staff's
    alex, sam = people["Alex Morgan"], people["Sam Patel"]
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(6, 14), practitionerId=str(alex.id))}, await client_token(api)))
    moved = await api.data(
        RESCHEDULE, {"id": booked["bookAppointment"]["appointment"]["id"], "start": at(6, 15), "p": str(sam.id)}, staff
    )
    assert errors(moved["rescheduleAppointment"]) == []
    [to_sam] = [m for m in await _practitioner_emails() if "sam@demo.clinic" in m["to"]]
    assert ", 15:00 " in to_sam["subject"]
    [to_alex] = await _practitioner_emails("practitioner_cancelled_appointment")
    assert to_alex["to"] == ["alex@demo.clinic"] and ", 14:00 " in to_alex["subject"]


async def test_with_no_template_picked_no_practitioner_email_is_queued(api, demo):
    await api.data(CHOOSE, {"i": {"newAppointmentTemplateId": None}}, await staff_token(api))
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(6, 14))}, await client_token(api)))
    assert errors(booked["bookAppointment"]) == []
    assert await _practitioner_emails() == []


async def test_every_placeholder_is_filled_in_when_the_email_is_queued(api, demo):
    token = await staff_token(api)
    names = [p["name"] for p in (await api.data("{ emailPlaceholders { name } }"))["emailPlaceholders"]]
    body = "\n".join(f"{name}=[{{{name}}}]" for name in names)
    made = (await api.data(CREATE, {"i": _template(name="Everything", body=body)}, token))["createEmailTemplate"]
    assert made["userErrors"] == []
    await api.data(CHOOSE, {"i": {"newAppointmentTemplateId": made["emailTemplate"]["id"]}}, token)
    alex = demo["demo"].practitioners["Alex Morgan"]
    booked = await api.data(BOOK, {"input": book_input(demo, start=at(6, 14), practitionerId=str(alex.id))}, await client_token(api))
    assert errors(booked["bookAppointment"]) == []
    [mail] = await _practitioner_emails()
    filled = dict(line.split("=", 1) for line in mail["body"].splitlines())
    start = filled["AppointmentStartDateTime"]
    assert start.endswith(" 14:00 GMT (Europe/London)]") or start.endswith(" 14:00 BST (Europe/London)]")
    assert filled["NextAppointmentStartDateTime"] == start
    assert filled["AppointmentEndDateTime"].split(", ")[1].startswith("15:00 ")
    assert {k: v for k, v in filled.items() if "DateTime" not in k} == {
        "ClientFullName": "[Jamie Client]",
        "ClientMobilePhone": "[+447700900001]",
        "ClientEmail": "[client@demo.clinic]",
        "TreatmentName": "[Facial]",
        "PractitionerName": "[Alex Morgan]",
        "ClinicName": "[Demo Skin Clinic]",
        "ClinicTimeZone": "[Europe/London]",
        "CancellationReason": "[]",
    }
    assert mail["subject"] == f"Jamie Client at {start[1:-1]}"
