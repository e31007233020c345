"""The documents a client agrees to: a clinic's privacy policy and user
agreement. Each publication is a new version; older versions are kept, so
what a client accepted can always be read back."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel, utcnow


class LegalDocumentKind(StrEnum):
    PRIVACY_POLICY = "PRIVACY_POLICY"
    USER_AGREEMENT = "USER_AGREEMENT"


class LegalDocument(TenantModel):
    """One version of one document. The highest version of a kind is the
    current one."""

    kind = fields.CharEnumField(LegalDocumentKind, max_length=32)
    version = fields.IntField()
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    published_at = fields.DatetimeField(default=utcnow)
    published_by_id = fields.UUIDField(null=True)  # the staff user

    class Meta:
        table = "legal_document"
        unique_together = (("clinic", "kind", "version"),)


class AcceptedVia(StrEnum):
    PHONE_SIGN_IN = "PHONE_SIGN_IN"  # the consent box of the phone sign-in
    PORTAL = "PORTAL"  # asked again in the portal after a new version


class LegalAcceptance(TenantModel):
    """A client accepted one version of one document."""

    client = fields.ForeignKeyField("models.Client", related_name=False, on_delete=fields.CASCADE)
    client_id: uuid.UUID
    document = fields.ForeignKeyField("models.LegalDocument", related_name=False, on_delete=fields.CASCADE)
    document_id: uuid.UUID
    accepted_at = fields.DatetimeField(default=utcnow)
    via = fields.CharEnumField(AcceptedVia, max_length=16)

    class Meta:
        table = "legal_acceptance"
        unique_together = (("client", "document"),)
