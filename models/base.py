"""Fields and helpers shared by every table."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from tortoise import fields
from tortoise.models import Model


def utcnow() -> datetime:
    return datetime.now(UTC)


def fits(model: type[Model], field: str, value: str) -> bool:
    """Whether `value` is within the column's `max_length`. Over it, no row
    can match, and Tortoise refuses even to compare: its ValidationError
    would carry the caller's whole text. Look-ups by a caller's text ask
    this first and answer as for a missing row."""
    max_length = getattr(model._meta.fields_map[field], "max_length", None)
    return max_length is None or len(value) <= max_length


class TenantModel(Model):
    """A row that belongs to one clinic; its public id is a random UUID."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    clinic: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Clinic", related_name=False, on_delete=fields.CASCADE, db_index=True
    )
    clinic_id: uuid.UUID

    class Meta:
        abstract = True
