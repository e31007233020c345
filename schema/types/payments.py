"""Payments taken against an appointment, and their refunds."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from models import Payment as PaymentModel
from models import PaymentMethod as PaymentMethodValues
from models import Refund as RefundModel
from resolvers.core import access
from schema.context import Info
from schema.types.common import Money, mirror

PaymentMethod = strawberry.enum(PaymentMethodValues, name="PaymentMethod")


@strawberry.type
class Refund:
    model: strawberry.Private[RefundModel]

    id: strawberry.ID = mirror("id")
    reason: str = mirror("reason")
    refunded_at: datetime = mirror("refunded_at")

    @strawberry.field
    def payment_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.payment_id))

    @strawberry.field
    async def amount(self, info: Info) -> Money:
        clinic = await info.context.loaders.clinic.load(self.model.clinic_id)
        return Money.of(self.model.amount, clinic.currency)


@strawberry.type
class Payment:
    model: strawberry.Private[PaymentModel]

    id: strawberry.ID = mirror("id")
    method: PaymentMethod = mirror("method")
    taken_at: datetime = mirror("taken_at")

    @strawberry.field
    def appointment_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.appointment_id))

    @strawberry.field
    def amount(self) -> Money:
        return Money.of(self.model.amount, self.model.currency)

    @strawberry.field(description="Staff and partners only; null for clients.")
    def note(self, info: Info) -> str | None:
        return self.model.note if access.is_insider(info.context.principal, self.model.clinic_id) else None

    async def _refunds(self, info: Info) -> list[RefundModel]:
        return await info.context.loaders.refunds_by_payment.load((self.model.clinic_id, self.model.id))

    @strawberry.field
    async def refunds(self, info: Info) -> list[Refund]:
        return [Refund(model=r) for r in await self._refunds(info)]

    @strawberry.field(description="What has been refunded of it so far.")
    async def refunded(self, info: Info) -> Money:
        total = sum((r.amount for r in await self._refunds(info)), Decimal("0"))
        return Money.of(total, self.model.currency)

    @strawberry.field(description="What is kept: the amount less its refunds.")
    async def net(self, info: Info) -> Money:
        total = sum((r.amount for r in await self._refunds(info)), Decimal("0"))
        return Money.of(self.model.amount - total, self.model.currency)
