"""Recording payments against appointments, and refunds against payments.

Amounts arrive as decimal strings ("45.00") in the clinic's currency. A
refund never takes back more than is left of its payment: the payment's row
is locked while the refunds so far are added up (on SQLite the write
transaction holds the database's write lock), so two refunds racing for the
last of a payment cannot both pass. Each payment and refund settles what
the visit earned on the client's loyalty cards, in the same transaction."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from tortoise.exceptions import IntegrityError

from models import Appointment, Clinic, Payment, PaymentMethod, Refund, utcnow
from models.db import write_transaction
from resolvers.billing import loyalty_earning
from resolvers.core import idempotency
from resolvers.core import access
from resolvers.core import tenant
from resolvers.core.errors import invalid, not_found
from resolvers.core.principal import Principal, PrincipalKind
from resolvers.core.times import as_utc
from resolvers.core.money import two_places

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999.99")  # what the amount columns hold
MAX_TEXT = 500
# Clocks of tills and phones drift: a time a few minutes ahead is accepted.
CLOCK_SKEW = timedelta(minutes=5)
KEY_FIELD = ["idempotencyKey"]


def parse_amount(raw: str, field: list[str]) -> Decimal:
    amount = two_places(raw, field, 'Give the amount as a decimal number with at most two places, e.g. "45.00".')
    if amount <= 0:
        raise invalid("The amount must be more than zero.", field)
    if amount > MAX_AMOUNT:
        raise invalid(f"The amount is at most {MAX_AMOUNT}.", field)
    return amount


def _moment(value: datetime | None, now: datetime, field: list[str]) -> datetime:
    if value is None:
        return now
    moment = as_utc(value, field, whole_minutes=False)
    if moment > now + CLOCK_SKEW:
        raise invalid("This time is in the future.", field)
    return moment


def _text(value: str | None, field: list[str], *, required: bool = False) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise invalid("Say why.", field)
    if len(text) > MAX_TEXT:
        raise invalid(f"At most {MAX_TEXT} characters.", field)
    return text or None


def _recorder(principal: Principal) -> tuple[str, uuid.UUID | None]:
    if principal.kind is PrincipalKind.PARTNER:
        return "PARTNER", principal.credential_id
    return "STAFF", principal.staff_id


@dataclass(frozen=True)
class PaymentRequest:
    appointment_id: str
    amount: str
    method: PaymentMethod
    taken_at: datetime | None = None
    currency: str | None = None
    note: str | None = None
    idempotency_key: str | None = None


async def record_payment(principal: Principal, request: PaymentRequest, *, now: datetime | None = None) -> Payment:
    """A payment taken for an appointment the caller may see. Any status is
    accepted: a deposit before the visit, the bill after it, a no-show or
    late-cancellation fee. With an idempotency key, the same request sent
    again by the same recorder returns the payment it recorded (at any
    later time); the key with other input is refused."""
    access.require_payment_desk(principal)
    now = now or utcnow()
    amount = parse_amount(request.amount, ["amount"])
    taken_at = _moment(request.taken_at, now, ["takenAt"])
    note = _text(request.note, ["note"])
    by, by_id = _recorder(principal)
    key = idempotency.check_key(request.idempotency_key, KEY_FIELD) if request.idempotency_key is not None else None
    asked = idempotency.fingerprint({**request.__dict__, "amount": amount, "idempotency_key": None})
    if key is not None and (earlier := await _recorded_with(principal, by_id, key, asked)) is not None:
        return earlier
    try:
        async with write_transaction():
            appointment = await tenant.find_appointment(principal, request.appointment_id)
            if appointment is None:
                raise not_found("Appointment", ["appointmentId"])
            clinic = await Clinic.get(id=appointment.clinic_id)
            if request.currency is not None and request.currency.strip().upper() != clinic.currency:
                raise invalid(f"This clinic takes payments in {clinic.currency}.", ["currency"])
            payment = await Payment.create(
                clinic_id=clinic.id,
                appointment_id=appointment.id,
                amount=amount,
                currency=clinic.currency,
                method=request.method,
                taken_at=taken_at,
                note=note,
                recorded_by=by,
                recorded_by_id=by_id,
                idempotency_key=key,
                request_hash=asked if key is not None else None,
            )
            await loyalty_earning.settle(appointment)  # a bill paid after the visit earns too
            return payment
    except IntegrityError:  # the same key, sent twice at once: the other one recorded it
        earlier = await _recorded_with(principal, by_id, key, asked) if key is not None else None
        if earlier is None:
            raise
        return earlier


async def _recorded_with(principal: Principal, by_id: uuid.UUID | None, key: str, asked: str) -> Payment | None:
    earlier = await Payment.get_or_none(clinic_id=principal.clinic_id, recorded_by_id=by_id, idempotency_key=key)
    if earlier is not None and earlier.request_hash != asked:
        raise idempotency.conflict(KEY_FIELD)
    return earlier


async def refunded_so_far(payment: Payment) -> Decimal:
    amounts = await Refund.filter(clinic_id=payment.clinic_id, payment_id=payment.id).values_list("amount", flat=True)
    return sum((Decimal(a) for a in amounts), Decimal("0.00"))


async def refund_payment(
    principal: Principal,
    payment_id: str,
    amount: str,
    reason: str,
    refunded_at: datetime | None = None,
    *,
    now: datetime | None = None,
) -> tuple[Refund, Payment]:
    """Give back part or all of what is left of a payment."""
    access.require_refunds(principal)
    now = now or utcnow()
    value = parse_amount(amount, ["amount"])
    why = _text(reason, ["reason"], required=True)
    when = _moment(refunded_at, now, ["refundedAt"])
    async with write_transaction():
        payment = await tenant.find_payment(principal, payment_id, for_update=True)
        if payment is None:
            raise not_found("Payment", ["paymentId"])
        if when < payment.taken_at:
            raise invalid("A refund cannot come before its payment.", ["refundedAt"])
        left = payment.amount - await refunded_so_far(payment)
        if value > left:
            raise invalid(f"At most {left:.2f} {payment.currency} of this payment is left to refund.", ["amount"])
        by, by_id = _recorder(principal)
        refund = await Refund.create(
            clinic_id=payment.clinic_id,
            payment_id=payment.id,
            amount=value,
            reason=why,
            refunded_at=when,
            recorded_by=by,
            recorded_by_id=by_id,
        )
        # What the visit earned on loyalty cards follows what is left paid.
        await loyalty_earning.settle(await Appointment.get(id=payment.appointment_id, clinic_id=payment.clinic_id))
    return refund, payment


# Batch loads for the request's DataLoaders; keys are (clinic id, parent id).
Key = tenant.Key


async def payments_by_appointment(keys: list[Key]) -> list[list[Payment]]:
    found: dict[Key, list[Payment]] = defaultdict(list)
    for clinic_id, ids in tenant.by_clinic(keys).items():
        for payment in await Payment.filter(clinic_id=clinic_id, appointment_id__in=ids).order_by("taken_at", "id"):
            found[(clinic_id, payment.appointment_id)].append(payment)
    return [found.get(k, []) for k in keys]


async def refunds_by_payment(keys: list[Key]) -> list[list[Refund]]:
    found: dict[Key, list[Refund]] = defaultdict(list)
    for clinic_id, ids in tenant.by_clinic(keys).items():
        for refund in await Refund.filter(clinic_id=clinic_id, payment_id__in=ids).order_by("refunded_at", "id"):
            found[(clinic_id, refund.payment_id)].append(refund)
    return [found.get(k, []) for k in keys]
