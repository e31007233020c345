"""The people of a clinic: its clients and its staff users."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel, utcnow


class Client(TenantModel):
    full_name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=254, null=True)  # stored lower-case
    phone = fields.CharField(max_length=20, null=True)  # stored in E.164
    password_hash = fields.CharField(max_length=200, null=True)
    language = fields.CharField(max_length=16, default="en")
    # The privacy policy and user agreement the client last accepted.
    terms_version = fields.CharField(max_length=32, null=True)
    terms_accepted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "client"
        unique_together = (("clinic", "email"), ("clinic", "phone"))


class StaffRole(StrEnum):
    ADMIN = "ADMIN"
    PRACTITIONER = "PRACTITIONER"


class StaffUser(TenantModel):
    email = fields.CharField(max_length=254, unique=True)  # stored lower-case
    full_name = fields.CharField(max_length=200)
    password_hash = fields.CharField(max_length=200)
    role = fields.CharEnumField(StaffRole, max_length=16, default=StaffRole.ADMIN)
    practitioner = fields.ForeignKeyField(
        "models.Practitioner", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    practitioner_id: uuid.UUID | None
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "staff_user"
