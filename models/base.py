"""Fields and helpers shared by every table."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from tortoise import fields
from tortoise.models import Model


def utcnow() -> datetime:
    return datetime.now(UTC)


class TenantModel(Model):
    """A row that belongs to one clinic; its public id is a random UUID."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    clinic: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Clinic", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    clinic_id: uuid.UUID

    class Meta:
        abstract = True
