"""Ids as callers send them: a malformed one is simply no id."""

from __future__ import annotations

import uuid


def parse_id(raw: str | uuid.UUID | None) -> uuid.UUID | None:
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError):
        return None
