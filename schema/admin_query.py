"""Queries for the clinic's staff and administrators."""

from __future__ import annotations

import strawberry

from resolvers.admin import api_keys
from resolvers.admin import catalogue_admin
from resolvers.admin import clients
from resolvers.admin import staff_admin
from resolvers.billing import loyalty_rules
from resolvers.notifications import webhooks
from schema.context import Info
from schema.types.admin import ApiKey, Client, ClientConnection, ClientEdge, ConsentForm, StaffUser, WebhookEndpoint
from schema.types.balances import LoyaltyProgramme
from schema.types.catalogue import Practitioner, Treatment
from schema.types.common import PageInfo


@strawberry.type
class AdminQueries:
    @strawberry.field(description="Admin: every treatment, archived ones included.")
    async def all_treatments(self, info: Info) -> list[Treatment]:
        return [Treatment(model=t) for t in await catalogue_admin.admin_treatments(info.context.principal)]

    @strawberry.field(description="Admin: every practitioner, inactive ones included.")
    async def all_practitioners(self, info: Info) -> list[Practitioner]:
        return [Practitioner(model=p) for p in await catalogue_admin.admin_practitioners(info.context.principal)]

    @strawberry.field(description="Admin.")
    async def consent_forms(self, info: Info) -> list[ConsentForm]:
        return [ConsentForm(model=f) for f in await catalogue_admin.consent_forms(info.context.principal)]

    @strawberry.field(description="Admin.")
    async def staff_users(self, info: Info) -> list[StaffUser]:
        return [StaffUser(model=u) for u in await staff_admin.staff_users(info.context.principal)]

    @strawberry.field(description="Admin: partner keys, revoked ones included (never the keys themselves).")
    async def api_keys(self, info: Info) -> list[ApiKey]:
        return [ApiKey(model=k) for k in await api_keys.api_keys(info.context.principal)]

    @strawberry.field(description="Admin: the clinic's loyalty programmes, oldest first.")
    async def loyalty_programmes(self, info: Info) -> list[LoyaltyProgramme]:
        return [LoyaltyProgramme(model=p) for p in await loyalty_rules.programmes(info.context.principal)]

    @strawberry.field(description="Admin.")
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        return [WebhookEndpoint(model=e) for e in await webhooks.webhook_endpoints(info.context.principal)]

    @strawberry.field(description="Staff, or partners with the read scope: clients by name, e-mail or phone.")
    async def clients(
        self, info: Info, search: str | None = None, first: int | None = None, after: str | None = None
    ) -> ClientConnection:
        page = await clients.search_clients(info.context.principal, search, first, after)
        edges = [
            ClientEdge(node=Client(model=c), cursor=clients.cursor_at(page.offset + n)) for n, c in enumerate(page.items)
        ]
        return ClientConnection(
            edges=edges,
            page_info=PageInfo.of(edges, page.has_next, page.has_previous),
            total_count=page.total,
        )

    @strawberry.field(description="Staff, or partners with the read scope; null if unknown.")
    async def client(self, info: Info, id: strawberry.ID) -> Client | None:
        row = await clients.find_client(info.context.principal, id)
        return Client(model=row) if row else None
