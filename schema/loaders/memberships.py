"""The membership whose session pays for an appointment."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from models import Membership
from resolvers.booking.membership_sessions import covering_memberships
from resolvers.core import tenant


class CoveringMembershipLoader(DataLoader[tenant.Key, Membership | None]):
    """Keys are (clinic, appointment)."""

    def __init__(self) -> None:
        super().__init__(load_fn=covering_memberships)
