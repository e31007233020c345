"""Partner webhook subscriptions: where a clinic's appointment events are
POSTed, signed with the endpoint's secret.

The secret is kept as is (it signs every delivery, so a hash of it would not
do); it is shown once when the endpoint is created and never returned again."""

from __future__ import annotations

from tortoise import fields

from models.base import TenantModel, utcnow


class WebhookEndpoint(TenantModel):
    url = fields.CharField(max_length=500)
    description = fields.CharField(max_length=200, null=True)
    events = fields.JSONField(default=list)  # ["BOOKED", "CANCELLED", "RESCHEDULED"]
    secret = fields.CharField(max_length=100)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "webhook_endpoint"
