"""When practitioners work: weekly hours in the clinic's local time, and
exceptions for single dates (days off, blocked hours, extra hours).

Times are minutes from local midnight (0..1440), so they mean the same wall
clock time on every date, whatever the daylight-saving offset."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel


class RosterEntry(TenantModel):
    practitioner = fields.ForeignKeyField(
        "models.Practitioner", related_name=False, on_delete=fields.CASCADE
    )
    practitioner_id: uuid.UUID
    weekday = fields.SmallIntField()  # 0 = Monday
    start_minute = fields.SmallIntField()
    end_minute = fields.SmallIntField()

    class Meta:
        table = "roster_entry"


class RosterExceptionKind(StrEnum):
    OFF = "OFF"  # not working: the whole day, or start..end when given
    EXTRA = "EXTRA"  # working start..end in addition to the weekly hours


class RosterException(TenantModel):
    practitioner = fields.ForeignKeyField(
        "models.Practitioner", related_name=False, on_delete=fields.CASCADE
    )
    practitioner_id: uuid.UUID
    date = fields.DateField()
    kind = fields.CharEnumField(RosterExceptionKind, max_length=8)
    start_minute = fields.SmallIntField(null=True)
    end_minute = fields.SmallIntField(null=True)
    note = fields.CharField(max_length=200, null=True)

    class Meta:
        table = "roster_exception"
        indexes = (("practitioner_id", "date"),)
