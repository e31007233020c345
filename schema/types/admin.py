"""What a clinic's staff and administrators see of its set-up: consent
forms, working hours, staff users, client records, API keys and webhook
endpoints."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import strawberry

from models import Client as ClientModel
from models import ConsentForm as ConsentFormModel
from models import Credential as CredentialModel
from models import RosterEntry as RosterEntryModel
from models import RosterException as RosterExceptionModel
from models import RosterExceptionKind as RosterExceptionKindValues
from models import StaffRole as StaffRoleValues
from models import StaffUser as StaffUserModel
from models import WebhookEndpoint as WebhookEndpointModel
from resolvers.core.principal import Scope as ScopeValues
from resolvers.admin.rosters import format_time
from schema.types.common import PageInfo, mirror

StaffRole = strawberry.enum(StaffRoleValues, name="StaffRole")
ApiScope = strawberry.enum(ScopeValues, name="ApiScope")
RosterExceptionKind = strawberry.enum(RosterExceptionKindValues, name="RosterExceptionKind")


@strawberry.enum(description="Appointment events a webhook endpoint may subscribe to.")
class WebhookEvent(StrEnum):
    BOOKED = "BOOKED"
    CANCELLED = "CANCELLED"
    RESCHEDULED = "RESCHEDULED"


@strawberry.enum(description="How a booked appointment went.")
class AppointmentOutcome(StrEnum):
    COMPLETED = "COMPLETED"
    NO_SHOW = "NO_SHOW"


@strawberry.type(description="A consent form a treatment may ask clients to accept.")
class ConsentForm:
    model: strawberry.Private[ConsentFormModel]

    id: strawberry.ID = mirror("id")
    title: str = mirror("title")
    body: str = mirror("body")


@strawberry.type(description="Weekly working hours, in the clinic's local time.")
class WorkingHours:
    model: strawberry.Private[RosterEntryModel]

    weekday: int = mirror("weekday", "0 = Monday ... 6 = Sunday.")

    @strawberry.field(description='"HH:MM"')
    def start(self) -> str:
        return format_time(self.model.start_minute)

    @strawberry.field(description='"HH:MM" ("24:00" is midnight at the end of the day).')
    def end(self) -> str:
        return format_time(self.model.end_minute)


@strawberry.type(description="A single date's change to the weekly hours.")
class RosterException:
    model: strawberry.Private[RosterExceptionModel]

    id: strawberry.ID = mirror("id")
    date: date = mirror("date")
    kind: RosterExceptionKind = mirror("kind")
    note: str | None = mirror("note")

    @strawberry.field(description="Null with `end`: the whole day.")
    def start(self) -> str | None:
        return format_time(self.model.start_minute)

    @strawberry.field
    def end(self) -> str | None:
        return format_time(self.model.end_minute)


@strawberry.type
class StaffUser:
    model: strawberry.Private[StaffUserModel]

    id: strawberry.ID = mirror("id")
    email: str = mirror("email")
    full_name: str = mirror("full_name")
    role: StaffRole = mirror("role")
    active: bool = mirror("active")
    created_at: datetime = mirror("created_at")

    @strawberry.field(description="The diary a practitioner-role user works in.")
    def practitioner_id(self) -> strawberry.ID | None:
        ident = self.model.practitioner_id
        return strawberry.ID(str(ident)) if ident else None


@strawberry.type(description="A client record, as the clinic's staff see it.")
class Client:
    model: strawberry.Private[ClientModel]

    id: strawberry.ID = mirror("id")
    full_name: str = mirror("full_name")
    email: str | None = mirror("email")
    phone: str | None = mirror("phone")
    language: str = mirror("language")
    created_at: datetime = mirror("created_at")

    @strawberry.field(description="Whether the client can sign in to the portal.")
    def has_portal_account(self) -> bool:
        return self.model.password_hash is not None


@strawberry.type
class ClientEdge:
    node: Client
    cursor: str


@strawberry.type
class ClientConnection:
    edges: list[ClientEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="A partner API key. The key itself is shown only when it is created.")
class ApiKey:
    model: strawberry.Private[CredentialModel]

    id: strawberry.ID = mirror("id")
    name: str | None = mirror("name")
    created_at: datetime = mirror("created_at")
    revoked_at: datetime | None = mirror("revoked_at")

    @strawberry.field
    def scopes(self) -> list[ApiScope]:
        return [ScopeValues(s) for s in self.model.scopes or []]

    @strawberry.field(description="Requests a minute; null follows the server's default.")
    def rate_limit_per_minute(self) -> int | None:
        return self.model.rate_limit_per_minute


@strawberry.type(description="Where signed appointment events are POSTed. The secret is shown only when it is created.")
class WebhookEndpoint:
    model: strawberry.Private[WebhookEndpointModel]

    id: strawberry.ID = mirror("id")
    url: str = mirror("url")
    description: str | None = mirror("description")
    active: bool = mirror("active")
    created_at: datetime = mirror("created_at")

    @strawberry.field
    def events(self) -> list[WebhookEvent]:
        return [WebhookEvent(e) for e in self.model.events or []]
