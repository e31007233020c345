"""Money taken against appointments, and money given back.

Amounts are in the clinic's currency, two decimal places, always positive;
a refund belongs to one payment and the refunds of a payment never add up
to more than the payment (checked under a lock on the payment's row)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel, utcnow


class PaymentMethod(StrEnum):
    CASH = "CASH"
    CARD = "CARD"
    BANK_TRANSFER = "BANK_TRANSFER"
    GIFT_CARD = "GIFT_CARD"
    OTHER = "OTHER"


class Payment(TenantModel):
    appointment = fields.ForeignKeyField("models.Appointment", related_name=False, on_delete=fields.RESTRICT)
    appointment_id: uuid.UUID
    amount = fields.DecimalField(max_digits=10, decimal_places=2)
    currency = fields.CharField(max_length=3)
    method = fields.CharEnumField(PaymentMethod, max_length=16)
    taken_at = fields.DatetimeField()
    note = fields.CharField(max_length=500, null=True)
    # Who recorded it: a staff user's id, or a partner key's credential id.
    recorded_by = fields.CharField(max_length=16)  # STAFF or PARTNER
    recorded_by_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(default=utcnow)
    # A key the recorder sent with it, so that sending the request again
    # (a till retrying after a time-out) returns this payment instead of
    # recording the money twice; with the hash of what was asked.
    idempotency_key = fields.CharField(max_length=200, null=True)
    request_hash = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "payment"
        indexes = (("clinic_id", "taken_at"), ("appointment_id", "taken_at"))
        unique_together = (("clinic", "recorded_by_id", "idempotency_key"),)


class Refund(TenantModel):
    payment = fields.ForeignKeyField("models.Payment", related_name=False, on_delete=fields.RESTRICT)
    payment_id: uuid.UUID
    amount = fields.DecimalField(max_digits=10, decimal_places=2)
    reason = fields.CharField(max_length=500)
    refunded_at = fields.DatetimeField()
    recorded_by = fields.CharField(max_length=16)
    recorded_by_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "refund"
        indexes = (("clinic_id", "refunded_at"), ("payment_id", "refunded_at"))
