"""The clinic's e-mail templates and its choice of practitioner e-mails:
admin staff (or a partner key with the admin scope) manage both."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from tortoise.exceptions import IntegrityError

from models import EmailTemplate, NotifiedChanges, PractitionerEmailSettings, utcnow
from models.db import write_transaction
from resolvers.core import access
from resolvers.core import tenant
from resolvers.notifications import templating
from resolvers.core.contact import normalize_email
from resolvers.core.errors import invalid
from resolvers.core.principal import Principal

MAX_NAME, MAX_SUBJECT, MAX_BODY = 100, 200, 20_000
MAX_EXTRA_RECIPIENTS = 20


class Keep:
    """An argument the caller left out: the stored value stays."""


KEEP = Keep()


@dataclass(frozen=True)
class TemplateInput:
    name: str | Keep = KEEP
    subject: str | Keep = KEEP
    body: str | Keep = KEEP


def _checked(data: TemplateInput, prefix: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    if not isinstance(data.name, Keep):
        name = data.name.strip()
        if not name or len(name) > MAX_NAME:
            raise invalid(f"A template needs a name of at most {MAX_NAME} characters.", [*prefix, "name"])
        values["name"] = name
    if not isinstance(data.subject, Keep):
        subject = data.subject.strip()
        if not subject or len(subject) > MAX_SUBJECT or "\n" in subject or "\r" in subject:
            raise invalid(f"A subject is one line of at most {MAX_SUBJECT} characters.", [*prefix, "subject"])
        templating.check(subject, [*prefix, "subject"])
        values["subject"] = subject
    if not isinstance(data.body, Keep):
        if not data.body.strip() or len(data.body) > MAX_BODY:
            raise invalid(f"A body is between 1 and {MAX_BODY} characters.", [*prefix, "body"])
        templating.check(data.body, [*prefix, "body"])
        values["body"] = data.body
    return values


async def _name_free(clinic_id: uuid.UUID, name: str, but: uuid.UUID | None, field_path: list[str]) -> None:
    if await tenant.email_templates(clinic_id).filter(name=name).exclude(id=but).exists():
        raise invalid(f"There is already a template called {name!r}.", field_path)


async def list_templates(principal: Principal) -> list[EmailTemplate]:
    clinic_id = access.require_admin(principal)
    return await tenant.email_templates(clinic_id).order_by("name")


async def create_template(principal: Principal, data: TemplateInput) -> EmailTemplate:
    clinic_id = access.require_admin(principal)
    if isinstance(data.name, Keep) or isinstance(data.subject, Keep) or isinstance(data.body, Keep):
        raise invalid("A template needs a name, a subject and a body.", ["input"])
    values = _checked(data, ["input"])
    await _name_free(clinic_id, values["name"], None, ["input", "name"])
    try:
        async with write_transaction():
            return await EmailTemplate.create(clinic_id=clinic_id, **values)
    except IntegrityError:  # a concurrent twin took the name
        raise invalid(f"There is already a template called {values['name']!r}.", ["input", "name"]) from None


async def update_template(principal: Principal, raw_id: str, data: TemplateInput) -> EmailTemplate:
    """Changes the template for messages queued from now on; messages
    already queued were filled in when they were queued."""
    clinic_id = access.require_admin(principal)
    template = await tenant.email_template(clinic_id, raw_id, ["id"])
    values = _checked(data, ["input"])
    if "name" in values:
        await _name_free(clinic_id, values["name"], template.id, ["input", "name"])
    if not values:
        return template
    values["updated_at"] = utcnow()
    try:
        async with write_transaction():
            await tenant.email_templates(clinic_id).filter(id=template.id).update(**values)
    except IntegrityError:
        raise invalid(f"There is already a template called {values['name']!r}.", ["input", "name"]) from None
    return await tenant.email_template(clinic_id, raw_id, ["id"])


async def delete_template(principal: Principal, raw_id: str) -> uuid.UUID:
    """A template the clinic has picked for an e-mail is not deleted: pick
    another (or none) first, so no e-mail stops without anyone deciding so."""
    clinic_id = access.require_admin(principal)
    async with write_transaction():
        template = await tenant.email_template(clinic_id, raw_id, ["id"])
        chosen = await PractitionerEmailSettings.filter(clinic_id=clinic_id).first()
        in_use = (
            (chosen.new_appointment_template_id, chosen.cancelled_appointment_template_id, chosen.extra_new_appointment_template_id)
            if chosen
            else ()
        )
        if template.id in in_use:
            raise invalid("This template is in use for practitioner e-mails; pick another first.", ["id"])
        await tenant.email_templates(clinic_id).filter(id=template.id).delete()
    return template.id


@dataclass(frozen=True)
class EmailChoice:
    new_appointment_template_id: str | None | Keep = KEEP
    cancelled_appointment_template_id: str | None | Keep = KEEP
    extra_new_appointment_recipients: list[str] | Keep = field(default=KEEP)
    extra_new_appointment_template_id: str | None | Keep = KEEP
    notified_changes: NotifiedChanges | None | Keep = KEEP


async def email_choice(principal: Principal) -> PractitionerEmailSettings:
    """The clinic's choice (an unsaved empty one when it has made none)."""
    clinic_id = access.require_admin(principal)
    found = await PractitionerEmailSettings.filter(clinic_id=clinic_id).first()
    return found or PractitionerEmailSettings(clinic_id=clinic_id, extra_new_appointment_recipients=[])


