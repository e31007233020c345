"""The client a booking is for, with what the booking needs to know about
them, in one statement: their row, the best standing discount of their
loyalty cards, and whether one of their memberships may cover the
treatment on the day (when none does, the booking does not look again)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q, RawSQL, Subquery

from models import Client, LoyaltyCard, LoyaltyKind, MembershipTreatment
from resolvers.core.errors import not_found
from resolvers.core.ids import parse_id

_CLIENT = RawSQL('"client"."id"')  # the outer row, in the subqueries


@dataclass(frozen=True)
class BookingClient:
    client: Client
    discount_percent: int | None
    covered: bool  # a membership of theirs may cover the treatment


async def read(
    clinic_id: uuid.UUID, client_id: uuid.UUID | str, treatment_id: uuid.UUID, start: datetime, field: list[str]
) -> BookingClient:
    """The clinic's client by id; NOT_FOUND (at `field`) otherwise."""
    wanted = client_id if isinstance(client_id, uuid.UUID) else parse_id(client_id)
    if wanted is None:
        raise not_found("Client", field)
    best_discount = (
        LoyaltyCard.filter(client_id=_CLIENT, clinic_id=clinic_id, programme__kind=LoyaltyKind.DISCOUNT)
        .order_by("-programme__discount_percent")
        .limit(1)
        .values("programme__discount_percent")
    )
    covering = (
        MembershipTreatment.filter(membership__client_id=_CLIENT, clinic_id=clinic_id, treatment_id=treatment_id)
        .filter(Q(membership__expires_at=None) | Q(membership__expires_at__gt=start))
        .limit(1)
        .values("membership_id")
    )
    found = await Client.filter(id=wanted, clinic_id=clinic_id).annotate(
        discount=Subquery(best_discount), covering=Subquery(covering)
    ).first()
    if found is None:
        raise not_found("Client", field)
    return BookingClient(found, getattr(found, "discount", None) or None, getattr(found, "covering", None) is not None)
