"""The standing loyalty discount of a client: a whole price list in one query."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from resolvers.billing.loyalty_earning import discount_percents
from resolvers.core import tenant


class LoyaltyDiscountLoader(DataLoader[tenant.Key, int | None]):
    """Keys are (clinic, client); None without a discount card."""

    def __init__(self) -> None:
        super().__init__(load_fn=discount_percents)
