"""What a clinic offers: practitioners (diaries), treatments, consent forms,
and which practitioner offers which treatment."""

from __future__ import annotations

import uuid

from tortoise import fields

from models.base import TenantModel, utcnow


class ConsentForm(TenantModel):
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "consent_form"


class Practitioner(TenantModel):
    name = fields.CharField(max_length=200)
    contact_email = fields.CharField(max_length=254, null=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "practitioner"


class Treatment(TenantModel):
    name = fields.CharField(max_length=200)
    description = fields.TextField(null=True)
    duration_minutes = fields.IntField()
    buffer_before_minutes = fields.IntField(default=0)
    buffer_after_minutes = fields.IntField(default=0)
    price = fields.DecimalField(max_digits=10, decimal_places=2, null=True)
    online_bookable = fields.BooleanField(default=True)
    archived = fields.BooleanField(default=False)
    consent_form: fields.ForeignKeyNullableRelation[ConsentForm] = fields.ForeignKeyField(
        "models.ConsentForm", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    consent_form_id: uuid.UUID | None
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "treatment"


class PractitionerTreatment(TenantModel):
    practitioner: fields.ForeignKeyRelation[Practitioner] = fields.ForeignKeyField(
        "models.Practitioner", related_name=False, on_delete=fields.CASCADE
    )
    practitioner_id: uuid.UUID
    treatment: fields.ForeignKeyRelation[Treatment] = fields.ForeignKeyField(
        "models.Treatment", related_name=False, on_delete=fields.CASCADE
    )
    treatment_id: uuid.UUID

    class Meta:
        table = "practitioner_treatment"
        unique_together = (("practitioner", "treatment"),)
