"""The clinic's admins issue and adjust memberships, gift cards, loyalty
cards and account balances."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.billing import balance_admin
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.types.balances import AccountLedgerEntry, GiftCard, LoyaltyCard, LoyaltyKind, LoyaltyProgramme, Membership
from schema.types.common import Money


@strawberry.type
class MembershipPayload(Payload):
    membership: Membership | None = None


@strawberry.type
class GiftCardPayload(Payload):
    gift_card: GiftCard | None = None


@strawberry.type
class LoyaltyProgrammePayload(Payload):
    programme: LoyaltyProgramme | None = None


@strawberry.type
class LoyaltyCardPayload(Payload):
    loyalty_card: LoyaltyCard | None = None


@strawberry.type
class AdjustAccountBalancePayload(Payload):
    balance: Money | None = None
    entry: AccountLedgerEntry | None = None


async def _membership(work) -> dict:
    return {"membership": Membership(view=await work)}


async def _gift_card(work) -> dict:
    return {"gift_card": GiftCard(view=await work)}


async def _loyalty_card(work) -> dict:
    return {"loyalty_card": LoyaltyCard(view=await work)}


async def _programme(work) -> dict:
    return {"programme": LoyaltyProgramme(model=await work)}


async def _account(info: Info, work) -> dict:
    client, entry, balance = await work
    clinic = await info.context.loaders.clinic.load(client.clinic_id)
    return {"balance": Money.of(balance, clinic.currency), "entry": AccountLedgerEntry(model=entry)}


@strawberry.type
class BalanceMutations:
    @strawberry.mutation(description="Admin: a membership or package of sessions of the given treatments.")
    async def issue_membership(
        self, info: Info, client_id: strawberry.ID, name: str, treatment_ids: list[strawberry.ID], sessions: int,
        expires_at: datetime | None = None, reason: str | None = None,
    ) -> MembershipPayload:
        work = balance_admin.issue_membership(
            info.context.principal, client_id, name, treatment_ids, sessions, expires_at, reason
        )
        return await payload(MembershipPayload, _membership(work))

    @strawberry.mutation(description="Admin: add sessions (positive) or take them away (negative), saying why.")
    async def adjust_membership_sessions(
        self, info: Info, membership_id: strawberry.ID, sessions: int, reason: str
    ) -> MembershipPayload:
        work = balance_admin.adjust_membership_sessions(info.context.principal, membership_id, sessions, reason)
        return await payload(MembershipPayload, _membership(work))

    @strawberry.mutation(description="Admin: a gift card of `initialValue` (e.g. \"50.00\") with a random code.")
    async def issue_gift_card(
        self, info: Info, initial_value: str, client_id: strawberry.ID | None = None,
        expires_at: datetime | None = None, reason: str | None = None,
    ) -> GiftCardPayload:
        work = balance_admin.issue_gift_card(info.context.principal, initial_value, client_id, expires_at, reason)
        return await payload(GiftCardPayload, _gift_card(work))

    @strawberry.mutation(description="Admin: spend part or all of what is left on a gift card.")
    async def redeem_gift_card(
        self, info: Info, code: str, amount: str, reason: str | None = None
    ) -> GiftCardPayload:
        work = balance_admin.redeem_gift_card(info.context.principal, code, amount, reason)
        return await payload(GiftCardPayload, _gift_card(work))

    @strawberry.mutation(description="Admin: money in (positive) or owed (negative) on the client's account, saying why.")
    async def adjust_account_balance(
        self, info: Info, client_id: strawberry.ID, amount: str, reason: str
    ) -> AdjustAccountBalancePayload:
        work = balance_admin.adjust_account_balance(info.context.principal, client_id, amount, reason)
        return await payload(AdjustAccountBalancePayload, _account(info, work))

    @strawberry.mutation(description="Admin: a loyalty programme of points, cashback or a standing discount.")
    async def create_loyalty_programme(
        self, info: Info, name: str, kind: LoyaltyKind, discount_percent: int | None = None
    ) -> LoyaltyProgrammePayload:
        work = balance_admin.create_loyalty_programme(info.context.principal, name, kind, discount_percent)
        return await payload(LoyaltyProgrammePayload, _programme(work))

    @strawberry.mutation(
        description="Admin: add or take away points or cashback on a client's card of a programme "
        "(made on first use; a discount programme's card needs neither)."
    )
    async def adjust_loyalty_card(
        self, info: Info, client_id: strawberry.ID, programme_id: strawberry.ID, reason: str,
        points: int | None = None, cashback: str | None = None,
    ) -> LoyaltyCardPayload:
        work = balance_admin.adjust_loyalty_card(info.context.principal, client_id, programme_id, points, cashback, reason)
        return await payload(LoyaltyCardPayload, _loyalty_card(work))
