"""An appointment's consent status, as staff see it."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from resolvers.booking.consent import ConsentStatus, statuses_by_appointment
from resolvers.core import tenant


class ConsentStatusLoader(DataLoader[tenant.Key, ConsentStatus]):
    """Keys are (clinic, appointment)."""

    def __init__(self) -> None:
        super().__init__(load_fn=statuses_by_appointment)
