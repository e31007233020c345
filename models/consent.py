"""Consent requests: booking a treatment that links a consent form asks the
client to sign it through a single-use link. Only the SHA-256 of the link's
token is stored."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel, utcnow


class ConsentRequestStatus(StrEnum):
    PENDING = "PENDING"
    SIGNED = "SIGNED"
    CANCELLED = "CANCELLED"  # the appointment was cancelled before it was signed


class ConsentRequest(TenantModel):
    appointment = fields.ForeignKeyField("models.Appointment", related_name=False, on_delete=fields.CASCADE)
    appointment_id: uuid.UUID
    client = fields.ForeignKeyField("models.Client", related_name=False, on_delete=fields.CASCADE)
    client_id: uuid.UUID
    form = fields.ForeignKeyField("models.ConsentForm", related_name=False, null=True, on_delete=fields.SET_NULL)
    form_id: uuid.UUID | None
    # The form as the client was asked to sign it: a later edit of the form
    # does not change what was signed.
    form_title = fields.CharField(max_length=200)
    form_body = fields.TextField()
    token_hash = fields.CharField(max_length=64, unique=True)
    status = fields.CharEnumField(ConsentRequestStatus, max_length=16, default=ConsentRequestStatus.PENDING)
    expires_at = fields.DatetimeField()  # the appointment's start
    created_at = fields.DatetimeField(default=utcnow)
    signed_at = fields.DatetimeField(null=True)
    signature_name = fields.CharField(max_length=200, null=True)
    signed_ip = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "consent_request"
        indexes = (("appointment_id", "status"),)
