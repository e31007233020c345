"""Clients who replied STOP to a clinic's SMS: no more messages to that
number from that clinic until they reply START."""

from __future__ import annotations

from tortoise import fields

from models.base import TenantModel, utcnow


class SmsOptOut(TenantModel):
    phone = fields.CharField(max_length=20)  # E.164, as Twilio reports `From`
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "sms_opt_out"
        unique_together = (("clinic", "phone"),)
