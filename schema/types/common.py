"""Shared output types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import strawberry

from models import Clinic
from resolvers.core import access
from schema.context import Info


@dataclass(frozen=True, slots=True)
class Mirrored:
    """The default value of a mirrored field: which attribute of the wrapped
    model it shows."""

    attr: str


def mirror(attr: str, description: str | None = None):
    """A field read straight off the wrapped model: `name: str = mirror("name")`.

    It is a plain field, with no resolver of its own: strawberry resolves
    those without building an `Info` or parsing arguments, several times
    cheaper on lists of slots or appointments. `resolve_field` (the
    schema's default resolver) reads the model's attribute."""
    return strawberry.field(default=Mirrored(attr), description=description)


def resolve_field(source: object, name: str) -> object:
    """The schema's default resolver (`StrawberryConfig.default_resolver`):
    an attribute, or the model's attribute a mirrored field names."""
    value = getattr(source, name)
    if type(value) is Mirrored:
        return getattr(source.model, value.attr)  # type: ignore[attr-defined]
    return value


@strawberry.type
class Money:
    amount: str
    currency: str

    @classmethod
    def of(cls, amount: Decimal | None, currency: str) -> Money | None:
        return None if amount is None else cls(amount=f"{amount:.2f}", currency=currency)


@strawberry.type
class Session:
    token: str
    expires_at: datetime


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of(cls, edges: list, has_next: bool, has_previous: bool) -> PageInfo:
        """A Relay page's info from its edges (each with a `cursor`)."""
        return cls(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )


def prices_visible(info: Info, clinic: Clinic) -> bool:
    """Prices show when the clinic shows them, and always to its own staff
    and partners."""
    return clinic.show_prices or access.is_insider(info.context.principal, clinic.id)
