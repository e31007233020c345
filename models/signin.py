"""Sign-in secrets other than sessions: one-time codes sent by SMS, and
password-reset links sent by e-mail. Neither is ever stored in the clear."""

from __future__ import annotations

import uuid

from tortoise import fields

from models.base import TenantModel, utcnow


class SignInCode(TenantModel):
    """A 6-digit code for one phone at one clinic. `code_hash` is an HMAC of
    the code under the server's key and this row's salt, so a copy of the
    table alone cannot be searched for the code. The row also records that
    the person accepted the clinic's terms, and which version."""

    phone = fields.CharField(max_length=20)  # E.164
    salt = fields.CharField(max_length=32)
    code_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)  # wrong or right, counted before comparing
    used_at = fields.DatetimeField(null=True)  # spent, or replaced by a newer code
    terms_version = fields.CharField(max_length=32)
    terms_accepted_at = fields.DatetimeField()
    # The ids of the document versions that were current when the terms were accepted.
    accepted_documents = fields.JSONField(null=True)
    requested_from = fields.CharField(max_length=64, null=True)  # IP address

    class Meta:
        table = "sign_in_code"
        indexes = (("clinic_id", "phone", "created_at"), ("expires_at",))


class PasswordResetToken(TenantModel):
    token_hash = fields.CharField(max_length=64, unique=True)  # SHA-256 of 256 random bits
    client = fields.ForeignKeyField("models.Client", related_name=False, on_delete=fields.CASCADE)
    client_id: uuid.UUID
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField(db_index=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "password_reset_token"

