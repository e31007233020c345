"""Bearer credentials: sessions, booking sessions and partner API keys, and
single-use pre-fill tokens. Only the SHA-256 of a token is ever stored."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel, utcnow


class CredentialKind(StrEnum):
    CLIENT_SESSION = "CLIENT_SESSION"
    BOOKING_SESSION = "BOOKING_SESSION"
    STAFF_SESSION = "STAFF_SESSION"
    API_KEY = "API_KEY"


class Credential(TenantModel):
    kind = fields.CharEnumField(CredentialKind, max_length=20)
    token_hash = fields.CharField(max_length=64, unique=True)
    client = fields.ForeignKeyField(
        "models.Client", related_name=False, null=True, on_delete=fields.CASCADE
    )
    client_id: uuid.UUID | None
    staff = fields.ForeignKeyField(
        "models.StaffUser", related_name=False, null=True, on_delete=fields.CASCADE
    )
    staff_id: uuid.UUID | None
    scopes = fields.JSONField(default=list)
    name = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    # API keys: requests a minute; null takes API_KEY_RATE_PER_MINUTE.
    rate_limit_per_minute = fields.IntField(null=True)

    class Meta:
        table = "credential"


class PrefillToken(TenantModel):
    token_hash = fields.CharField(max_length=64, unique=True)
    client = fields.ForeignKeyField("models.Client", related_name=False, on_delete=fields.CASCADE)
    client_id: uuid.UUID
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "prefill_token"
