"""Partial-update inputs: a field left out changes nothing; a nullable field
sent as null clears it."""

from __future__ import annotations

from typing import Any

import strawberry


def provided(data: object, renames: dict[str, str] | None = None) -> dict[str, Any]:
    """The fields a caller sent, by model attribute name."""
    renames = renames or {}
    sent = {}
    for name, value in vars(data).items():
        if value is strawberry.UNSET:
            continue
        sent[renames.get(name, name)] = value
    return sent
