"""E-mail templates and the clinic's choice of practitioner e-mails, as
admin staff see them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import EmailTemplate as EmailTemplateModel
from models import NotifiedChanges as NotifiedChangesValues
from models import PractitionerEmailSettings as SettingsModel
from resolvers.notifications import email_templates
from resolvers.notifications import templating
from schema.context import Info
from schema.types.common import mirror


NotifiedChanges = strawberry.enum(
    NotifiedChangesValues,
    name="NotifiedChanges",
    description="Whose appointment changes practitioners hear of by e-mail. PORTAL: those clients make in the"
    " portal or on the booking page. ALL: also those made by staff and partner keys.",
)


@strawberry.type(description="A plain-text e-mail with {Placeholders}, filled in when the e-mail is queued.")
class EmailTemplate:
    model: strawberry.Private[EmailTemplateModel]

    id: strawberry.ID = mirror("id")
    name: str = mirror("name")
    subject: str = mirror("subject")
    body: str = mirror("body")
    updated_at: datetime = mirror("updated_at")


@strawberry.type
class EmailPlaceholder:
    name: str = strawberry.field(description="Written in a template as {Name}.")
    description: str


@strawberry.type(description="Which e-mails practitioners get about their diary.")
class PractitionerEmailSettings:
    model: strawberry.Private[SettingsModel]
    templates: strawberry.Private[dict]

    @strawberry.field(description="Sent on booking (and for the new time on a reschedule); null: none.")
    def new_appointment_template(self) -> EmailTemplate | None:
        row = self.templates.get(self.model.new_appointment_template_id)
        return EmailTemplate(model=row) if row else None

    @strawberry.field(description="Sent on cancellation; null: none.")
    def cancelled_appointment_template(self) -> EmailTemplate | None:
        row = self.templates.get(self.model.cancelled_appointment_template_id)
        return EmailTemplate(model=row) if row else None

    @strawberry.field(description="Also get every new-appointment e-mail.")
    def extra_new_appointment_recipients(self) -> list[str]:
        return list(self.model.extra_new_appointment_recipients or [])

    @strawberry.field(
        description="What the extra recipients get about a new appointment; null: the practitioner's template."
    )
    def extra_new_appointment_template(self) -> EmailTemplate | None:
        row = self.templates.get(self.model.extra_new_appointment_template_id)
        return EmailTemplate(model=row) if row else None

    @strawberry.field(description="Whose changes are e-mailed: clients' (the default) or everyone's.")
    def notified_changes(self) -> NotifiedChanges:
        return self.model.notified_changes or NotifiedChangesValues.PORTAL


async def settings_view(principal, row: SettingsModel) -> PractitionerEmailSettings:
    templates = {t.id: t for t in await email_templates.list_templates(principal)}
    return PractitionerEmailSettings(model=row, templates=templates)


@strawberry.type
class NotificationQueries:
    @strawberry.field(description="Admin: the clinic's e-mail templates, by name.")
    async def email_templates(self, info: Info) -> list[EmailTemplate]:
        return [EmailTemplate(model=t) for t in await email_templates.list_templates(info.context.principal)]

    @strawberry.field(description="The placeholders a template may use.")
    def email_placeholders(self) -> list[EmailPlaceholder]:
        return [EmailPlaceholder(name=n, description=d) for n, d in templating.PLACEHOLDERS.items()]

    @strawberry.field(description="Admin: which e-mails practitioners get about their diary.")
    async def practitioner_email_settings(self, info: Info) -> PractitionerEmailSettings:
        principal = info.context.principal
        return await settings_view(principal, await email_templates.email_choice(principal))
