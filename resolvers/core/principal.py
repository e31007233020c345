"""Who is calling: resolved once per request from the bearer credential."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class PrincipalKind(StrEnum):
    ANONYMOUS = "ANONYMOUS"
    CLIENT = "CLIENT"  # signed-in portal client
    BOOKING = "BOOKING"  # booking session from a pre-fill token: may only book
    STAFF = "STAFF"
    PARTNER = "PARTNER"  # API key scoped to one clinic


class Scope(StrEnum):
    READ = "read"
    BOOK = "book"
    CALENDAR = "calendar"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind = PrincipalKind.ANONYMOUS
    clinic_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None
    staff_is_admin: bool = False
    practitioner_id: uuid.UUID | None = None  # the staff user's own diary
    own_diary_only: bool = False  # practitioner-role staff of a clinic that hides other diaries
    scopes: frozenset[str] = field(default_factory=frozenset)
    credential_id: uuid.UUID | None = None

    @property
    def is_client(self) -> bool:
        """Acts for one client: a portal session or a booking session."""
        return self.kind in (PrincipalKind.CLIENT, PrincipalKind.BOOKING)

    @property
    def is_staff(self) -> bool:
        return self.kind is PrincipalKind.STAFF

    def has_scope(self, scope: Scope) -> bool:
        """Partner keys carry scopes; staff may do what their role allows."""
        if self.kind is PrincipalKind.STAFF:
            return True
        if self.kind is PrincipalKind.PARTNER:
            return scope.value in self.scopes or Scope.ADMIN.value in self.scopes
        return False


ANONYMOUS = Principal()
