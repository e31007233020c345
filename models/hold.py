"""Slot holds: a time a caller has picked on the booking page, kept from
everyone else for a few minutes while they fill in the form.

A hold takes part in the same guarantee as appointments: on PostgreSQL both
tables feed one occupancy table (`diary_claim`, kept by triggers, see
migration 0014) whose exclusion constraint refuses any overlap; on SQLite
the write lock taken at `BEGIN IMMEDIATE` serialises the check. A hold whose
`expires_at` has passed no longer counts for anyone; the next booking or
hold that meets it marks it EXPIRED in its own transaction, and the clean-up
job removes old rows."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel, utcnow


class HoldStatus(StrEnum):
    HELD = "HELD"  # keeps the time until expires_at
    USED = "USED"  # became the appointment `appointment_id`
    RELEASED = "RELEASED"  # given back by its holder
    EXPIRED = "EXPIRED"  # found past expires_at and let go


class SlotHold(TenantModel):
    practitioner = fields.ForeignKeyField("models.Practitioner", related_name=False, on_delete=fields.CASCADE)
    practitioner_id: uuid.UUID
    treatment = fields.ForeignKeyField("models.Treatment", related_name=False, on_delete=fields.CASCADE)
    treatment_id: uuid.UUID
    start_at = fields.DatetimeField()
    end_at = fields.DatetimeField()
    occupied_start = fields.DatetimeField()
    occupied_end = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    # SHA-256 of who holds it (a client, staff user, API key, or an
    # anonymous visitor's network): only the holder may book or release it.
    holder = fields.CharField(max_length=64)
    status = fields.CharEnumField(HoldStatus, max_length=16, default=HoldStatus.HELD)
    appointment_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "slot_hold"
        indexes = (("practitioner_id", "occupied_start"), ("clinic_id", "holder", "status"))
