"""E-mails to practitioners: the clinic's templates, and which template is
sent when an appointment is booked or cancelled."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel, utcnow


class EmailTemplate(TenantModel):
    name = fields.CharField(max_length=100)
    subject = fields.CharField(max_length=200)  # may hold placeholders
    body = fields.TextField()  # plain text with placeholders
    created_at = fields.DatetimeField(default=utcnow)
    updated_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "email_template"
        unique_together = (("clinic", "name"),)


class NotifiedChanges(StrEnum):
    """Whose changes practitioners hear of by e-mail."""

    PORTAL = "PORTAL"  # made by clients: the portal and the booking page
    ALL = "ALL"  # made by anyone: clients, staff, partner keys


class PractitionerEmailSettings(TenantModel):
    """Which templates a clinic sends to practitioners, one row per clinic.

    No row, or no template picked, means no e-mail."""

    new_appointment_template = fields.ForeignKeyField(
        "models.EmailTemplate", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    new_appointment_template_id: uuid.UUID | None
    cancelled_appointment_template = fields.ForeignKeyField(
        "models.EmailTemplate", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    cancelled_appointment_template_id: uuid.UUID | None
    # Addresses that also get every new-appointment e-mail (a front desk, a manager).
    extra_new_appointment_recipients = fields.JSONField(default=list)
    # What those addresses get; none picked: the practitioner's template.
    extra_new_appointment_template = fields.ForeignKeyField(
        "models.EmailTemplate", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    extra_new_appointment_template_id: uuid.UUID | None
    notified_changes = fields.CharEnumField(NotifiedChanges, max_length=16, default=NotifiedChanges.PORTAL)
    updated_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "practitioner_email_settings"
        unique_together = (("clinic",),)
