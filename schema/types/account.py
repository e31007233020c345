"""The signed-in client's account."""

from __future__ import annotations

import strawberry

from models import Client as ClientModel
from resolvers.account import legal_documents
from resolvers.account import personal
from resolvers.billing import balances
from schema import cursors
from schema.context import Info
from schema.types.appointment import Appointment, AppointmentConnection, AppointmentEdge, AppointmentWhen
from schema.types.balances import AccountLedgerConnection, GiftCard, LoyaltyCard, Membership
from schema.types.common import Money, PageInfo, mirror
from schema.types.legal import LegalDocument, documents


@strawberry.type
class ClientAccount:
    model: strawberry.Private[ClientModel]

    id: strawberry.ID = mirror("id")
    full_name: str = mirror("full_name")
    email: str | None = mirror("email")
    phone: str | None = mirror("phone")
    language: str = mirror("language")

    @strawberry.field(description="Upcoming soonest first; past newest first.")
    async def appointments(
        self,
        info: Info,
        when: AppointmentWhen,
        first: int | None = None,
        after: str | None = None,
        include_cancelled: bool = False,
    ) -> AppointmentConnection:
        await cursors.before_reading(info)
        page = await personal.my_appointments(
            info.context.principal, when, first, after, include_cancelled, client_id=self.model.id
        )
        edges = [AppointmentEdge(node=Appointment(model=a), cursor=personal.cursor_of(a)) for a in page.items]
        return AppointmentConnection(
            edges=edges,
            page_info=PageInfo.of(edges, page.has_next, page.has_previous),
        )

    @strawberry.field(description="Positive: in credit; negative: owed. The sum of the account ledger.")
    async def account_balance(self, info: Info) -> Money:
        clinic = await info.context.loaders.clinic.load(self.model.clinic_id)
        return Money.of(await balances.account_balance(info.context.principal, self.model), clinic.currency)

    @strawberry.field(description="Every change to the account balance, newest first.")
    async def account_ledger(self, info: Info, first: int | None = None, after: str | None = None) -> AccountLedgerConnection:
        return AccountLedgerConnection.of(await balances.account_ledger(info.context.principal, self.model, first, after))

    @strawberry.field(description="Memberships and packages, newest first, expired ones included.")
    async def memberships(self, info: Info) -> list[Membership]:
        return [Membership(view=v) for v in await balances.memberships(info.context.principal, self.model)]

    @strawberry.field(description="Gift cards issued to the client, newest first.")
    async def gift_cards(self, info: Info) -> list[GiftCard]:
        return [GiftCard(view=v) for v in await balances.gift_cards(info.context.principal, self.model)]

    @strawberry.field(description="One card per loyalty programme the client is in.")
    async def loyalty_cards(self, info: Info) -> list[LoyaltyCard]:
        return [LoyaltyCard(view=v) for v in await balances.loyalty_cards(info.context.principal, self.model)]

    @strawberry.field(
        description="The clinic's current privacy policy and user agreement versions the client has not "
        "accepted; the portal asks for them (`acceptLegalDocuments`). Empty when all are accepted."
    )
    async def documents_to_accept(self) -> list[LegalDocument]:
        return documents(await legal_documents.to_accept(self.model))


@strawberry.type(description="The client's details for the booking form; read-only there.")
class Prefill:
    full_name: str
    email: str | None
    phone: str | None
