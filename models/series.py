"""Recurring series: appointments booked together at a fixed interval (every
N days or weeks). Each occurrence is an ordinary appointment that names its
series; the series row keeps how it was asked for."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel, utcnow


class SeriesUnit(StrEnum):
    DAYS = "DAYS"
    WEEKS = "WEEKS"


class AppointmentSeries(TenantModel):
    client = fields.ForeignKeyField("models.Client", related_name=False, on_delete=fields.RESTRICT)
    client_id: uuid.UUID
    treatment = fields.ForeignKeyField("models.Treatment", related_name=False, on_delete=fields.RESTRICT)
    treatment_id: uuid.UUID
    every = fields.SmallIntField()
    unit = fields.CharEnumField(SeriesUnit, max_length=8)
    created_at = fields.DatetimeField(default=utcnow)
    created_by = fields.CharField(max_length=16)  # STAFF, PARTNER
    created_by_id = fields.UUIDField(null=True)

    class Meta:
        table = "appointment_series"
