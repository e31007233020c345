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
    # The runner's claim: whoever moved `lease_until` into the future with one
    # conditional UPDATE owns the row until then (jobs/runner.py).
    lease_until = fields.DatetimeField(null=True)
    # Set when an attempt starts talking to the provider and cleared once its
    # outcome is known. Still set at the next claim means the last attempt may
    # have reached the provider (a killed worker, a time-out): the handler
    # looks before it sends again.
    in_doubt_since = fields.DatetimeField(null=True)
    # The provider's id for what was sent (a Twilio SM... sid) and the last
    # delivery status it reported (queued, sent, delivered, undelivered, ...).
    provider_id = fields.CharField(max_length=64, null=True, db_index=True)
    provider_status = fields.CharField(max_length=32, null=True)

    class Meta:
        table = "outbox_message"
        indexes = (("status", "due_at"), ("appointment_id", "kind"))
