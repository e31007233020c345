"""Invitations for staff users to choose their own password: single use,
short-lived, only the SHA-256 of the token stored."""

from __future__ import annotations

import uuid

from tortoise import fields

from models.base import TenantModel, utcnow


class StaffInvite(TenantModel):
    staff = fields.ForeignKeyField("models.StaffUser", related_name=False, on_delete=fields.CASCADE)
    staff_id: uuid.UUID
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff_invite"
