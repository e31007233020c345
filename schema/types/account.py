"""The signed-in client's account."""

from __future__ import annotations

import strawberry

from models import Client as ClientModel
from resolvers import account
from schema.context import Info
from schema.types.appointment import Appointment, AppointmentConnection, AppointmentEdge, AppointmentWhen
from schema.types.common import PageInfo, mirror


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
        page = await account.my_appointments(info.context.principal, when, first, after, include_cancelled)
        edges = [AppointmentEdge(node=Appointment(model=a), cursor=account.cursor_of(a)) for a in page.items]
        return AppointmentConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


@strawberry.type(description="The client's details for the booking form; read-only there.")
class Prefill:
    full_name: str
    email: str | None
    phone: str | None
