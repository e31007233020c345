"""Reading a client's balances. Every figure is a sum of ledger rows, taken
in the database; nothing here writes."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tortoise.expressions import Q
from tortoise.functions import Sum

from models import (
    Client,
    GiftCard,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    LoyaltyCard,
    LoyaltyKind,
    LoyaltyProgramme,
    Membership,
    MembershipTreatment,
)
from resolvers.core import access
from resolvers.core.errors import DomainError, invalid
from resolvers.core.principal import Principal
from resolvers.core.times import as_utc

MAX_PAGE = 100
ZERO = Decimal("0.00")
GRANTS = (LedgerKind.ISSUED, LedgerKind.ADJUSTED)  # what makes up a membership's total or a card's initial value


@dataclass(frozen=True)
class MembershipView:
    membership: Membership
    treatment_ids: list[uuid.UUID]
    sessions_total: int
    sessions_remaining: int


@dataclass(frozen=True)
class GiftCardView:
    card: GiftCard
    initial_value: Decimal
    remaining_value: Decimal


@dataclass(frozen=True)
class LoyaltyCardView:
    card: LoyaltyCard
    programme: LoyaltyProgramme
    points: int
    cashback: Decimal


@dataclass(frozen=True)
class LedgerPage:
    items: list[LedgerEntry]
    has_next: bool
    has_previous: bool


async def sums(column: str, value_column: str, ids: list[uuid.UUID], extra: Q | None = None) -> dict[uuid.UUID, object]:
    """Sum of `value_column` over ledger rows grouped by `column` (one of the
    holding foreign keys), for the given holdings."""
    found = await totals(column, ids, total=Sum(value_column, _filter=extra))
    return {holding: row["total"] for holding, row in found.items()}


async def totals(column: str, ids: list[uuid.UUID], **aggregates: Sum) -> dict[uuid.UUID, dict[str, object]]:
    """Several sums over the ledger rows of each holding (grouped by
    `column`, one of the holding foreign keys), in one query."""
    if not ids:
        return {}
    query = LedgerEntry.filter(**{f"{column}__in": ids}).annotate(**aggregates).group_by(column)
    return {row[column]: row for row in await query.values(column, *aggregates)}


def _of(found: dict[uuid.UUID, dict[str, object]], holding: uuid.UUID, name: str) -> object:
    """A holding's total; 0 for a holding without ledger rows (or none of that kind)."""
    row = found.get(holding)
    return (row[name] if row is not None else None) or 0


def _money(value) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(ZERO)


async def account_balance(principal: Principal, client: Client) -> Decimal:
    """Positive: in credit; negative: owed."""
    owner = access.balances_of(principal, client)
    rows = await LedgerEntry.filter(account=LedgerAccount.ACCOUNT, **owner).annotate(total=Sum("amount")).values("total")
    return _money(rows[0]["total"] if rows else None)


def ledger_cursor(entry: LedgerEntry) -> str:
    return base64.urlsafe_b64encode(f"{entry.created_at.isoformat()}|{entry.id}".encode()).decode()


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at, _, ident = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return as_utc(datetime.fromisoformat(at), ["after"], whole_minutes=False), uuid.UUID(ident)
    except (ValueError, UnicodeDecodeError, DomainError):
        raise invalid("This cursor is not valid.", ["after"]) from None


async def account_ledger(principal: Principal, client: Client, first: int | None, after: str | None) -> LedgerPage:
    """The account's entries, newest first."""
    owner = access.balances_of(principal, client)
    first = 20 if first is None else first
    if not 0 <= first <= MAX_PAGE:
        raise invalid(f"`first` is between 0 and {MAX_PAGE}.", ["first"])
    query = LedgerEntry.filter(account=LedgerAccount.ACCOUNT, **owner)
    if after:
        at, ident = _decode(after)
        query = query.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=ident))
    rows = await query.order_by("-created_at", "-id").limit(first + 1)
    return LedgerPage(items=rows[:first], has_next=len(rows) > first, has_previous=bool(after))


async def membership_views(memberships: list[Membership]) -> list[MembershipView]:
    ids = [m.id for m in memberships]
    found = await totals("membership_id", ids, remaining=Sum("units"), total=Sum("units", _filter=Q(kind__in=GRANTS)))
    covered: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    for link in await MembershipTreatment.filter(membership_id__in=ids).order_by("id") if ids else []:
        covered[link.membership_id].append(link.treatment_id)
    return [
        MembershipView(m, covered[m.id], int(_of(found, m.id, "total")), int(_of(found, m.id, "remaining")))
        for m in memberships
    ]


async def memberships(principal: Principal, client: Client) -> list[MembershipView]:
    owner = access.balances_of(principal, client)
    return await membership_views(await Membership.filter(**owner).order_by("-created_at", "id"))


async def gift_card_views(cards: list[GiftCard]) -> list[GiftCardView]:
    ids = [c.id for c in cards]
    found = await totals("gift_card_id", ids, remaining=Sum("amount"), initial=Sum("amount", _filter=Q(kind__in=GRANTS)))
    return [GiftCardView(c, _money(_of(found, c.id, "initial")), _money(_of(found, c.id, "remaining"))) for c in cards]


async def gift_cards(principal: Principal, client: Client) -> list[GiftCardView]:
    owner = access.balances_of(principal, client)
    return await gift_card_views(await GiftCard.filter(**owner).order_by("-created_at", "id"))


async def loyalty_card_views(cards: list[LoyaltyCard]) -> list[LoyaltyCardView]:
    ids = [c.id for c in cards]
    found = await totals("loyalty_card_id", ids, points=Sum("units"), cashback=Sum("amount"))
    programmes = {p.id: p for p in await LoyaltyProgramme.filter(id__in=[c.programme_id for c in cards])} if cards else {}
    return [
        LoyaltyCardView(c, programmes[c.programme_id], int(_of(found, c.id, "points")), _money(_of(found, c.id, "cashback")))
        for c in cards
    ]


async def loyalty_cards(principal: Principal, client: Client) -> list[LoyaltyCardView]:
    owner = access.balances_of(principal, client)
    return await loyalty_card_views(await LoyaltyCard.filter(**owner).order_by("created_at", "id"))


def cashback_of(view: LoyaltyCardView) -> Decimal | None:
    return view.cashback if view.programme.kind is LoyaltyKind.CASHBACK else None


def discount_of(view: LoyaltyCardView) -> int | None:
    return view.programme.discount_percent if view.programme.kind is LoyaltyKind.DISCOUNT else None
