"""The baseline server of bench/http.py: plain Strawberry (its ASGI app, no
extensions, no context, no database) whose resolvers return constants of
the same shape as the three documents bench/http.py sends our app, and a
bare Starlette JSON route (the load generator's own ceiling).

    BASELINE_ANSWERS=/tmp/answers.json python -m uvicorn bench.http_baseline:app --port 8200

BASELINE_ANSWERS is a JSON file {"clinic": ..., "slots": [...], "me":
{"calendarCursor": ..., "me": ...}}: our app's own answers, so both sides
send the same bytes."""

from __future__ import annotations

import datetime
import enum
import json
import os
import re
from types import SimpleNamespace
from typing import Annotated, Any

import strawberry
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _namespace(value: Any) -> Any:
    """A JSON answer as objects whose attributes strawberry's default
    resolvers read (`portalEnabled` as `portal_enabled`)."""
    if isinstance(value, dict):
        return SimpleNamespace(**{_snake(k): _namespace(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_namespace(v) for v in value]
    return value


ANSWERS = json.loads(open(os.environ["BASELINE_ANSWERS"]).read()) if os.environ.get("BASELINE_ANSWERS") else {}


@strawberry.type
class Money:
    amount: str
    currency: str


@strawberry.type
class Person:
    id: strawberry.ID | None = None
    name: str


@strawberry.type
class CancellationPolicy:
    notice_hours: int
    text: str | None


@strawberry.type
class Branding:
    background_color: str | None
    logo_url: str | None


@strawberry.type
class Treatment:
    id: strawberry.ID
    name: str
    description: str | None
    duration_minutes: int
    price: Money | None
    practitioners: list[Person]


@strawberry.type
class Clinic:
    id: strawberry.ID
    name: str
    timezone: str
    portal_enabled: bool
    can_book: bool
    show_prices: bool
    booking_instructions: str | None
    terms_and_conditions: str | None
    booking_horizon_days: int
    cancellation_policy: CancellationPolicy | None
    branding: Branding | None
    treatments: list[Treatment]


@strawberry.type
class Slot:
    start: str
    end: str
    practitioner: Person


@strawberry.enum
class When(enum.Enum):
    UPCOMING = "UPCOMING"
    PAST = "PAST"


@strawberry.type
class Appointment:
    id: strawberry.ID
    start: str
    end: str
    status: str
    can_cancel: bool
    treatment: Person
    practitioner: Person
    price: Money | None
    can_repeat: bool
    can_reschedule: bool
    covered_by: Person | None


@strawberry.type
class AppointmentEdge:
    node: Appointment


@strawberry.type
class AppointmentConnection:
    edges: list[AppointmentEdge]


@strawberry.type
class Me:
    full_name: str
    language: str | None

    @strawberry.field
    def appointments(self, when: When, first: int = 20) -> AppointmentConnection:
        return CONSTANTS["me"].me.upcoming if when is When.UPCOMING else CONSTANTS["me"].me.past


CONSTANTS = {name: _namespace(answer) for name, answer in ANSWERS.items()}


@strawberry.type
class Query:
    @strawberry.field
    def clinic(self, slug: str) -> Clinic | None:
        return CONSTANTS["clinic"]

    @strawberry.field
    def available_slots(
        self, clinic_slug: str, treatment_id: strawberry.ID, from_: Annotated[datetime.date, strawberry.argument(name="from")],
        to: datetime.date | None = None, practitioner_id: strawberry.ID | None = None,
    ) -> list[Slot]:  # fmt: skip
        return CONSTANTS["slots"]

    @strawberry.field
    def calendar_cursor(self) -> str:
        return CONSTANTS["me"].calendar_cursor

    @strawberry.field
    def me(self) -> Me | None:
        me = CONSTANTS["me"].me
        return Me(full_name=me.full_name, language=me.language)


async def bare(request) -> JSONResponse:
    return JSONResponse({"data": {"clinic": {"name": "Demo"}}})


async def health(request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/graphql", GraphQL(strawberry.Schema(query=Query), graphql_ide=None), methods=["GET", "POST"]),
        Route("/bare", bare, methods=["GET", "POST"]),
        Route("/health", health),
    ]
)