def _recipients(raw: list[str]) -> list[str]:
    if len(raw) > MAX_EXTRA_RECIPIENTS:
        raise invalid(f"At most {MAX_EXTRA_RECIPIENTS} extra addresses.", ["input", "extraNewAppointmentRecipients"])
    cleaned = [normalize_email(a, ["input", "extraNewAppointmentRecipients", str(i)]) for i, a in enumerate(raw)]
    return list(dict.fromkeys(cleaned))


async def update_email_choice(principal: Principal, data: EmailChoice) -> PractitionerEmailSettings:
    clinic_id = access.require_admin(principal)
    values: dict[str, object] = {}
    for attr, path in (
        ("new_appointment_template_id", "newAppointmentTemplateId"),
        ("cancelled_appointment_template_id", "cancelledAppointmentTemplateId"),
        ("extra_new_appointment_template_id", "extraNewAppointmentTemplateId"),
    ):
        raw = getattr(data, attr)
        if raw is None:
            values[attr] = None
        elif not isinstance(raw, Keep):
            values[attr] = (await tenant.email_template(clinic_id, raw, ["input", path])).id
    if not isinstance(data.extra_new_appointment_recipients, Keep):
        values["extra_new_appointment_recipients"] = _recipients(data.extra_new_appointment_recipients)
    if data.notified_changes is None:
        raise invalid("Choose PORTAL or ALL.", ["input", "notifiedChanges"])
    if not isinstance(data.notified_changes, Keep):
        values["notified_changes"] = NotifiedChanges(data.notified_changes)
    values["updated_at"] = utcnow()
    async with write_transaction():
        row = await PractitionerEmailSettings.filter(clinic_id=clinic_id).select_for_update().first()
        if row is None:
            try:
                async with write_transaction():  # a savepoint: a concurrent first save may win
                    return await PractitionerEmailSettings.create(clinic_id=clinic_id, **values)
            except IntegrityError:
                row = await PractitionerEmailSettings.get(clinic_id=clinic_id)
        await PractitionerEmailSettings.filter(id=row.id).update(**values)
    return await PractitionerEmailSettings.get(clinic_id=clinic_id)


# Starting points, as the demo clinics get them: (name, subject, body).
NEW_APPOINTMENT = (
    "New appointment",
    "New booking: {TreatmentName} with {ClientFullName}, {AppointmentStartDateTime}",
    "Hello {PractitionerName},\n\n"
    "A new appointment is in your diary at {ClinicName}.\n\n"
    "When: {AppointmentStartDateTime} until {AppointmentEndDateTime}\n"
    "Treatment: {TreatmentName}\n"
    "Client: {ClientFullName}\n"
    "Mobile: {ClientMobilePhone}\n"
    "E-mail: {ClientEmail}\n\n"
    "Times are in the clinic's time zone, {ClinicTimeZone}.\n",
)
EXTRA_NEW_APPOINTMENT = (
    "New appointment (front desk)",
    "New booking at {ClinicName}: {ClientFullName}, {AppointmentStartDateTime}",
    "A new appointment is in {PractitionerName}'s diary at {ClinicName}.\n\n"
    "When: {AppointmentStartDateTime} until {AppointmentEndDateTime}\n"
    "Treatment: {TreatmentName}\n"
    "Practitioner: {PractitionerName}\n"
    "Client: {ClientFullName}\n"
    "Mobile: {ClientMobilePhone}\n"
    "E-mail: {ClientEmail}\n\n"
    "Times are in the clinic's time zone, {ClinicTimeZone}.\n",
)
CANCELLED_APPOINTMENT = (
    "Cancelled appointment",
    "Cancelled: {TreatmentName} with {ClientFullName}, {AppointmentStartDateTime}",
    "Hello {PractitionerName},\n\n"
    "This appointment at {ClinicName} has been cancelled and is no longer in your diary.\n\n"
    "When: {AppointmentStartDateTime}\n"
    "Treatment: {TreatmentName}\n"
    "Client: {ClientFullName}\n"
    "Reason: {CancellationReason}\n",
)


async def seed_default_templates(clinic_id: uuid.UUID, extra_recipients: list[str]) -> PractitionerEmailSettings:
    """The starting templates, picked for the practitioner e-mails and the
    extra addresses'."""
    made = {}
    for name, subject, body in (NEW_APPOINTMENT, EXTRA_NEW_APPOINTMENT, CANCELLED_APPOINTMENT):
        made[name] = await EmailTemplate.create(clinic_id=clinic_id, name=name, subject=subject, body=body)
    return await PractitionerEmailSettings.create(
        clinic_id=clinic_id,
        new_appointment_template_id=made[NEW_APPOINTMENT[0]].id,
        cancelled_appointment_template_id=made[CANCELLED_APPOINTMENT[0]].id,
        extra_new_appointment_recipients=extra_recipients,
        extra_new_appointment_template_id=made[EXTRA_NEW_APPOINTMENT[0]].id,
    )
