"""What a client holds at the clinic: memberships, gift cards, loyalty cards
and the account ledger. Every figure is a sum of ledger rows."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import Actor as ActorValues
from models import LedgerEntry as LedgerEntryModel
from models import LedgerKind as LedgerKindValues
from models import LoyaltyKind as LoyaltyKindValues
from models import LoyaltyProgramme as LoyaltyProgrammeModel
from resolvers.billing import balances
from resolvers.billing import loyalty_rules
from schema.context import Info
from schema.types.catalogue import Treatment
from schema.types.common import Money, PageInfo, mirror

LoyaltyKind = strawberry.enum(LoyaltyKindValues, name="LoyaltyKind")
LedgerKind = strawberry.enum(LedgerKindValues, name="LedgerKind")
LedgerActor = strawberry.enum(ActorValues, name="LedgerActor")


async def _currency(info: Info, clinic_id) -> str:
    return (await info.context.loaders.clinic.load(clinic_id)).currency


@strawberry.type
class Membership:
    view: strawberry.Private[balances.MembershipView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.view.membership.id))

    @strawberry.field
    def name(self) -> str:
        return self.view.membership.name

    @strawberry.field(description="The treatments a session may be used for.")
    async def treatments(self, info: Info) -> list[Treatment]:
        clinic_id = self.view.membership.clinic_id
        rows = await info.context.loaders.treatment.load_many([(clinic_id, t) for t in self.view.treatment_ids])
        return [Treatment(model=row) for row in rows if row is not None]

    @strawberry.field(description="Sessions issued, with staff adjustments.")
    def sessions_total(self) -> int:
        return self.view.sessions_total

    @strawberry.field(description="Sessions not yet used by an appointment.")
    def sessions_remaining(self) -> int:
        return self.view.sessions_remaining

    @strawberry.field
    def expires_at(self) -> datetime | None:
        return self.view.membership.expires_at


@strawberry.type
class GiftCard:
    view: strawberry.Private[balances.GiftCardView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.view.card.id))

    @strawberry.field(description="Whoever holds the code may spend the card at the clinic.")
    def code(self) -> str:
        return self.view.card.code

    @strawberry.field
    def initial_value(self) -> Money:
        return Money.of(self.view.initial_value, self.view.card.currency)

    @strawberry.field
    def remaining_value(self) -> Money:
        return Money.of(self.view.remaining_value, self.view.card.currency)

    @strawberry.field
    def expires_at(self) -> datetime | None:
        return self.view.card.expires_at


@strawberry.type(description="How a loyalty programme rewards: one of its fields is set, by the programme's kind.")
class LoyaltyRule:
    model: strawberry.Private[LoyaltyProgrammeModel]

    points_per_visit: int | None = mirror("points_per_visit", "POINTS: points for each completed visit.")
    points_per_amount: int | None = mirror("points_per_amount", "POINTS: points for each whole `amountStep` paid.")
    discount_percent: int | None = mirror("discount_percent", "DISCOUNT: percentage off the price at booking.")

    @strawberry.field(description="POINTS: the amount paid that earns `pointsPerAmount` points.")
    async def amount_step(self, info: Info) -> Money | None:
        return Money.of(self.model.amount_step, await _currency(info, self.model.clinic_id))

    @strawberry.field(description='CASHBACK: the share of what is paid for a completed visit credited back, e.g. "5.00".')
    def cashback_percent(self) -> str | None:
        return None if self.model.cashback_percent is None else f"{self.model.cashback_percent:.2f}"

    @strawberry.field(description="The rule in a sentence for the client; null when the programme has no rule.")
    async def description(self, info: Info) -> str | None:
        clinic = await info.context.loaders.clinic.load(self.model.clinic_id)
        return loyalty_rules.describe(self.model, clinic.currency, info.context.language, clinic.country)


@strawberry.type
class LoyaltyCard:
    view: strawberry.Private[balances.LoyaltyCardView]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.view.card.id))

    @strawberry.field(description="The programme's name.")
    def programme(self) -> str:
        return self.view.programme.name

    @strawberry.field
    def programme_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.view.programme.id))

    @strawberry.field
    def kind(self) -> LoyaltyKind:
        return self.view.programme.kind

    @strawberry.field(description="Points collected (0 outside points programmes).")
    def points(self) -> int:
        return self.view.points

    @strawberry.field(description="Cashback to spend; null outside cashback programmes.")
    async def cashback(self, info: Info) -> Money | None:
        return Money.of(balances.cashback_of(self.view), await _currency(info, self.view.card.clinic_id))

    @strawberry.field(description="The standing discount; null outside discount programmes.")
    def discount_percent(self) -> int | None:
        return balances.discount_of(self.view)

    @strawberry.field(description="How the card earns (or what it takes off).")
    def rule(self) -> LoyaltyRule:
        return LoyaltyRule(model=self.view.programme)

    @strawberry.field(description="The programme's promotion terms, as the clinic words them.")
    def terms(self) -> str | None:
        return self.view.programme.terms


@strawberry.type
class LoyaltyProgramme:
    model: strawberry.Private[LoyaltyProgrammeModel]

    id: strawberry.ID = mirror("id")
    name: str = mirror("name")
    kind: LoyaltyKind = mirror("kind")
    discount_percent: int | None = mirror("discount_percent")
    terms: str | None = mirror("terms", "The promotion terms shown to the client.")

    @strawberry.field(description="How the programme rewards.")
    def rule(self) -> LoyaltyRule:
        return LoyaltyRule(model=self.model)


@strawberry.type
class AccountLedgerEntry:
    model: strawberry.Private[LedgerEntryModel]

    id: strawberry.ID = mirror("id")
    kind: LedgerKind = mirror("kind")
    reason: str = mirror("reason")
    created_at: datetime = mirror("created_at")
    actor: LedgerActor = mirror("actor", "Who made the change: staff, a partner, the client or the system.")

    @strawberry.field(description="Positive: money in; negative: money owed.")
    async def amount(self, info: Info) -> Money:
        return Money.of(self.model.amount, await _currency(info, self.model.clinic_id))


@strawberry.type
class AccountLedgerEdge:
    node: AccountLedgerEntry
    cursor: str


@strawberry.type
class AccountLedgerConnection:
    edges: list[AccountLedgerEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, page: balances.LedgerPage) -> AccountLedgerConnection:
        edges = [AccountLedgerEdge(node=AccountLedgerEntry(model=e), cursor=balances.ledger_cursor(e)) for e in page.items]
        return cls(
            edges=edges,
            page_info=PageInfo.of(edges, page.has_next, page.has_previous),
        )
