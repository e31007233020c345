"""The clinic's admins issue and adjust memberships, gift cards, loyalty
cards and account balances."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.billing import balance_admin
from resolvers.billing import loyalty_rules
from schema.context import Info
from schema.errors import payload
from schema.inputs import provided
from schema.payload import Payload
from schema.types.balances import AccountLedgerEntry, GiftCard, LoyaltyCard, LoyaltyKind, LoyaltyProgramme, Membership
from schema.types.common import Money


@strawberry.input(description="A programme's one rule: the field of its kind (POINTS: pointsPerVisit, or pointsPerAmount with amountStep; CASHBACK: cashbackPercent; DISCOUNT: discountPercent).")
class LoyaltyRuleInput:
    points_per_visit: int | None = strawberry.field(default=None, description="Points for each completed visit.")
    points_per_amount: int | None = strawberry.field(default=None, description="Points for each whole `amountStep` paid.")
    amount_step: str | None = strawberry.field(default=None, description='The amount paid that earns `pointsPerAmount`, e.g. "10.00".')
    cashback_percent: str | None = strawberry.field(default=None, description='Share of what is paid credited back, e.g. "5" or "2.5".')
    discount_percent: int | None = strawberry.field(default=None, description="Percentage off the price at booking, 1 to 100.")


@strawberry.input(description="Only the fields given change.")
class LoyaltyProgrammeInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Unique in the clinic.")
    rule: LoyaltyRuleInput | None = strawberry.field(default=strawberry.UNSET, description="Null: no rule (points or cashback by hand only).")
    terms: str | None = strawberry.field(default=strawberry.UNSET, description="The promotion terms shown to the client; null or empty clears them.")


def _rule(rule: LoyaltyRuleInput | None) -> dict | None:
    return None if rule is None else {name: value for name, value in vars(rule).items() if value is not None}


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

    @strawberry.mutation(
        description="Admin: a loyalty programme of points, cashback or a standing discount, with its rule and "
        "promotion terms. `discountPercent` is the older way to give a discount programme's rule."
    )
    async def create_loyalty_programme(
        self, info: Info, name: str, kind: LoyaltyKind, discount_percent: int | None = None,
        rule: LoyaltyRuleInput | None = None, terms: str | None = None,
    ) -> LoyaltyProgrammePayload:
        sent = _rule(rule) or {}
        if discount_percent is not None and sent.get("discount_percent") is None:
            sent["discount_percent"] = discount_percent
        work = loyalty_rules.create_programme(info.context.principal, name, kind, sent or None, terms)
        return await payload(LoyaltyProgrammePayload, _programme(work))

    @strawberry.mutation(
        description="Admin: change a programme's name, rule or promotion terms (its kind stays). "
        "Only the fields given change; a new rule applies to visits settled from then on."
    )
    async def update_loyalty_programme(
        self, info: Info, id: strawberry.ID, input: LoyaltyProgrammeInput
    ) -> LoyaltyProgrammePayload:
        changes = provided(input)
        if "rule" in changes:
            changes["rule"] = _rule(changes["rule"])
        work = loyalty_rules.update_programme(info.context.principal, id, changes)
        return await payload(LoyaltyProgrammePayload, _programme(work))

    @strawberry.mutation(
        description="Admin: enrol a client in a programme. Their completed visits then earn on the card, "
        "or its discount lowers the price of their bookings. The card they have is answered if any."
    )
    async def issue_loyalty_card(
        self, info: Info, client_id: strawberry.ID, programme_id: strawberry.ID
    ) -> LoyaltyCardPayload:
        work = balance_admin.issue_loyalty_card(info.context.principal, client_id, programme_id)
        return await payload(LoyaltyCardPayload, _loyalty_card(work))

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
