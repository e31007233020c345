"""One-time codes that prove a typed-in booking belongs to the client whose
details it matches: sent by SMS (or, without SMS, by e-mail) to the
contact the clinic already holds, never to what was typed."""

from __future__ import annotations

import uuid

from tortoise import fields

from models.base import TenantModel, utcnow


class BookingCode(TenantModel):
    """A 6-digit code for one client of one clinic, stored as an HMAC under
    the server's key and this row's salt, like a phone sign-in code."""

    client = fields.ForeignKeyField("models.Client", related_name=False, on_delete=fields.CASCADE)
    client_id: uuid.UUID
    channel = fields.CharField(max_length=8)  # sms or email
    salt = fields.CharField(max_length=32)
    code_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)  # wrong or right, counted before comparing
    used_at = fields.DatetimeField(null=True)  # spent by a booking, or replaced by a newer code
    requested_from = fields.CharField(max_length=64, null=True)  # IP address

    class Meta:
        table = "booking_code"
        indexes = (("clinic_id", "client_id", "created_at"), ("expires_at",))
