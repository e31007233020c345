"""The outbox: side effects (SMS, e-mails, webhooks, reminders) written in
the same transaction as the change that causes them, and carried out
afterwards by the job runner. A row is the unit of idempotency: whatever
sends it keys the send by the row's id, so a retry never sends twice."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel, utcnow


class OutboxStatus(StrEnum):
    PENDING = "PENDING"  # waiting for `due_at`, or for a retry
    SENT = "SENT"
    DEAD = "DEAD"  # gave up after the last attempt; shown to the clinic's staff
    CANCELLED = "CANCELLED"  # no longer wanted (a reminder for a cancelled appointment)


class OutboxMessage(TenantModel):
    kind = fields.CharField(max_length=40)  # a handler name in jobs/registry.py
    payload = fields.JSONField(default=dict)
    appointment = fields.ForeignKeyField(
        "models.Appointment", related_name=False, null=True, on_delete=fields.CASCADE
    )
    appointment_id: uuid.UUID | None
    status = fields.CharEnumField(OutboxStatus, max_length=16, default=OutboxStatus.PENDING)
    due_at = fields.DatetimeField(default=utcnow)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    result = fields.JSONField(null=True)  # what the handler reported (a Twilio SID, ...)
    created_at = fields.DatetimeField(default=utcnow)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "due_at"), ("appointment_id", "kind"))
