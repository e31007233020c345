"""The clinic's admins issue and adjust balances. Each change is one new
ledger row saying who, when and why; nothing is overwritten. Spending from a
balance locks its holder row first, so two tills cannot spend the same
value twice."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import (
    Actor,
    Client,
    Clinic,
    GiftCard,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    LoyaltyCard,
    LoyaltyKind,
    Membership,
    MembershipTreatment,
    utcnow,
)
from models.db import write_transaction
from resolvers.billing import balances
from resolvers.core import access
from resolvers.core import tenant
from resolvers.core.errors import DomainError, ErrorCode, invalid
from resolvers.core.principal import Principal, PrincipalKind
from resolvers.core.times import as_utc
from resolvers.core.money import two_places

MAX_AMOUNT = Decimal("1000000")
MAX_UNITS = 100_000
MAX_REASON = 500
# No 0/O or 1/I: read aloud and typed at a till.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16  # 80 bits


@dataclass(frozen=True)
class Who:
    actor: Actor
    actor_id: uuid.UUID | None


def who(principal: Principal) -> Who:
    if principal.kind is PrincipalKind.STAFF:
        return Who(Actor.STAFF, principal.staff_id)
    if principal.kind is PrincipalKind.PARTNER:
        return Who(Actor.PARTNER, principal.credential_id)
    if principal.kind is PrincipalKind.CLIENT:
        return Who(Actor.CLIENT, principal.client_id)
    return Who(Actor.SYSTEM, None)


def money(raw: str, field: list[str], *, positive: bool) -> Decimal:
    """An amount such as "45.00": at most two decimals, below a million."""
    value = two_places(raw, field, "Enter an amount such as 45.00.")
    if abs(value) >= MAX_AMOUNT:
        raise invalid("Enter an amount such as 45.00.", field)
    if value == 0 or (positive and value < 0):
        raise invalid("Enter an amount above zero." if positive else "Enter an amount other than zero.", field)
    return value.quantize(Decimal("0.01"))


def units(value: int, field: list[str], *, positive: bool) -> int:
    if value == 0 or abs(value) > MAX_UNITS or (positive and value < 0):
        raise invalid("Enter a number above zero." if positive else "Enter a number other than zero.", field)
    return value


def reason_of(raw: str | None, default: str) -> str:
    text = (raw or "").strip() or default
    if len(text) > MAX_REASON:
        raise invalid(f"A reason has at most {MAX_REASON} characters.", ["reason"])
    return text


def expiry(raw: datetime | None, field: list[str]) -> datetime | None:
    if raw is None:
        return None
    at = as_utc(raw, field, whole_minutes=False)
    if at <= utcnow():
        raise invalid("The expiry must be in the future.", field)
    return at


async def entry(clinic_id: uuid.UUID, principal: Principal, **fields) -> LedgerEntry:
    by = who(principal)
    return await LedgerEntry.create(clinic_id=clinic_id, actor=by.actor, actor_id=by.actor_id, **fields)


async def issue_membership(
    principal: Principal, client_id: str, name: str, treatment_ids: list[str], sessions: int,
    expires_at: datetime | None, reason: str | None,
) -> balances.MembershipView:
    clinic_id = access.require_admin(principal)
    client = await tenant.client(clinic_id, client_id, ["clientId"])
    name = name.strip()
    if not name or len(name) > 200:
        raise invalid("Name the membership (at most 200 characters).", ["name"])
    if not treatment_ids:
        raise invalid("Choose the treatments it covers.", ["treatmentIds"])
    treatments = {(await tenant.treatment(clinic_id, raw, ["treatmentIds"])).id for raw in treatment_ids}
    sessions = units(sessions, ["sessions"], positive=True)
    async with write_transaction():
        membership = await Membership.create(
            clinic_id=clinic_id, client_id=client.id, name=name, expires_at=expiry(expires_at, ["expiresAt"])
        )
        for treatment_id in sorted(treatments):
            await MembershipTreatment.create(clinic_id=clinic_id, membership_id=membership.id, treatment_id=treatment_id)
        await entry(
            clinic_id, principal, account=LedgerAccount.MEMBERSHIP, kind=LedgerKind.ISSUED, client_id=client.id,
            membership_id=membership.id, units=sessions, reason=reason_of(reason, "Membership issued"),
        )
    return (await balances.membership_views([membership]))[0]


async def adjust_membership_sessions(principal: Principal, membership_id: str, sessions: int, reason: str) -> balances.MembershipView:
    """Adds sessions (positive) or takes them away (negative), never below
    the sessions already used."""
    clinic_id = access.require_admin(principal)
    sessions = units(sessions, ["sessions"], positive=False)
    why = reason_of(reason, "")
    if not why:
        raise invalid("Say why the sessions change.", ["reason"])
    async with write_transaction():
        membership = await tenant.membership(clinic_id, membership_id, ["membershipId"])
        await Membership.filter(id=membership.id).select_for_update().first()
        [view] = await balances.membership_views([membership])
        if view.sessions_remaining + sessions < 0:
            raise invalid(f"Only {view.sessions_remaining} sessions are left to take away.", ["sessions"])
        await entry(
            clinic_id, principal, account=LedgerAccount.MEMBERSHIP, kind=LedgerKind.ADJUSTED,
            client_id=membership.client_id, membership_id=membership.id, units=sessions, reason=why,
        )
    return (await balances.membership_views([membership]))[0]


def new_gift_card_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def issue_gift_card(
    principal: Principal, value: str, client_id: str | None, expires_at: datetime | None, reason: str | None
) -> balances.GiftCardView:
    clinic_id = access.require_admin(principal)
    amount = money(value, ["initialValue"], positive=True)
    client = await tenant.client(clinic_id, client_id, ["clientId"]) if client_id else None
    until = expiry(expires_at, ["expiresAt"])
    clinic = await Clinic.get(id=clinic_id)
    async with write_transaction():
        for _ in range(3):  # 80 random bits: a clash is all but impossible, but never an error
            try:
                async with in_transaction("default"):
                    card = await GiftCard.create(
                        clinic_id=clinic_id, code=new_gift_card_code(), client_id=client.id if client else None,
                        currency=clinic.currency, expires_at=until,
                    )
                break
            except IntegrityError:
                continue
        else:
            raise RuntimeError("three new gift card codes in a row were taken")
        await entry(
            clinic_id, principal, account=LedgerAccount.GIFT_CARD, kind=LedgerKind.ISSUED, client_id=card.client_id,
            gift_card_id=card.id, amount=amount, reason=reason_of(reason, "Gift card issued"),
        )
    return (await balances.gift_card_views([card]))[0]


async def redeem_gift_card(principal: Principal, code: str, amount: str, reason: str | None) -> balances.GiftCardView:
    """Spends part or all of what is left on a card, before it expires."""
    clinic_id = access.require_admin(principal)
    spend = money(amount, ["amount"], positive=True)
    async with write_transaction():
        card = await tenant.gift_card_by_code(clinic_id, code, ["code"], for_update=True)
        if card.expires_at is not None and card.expires_at <= utcnow():
            raise DomainError(ErrorCode.TOKEN_EXPIRED, "This gift card has expired.", ["code"])
        [view] = await balances.gift_card_views([card])
        if spend > view.remaining_value:
            raise invalid(f"Only {view.remaining_value} is left on this gift card.", ["amount"])
        await entry(
            clinic_id, principal, account=LedgerAccount.GIFT_CARD, kind=LedgerKind.USED, client_id=card.client_id,
            gift_card_id=card.id, amount=-spend, reason=reason_of(reason, "Redeemed"),
        )
    return (await balances.gift_card_views([card]))[0]


async def adjust_account_balance(
    principal: Principal, client_id: str, amount: str, reason: str
) -> tuple[Client, LedgerEntry, Decimal]:
    """Positive: money in (a payment, a credit); negative: money owed (a charge)."""
    clinic_id = access.require_admin(principal)
    client = await tenant.client(clinic_id, client_id, ["clientId"])
    change = money(amount, ["amount"], positive=False)
    why = reason_of(reason, "")
    if not why:
        raise invalid("Say why the balance changes.", ["reason"])
    row = await entry(
        clinic_id, principal, account=LedgerAccount.ACCOUNT, kind=LedgerKind.ADJUSTED, client_id=client.id,
        amount=change, reason=why,
    )
    return client, row, await balances.account_balance(principal, client)


async def issue_loyalty_card(principal: Principal, client_id: str, programme_id: str) -> balances.LoyaltyCardView:
    """Enrols the client in a programme: from now on their completed visits
    earn on the card (or its discount applies). Issuing it again answers
    the card the client already has."""
    clinic_id = access.require_admin(principal)
    client = await tenant.client(clinic_id, client_id, ["clientId"])
    programme = await tenant.loyalty_programme(clinic_id, programme_id, ["programmeId"])
    card = await _loyalty_card(clinic_id, programme.id, client.id, refuse_new=None)
    return (await balances.loyalty_card_views([card]))[0]


async def adjust_loyalty_card(
    principal: Principal, client_id: str, programme_id: str, points: int | None, cashback: str | None, reason: str
) -> balances.LoyaltyCardView:
    """Adds or takes away points or cashback on the client's card of a
    programme; the card is made on first use."""
    clinic_id = access.require_admin(principal)
    client = await tenant.client(clinic_id, client_id, ["clientId"])
    programme = await tenant.loyalty_programme(clinic_id, programme_id, ["programmeId"])
    why = reason_of(reason, "")
    if not why:
        raise invalid("Say why the card changes.", ["reason"])
    change_points = units(points, ["points"], positive=False) if points is not None else None
    change_cash = money(cashback, ["cashback"], positive=False) if cashback is not None else None
    if change_cash is not None and programme.kind is not LoyaltyKind.CASHBACK:
        raise invalid("Only cashback programmes hold cashback.", ["cashback"])
    if change_points is not None and programme.kind is not LoyaltyKind.POINTS:
        raise invalid("Only points programmes hold points.", ["points"])
    if change_points is None and change_cash is None and programme.kind is not LoyaltyKind.DISCOUNT:
        raise invalid("Give the points or cashback to add or take away.", ["points"])
    below_zero = invalid("A card cannot go below zero.", ["points" if change_points is not None else "cashback"])
    taking = (change_points or 0) < 0 or (change_cash or 0) < 0
    card = await _loyalty_card(clinic_id, programme.id, client.id, refuse_new=below_zero if taking else None)
    async with write_transaction():
        await LoyaltyCard.filter(id=card.id).select_for_update().first()
        [view] = await balances.loyalty_card_views([card])
        if (change_points or 0) + view.points < 0 or (change_cash or 0) + view.cashback < 0:
            raise below_zero
        await entry(
            clinic_id, principal, account=LedgerAccount.LOYALTY,
            kind=LedgerKind.ISSUED if programme.kind is LoyaltyKind.DISCOUNT else LedgerKind.ADJUSTED,
            client_id=client.id, loyalty_card_id=card.id, units=change_points, amount=change_cash, reason=why,
        )
    return (await balances.loyalty_card_views([card]))[0]


async def _loyalty_card(
    clinic_id: uuid.UUID, programme_id: uuid.UUID, client_id: uuid.UUID, refuse_new: DomainError | None
) -> LoyaltyCard:
    """The client's card of the programme, made on first use in its own
    transaction: two first adjustments at once both find the one card
    (inside theirs, the loser's insert would have failed the whole
    change). Where there is no card yet, `refuse_new` is raised instead of
    making one (taking from an empty card)."""
    card = await LoyaltyCard.get_or_none(programme_id=programme_id, client_id=client_id)
    if card is not None:
        return card
    if refuse_new is not None:
        raise refuse_new
    try:
        async with write_transaction():
            return await LoyaltyCard.create(clinic_id=clinic_id, programme_id=programme_id, client_id=client_id)
    except IntegrityError:
        return await LoyaltyCard.get(programme_id=programme_id, client_id=client_id)
