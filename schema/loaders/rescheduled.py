"""The appointment each moved one was moved to."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from resolvers.booking.moves import successors
from resolvers.core import tenant


class RescheduledToLoader(DataLoader[tenant.Key, uuid.UUID | None]):
    """Keys are (clinic, appointment); the value is the new appointment's id,
    or None when it was not moved."""

    def __init__(self) -> None:
        super().__init__(load_fn=successors)
