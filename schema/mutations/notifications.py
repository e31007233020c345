"""Admin: e-mail templates and the practitioner e-mails."""

from __future__ import annotations

import strawberry

from resolvers.notifications import email_templates
from resolvers.notifications.email_templates import KEEP, EmailChoice, TemplateInput
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.types.notifications import EmailTemplate, NotifiedChanges, PractitionerEmailSettings, settings_view


def _given(value):
    return KEEP if value is strawberry.UNSET else value


@strawberry.input(description="Placeholders are written {Name}; {{ and }} write a literal brace.")
class EmailTemplateInput:
    name: str | None = strawberry.UNSET
    subject: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET


@strawberry.input
class PractitionerEmailSettingsInput:
    new_appointment_template_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Null stops the e-mail; left out keeps the choice."
    )
    cancelled_appointment_template_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Null stops the e-mail; left out keeps the choice."
    )
    extra_new_appointment_recipients: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the list; left out keeps it."
    )
    extra_new_appointment_template_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="What the extra recipients get; null: the practitioner's template; left out keeps the choice.",
    )
    notified_changes: NotifiedChanges | None = strawberry.field(
        default=strawberry.UNSET, description="Whose changes are e-mailed; left out keeps the choice."
    )


@strawberry.type
class EmailTemplatePayload(Payload):
    email_template: EmailTemplate | None = None


@strawberry.type
class DeleteEmailTemplatePayload(Payload):
    deleted_id: strawberry.ID | None = None


@strawberry.type
class PractitionerEmailSettingsPayload(Payload):
    settings: PractitionerEmailSettings | None = None


def _template_input(data: EmailTemplateInput) -> TemplateInput:
    # An explicit null is treated like a missing value: every part is required text.
    return TemplateInput(**{k: KEEP if v is None else _given(v) for k, v in vars(data).items()})


async def _template(work) -> dict:
    return {"email_template": EmailTemplate(model=await work)}


async def _deleted(work) -> dict:
    return {"deleted_id": strawberry.ID(str(await work))}


async def _settings(info: Info, data: PractitionerEmailSettingsInput) -> dict:
    extra = _given(data.extra_new_appointment_recipients)
    choice = EmailChoice(
        new_appointment_template_id=_given(data.new_appointment_template_id),
        cancelled_appointment_template_id=_given(data.cancelled_appointment_template_id),
        extra_new_appointment_recipients=[] if extra is None else extra,
        extra_new_appointment_template_id=_given(data.extra_new_appointment_template_id),
        notified_changes=_given(data.notified_changes),
    )
    principal = info.context.principal
    row = await email_templates.update_email_choice(principal, choice)
    return {"settings": await settings_view(principal, row)}


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(description="Admin: a new e-mail template. Unknown placeholders are refused.")
    async def create_email_template(self, info: Info, input: EmailTemplateInput) -> EmailTemplatePayload:
        work = email_templates.create_template(info.context.principal, _template_input(input))
        return await payload(EmailTemplatePayload, _template(work))

    @strawberry.mutation(description="Admin: change a template; e-mails already queued keep their text.")
    async def update_email_template(
        self, info: Info, id: strawberry.ID, input: EmailTemplateInput
    ) -> EmailTemplatePayload:
        work = email_templates.update_template(info.context.principal, id, _template_input(input))
        return await payload(EmailTemplatePayload, _template(work))

    @strawberry.mutation(description="Admin: delete a template that no e-mail uses.")
    async def delete_email_template(self, info: Info, id: strawberry.ID) -> DeleteEmailTemplatePayload:
        return await payload(DeleteEmailTemplatePayload, _deleted(email_templates.delete_template(info.context.principal, id)))

    @strawberry.mutation(description="Admin: pick the practitioner e-mails and extra recipients.")
    async def update_practitioner_email_settings(
        self, info: Info, input: PractitionerEmailSettingsInput
    ) -> PractitionerEmailSettingsPayload:
        return await payload(PractitionerEmailSettingsPayload, _settings(info, input))
