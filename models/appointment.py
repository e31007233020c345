"""Appointments in a practitioner's diary.

`occupied_start`/`occupied_end` are the appointment's time widened by the
treatment's buffers; no two active appointments of one practitioner may
overlap there (on PostgreSQL an exclusion constraint says so)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel, utcnow


class AppointmentStatus(StrEnum):
    BOOKED = "BOOKED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    NO_SHOW = "NO_SHOW"


class AppointmentSource(StrEnum):
    PORTAL = "PORTAL"  # a signed-in client, or a booking session
    ONLINE = "ONLINE"  # anonymous booking page with typed-in details
    STAFF = "STAFF"
    PARTNER = "PARTNER"


class Appointment(TenantModel):
    practitioner = fields.ForeignKeyField(
        "models.Practitioner", related_name=False, on_delete=fields.RESTRICT
    )
    practitioner_id: uuid.UUID
    treatment = fields.ForeignKeyField(
        "models.Treatment", related_name=False, on_delete=fields.RESTRICT
    )
    treatment_id: uuid.UUID
    client = fields.ForeignKeyField("models.Client", related_name=False, on_delete=fields.RESTRICT)
    client_id: uuid.UUID
    start_at = fields.DatetimeField()
    end_at = fields.DatetimeField()
    occupied_start = fields.DatetimeField()
    occupied_end = fields.DatetimeField()
    status = fields.CharEnumField(AppointmentStatus, max_length=16, default=AppointmentStatus.BOOKED)
    source = fields.CharEnumField(AppointmentSource, max_length=16)
    price = fields.DecimalField(max_digits=10, decimal_places=2, null=True)
    currency = fields.CharField(max_length=3)
    created_at = fields.DatetimeField(default=utcnow)
    cancelled_at = fields.DatetimeField(null=True)
    cancelled_by = fields.CharField(max_length=16, null=True)  # CLIENT, STAFF, PARTNER
    cancelled_by_id = fields.UUIDField(null=True)
    cancellation_reason = fields.CharField(max_length=500, null=True)
    rescheduled_from = fields.ForeignKeyField(
        "models.Appointment", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    rescheduled_from_id: uuid.UUID | None
    series = fields.ForeignKeyField(
        "models.AppointmentSeries", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    series_id: uuid.UUID | None  # a recurring series it belongs to (models/series.py)

    class Meta:
        table = "appointment"
        indexes = (("practitioner_id", "occupied_start"), ("client_id", "start_at"))
