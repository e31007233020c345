"""Recording payments and refunds (staff)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.billing import payments
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.types.payments import Payment, PaymentMethod, Refund


@strawberry.input
class RecordPaymentInput:
    appointment_id: strawberry.ID
    amount: str = strawberry.field(description='In the clinic\'s currency, e.g. "45.00"; more than zero.')
    method: PaymentMethod
    taken_at: datetime | None = strawberry.field(default=None, description="When it was taken; now when left out.")
    currency: str | None = strawberry.field(default=None, description="Checked against the clinic's when given.")
    note: str | None = None
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Sent again with the same input, returns the payment already recorded instead of a second one.",
    )


@strawberry.input
class RefundPaymentInput:
    payment_id: strawberry.ID
    amount: str = strawberry.field(description="At most what is left of the payment.")
    reason: str
    refunded_at: datetime | None = strawberry.field(default=None, description="Now when left out.")


@strawberry.type
class RecordPaymentPayload(Payload):
    payment: Payment | None = None


@strawberry.type
class RefundPaymentPayload(Payload):
    refund: Refund | None = None
    payment: Payment | None = None


async def _recorded(work) -> dict:
    return {"payment": Payment(model=await work)}


async def _refunded(work) -> dict:
    refund, payment = await work
    return {"refund": Refund(model=refund), "payment": Payment(model=payment)}


@strawberry.type
class PaymentMutations:
    @strawberry.mutation(description="Staff: record money taken for an appointment.")
    async def record_payment(self, info: Info, input: RecordPaymentInput) -> RecordPaymentPayload:
        request = payments.PaymentRequest(
            appointment_id=input.appointment_id,
            amount=input.amount,
            method=input.method,
            taken_at=input.taken_at,
            currency=input.currency,
            note=input.note,
            idempotency_key=input.idempotency_key,
        )
        return await payload(RecordPaymentPayload, _recorded(payments.record_payment(info.context.principal, request)))

    @strawberry.mutation(description="Admin staff: give back part or all of what is left of a payment.")
    async def refund_payment(self, info: Info, input: RefundPaymentInput) -> RefundPaymentPayload:
        work = payments.refund_payment(
            info.context.principal, input.payment_id, input.amount, input.reason, input.refunded_at
        )
        return await payload(RefundPaymentPayload, _refunded(work))
