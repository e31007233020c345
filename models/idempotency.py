"""Idempotency keys for bookings, scoped to the caller that sent them."""

from __future__ import annotations

import uuid

from tortoise import fields

from models.base import TenantModel, utcnow


class IdempotencyKey(TenantModel):
    caller = fields.CharField(max_length=120)
    key = fields.CharField(max_length=200)
    request_hash = fields.CharField(max_length=64)
    appointment = fields.ForeignKeyField(
        "models.Appointment", related_name=False, null=True, on_delete=fields.CASCADE
    )
    appointment_id: uuid.UUID | None
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_key"
        unique_together = (("caller", "key"),)
