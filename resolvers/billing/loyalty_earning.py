"""Loyalty cards at work: a completed visit credits points or cashback to
the client's cards, and a discount card lowers the price at booking.

What an appointment has earned on a card is the sum of that card's ledger
rows for the appointment. `settle` computes what it should have earned now
(nothing unless COMPLETED; by the programme's rule, from what was paid net
of refunds) and writes only the difference: run twice it writes nothing,
after an undone completion or a refund it takes back what is no longer
due. It runs inside the write transaction of the change that calls for it,
with the client's cards locked, so two changes cannot both credit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tortoise.functions import Sum

from models import (
    Actor,
    Appointment,
    AppointmentStatus,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    LoyaltyCard,
    LoyaltyKind,
    LoyaltyProgramme,
    Payment,
    Refund,
)
from resolvers.billing.loyalty_rules import earns
from resolvers.core import tenant

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Paid:
    any_payment: bool  # a payment was recorded at all
    net: Decimal  # payments less refunds


async def paid_for(appointment: Appointment) -> Paid:
    payments = await Payment.filter(clinic_id=appointment.clinic_id, appointment_id=appointment.id).values("id", "amount")
    if not payments:
        return Paid(False, Decimal("0.00"))
    refunds = await Refund.filter(
        clinic_id=appointment.clinic_id, payment_id__in=[p["id"] for p in payments]
    ).values_list("amount", flat=True)
    net = sum((Decimal(p["amount"]) for p in payments), Decimal("0.00")) - sum((Decimal(r) for r in refunds), Decimal("0.00"))
    return Paid(True, net)


def due(programme: LoyaltyProgramme, appointment: Appointment, paid: Paid) -> tuple[int, Decimal]:
    """(points, cashback) the appointment earns on a card of the programme."""
    if appointment.status is not AppointmentStatus.COMPLETED or not earns(programme):
        return 0, Decimal("0.00")
    if programme.points_per_visit:
        refunded_in_full = paid.any_payment and paid.net <= 0
        return (0 if refunded_in_full else programme.points_per_visit), Decimal("0.00")
    spent = max(paid.net, Decimal("0.00"))
    if programme.kind is LoyaltyKind.POINTS:
        return int(spent // programme.amount_step) * programme.points_per_amount, Decimal("0.00")
    share = (spent * programme.cashback_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return 0, share


async def _earned_so_far(card_ids: list[uuid.UUID], appointment: Appointment) -> dict[uuid.UUID, tuple[int, Decimal]]:
    rows = await (
        LedgerEntry.filter(account=LedgerAccount.LOYALTY, appointment_id=appointment.id, loyalty_card_id__in=card_ids)
        .annotate(points=Sum("units"), cash=Sum("amount"))
        .group_by("loyalty_card_id")
        .values("loyalty_card_id", "points", "cash")
    )
    return {r["loyalty_card_id"]: (int(r["points"] or 0), Decimal(r["cash"] or 0).quantize(CENT)) for r in rows}


async def settle(appointment: Appointment) -> None:
    """Brings what the appointment earned on each of the client's earning
    cards to what is due now. Must run inside a write transaction."""
    cards = await LoyaltyCard.filter(clinic_id=appointment.clinic_id, client_id=appointment.client_id).select_for_update()
    if not cards:
        return
    programmes = {p.id: p for p in await LoyaltyProgramme.filter(id__in=[c.programme_id for c in cards])}
    so_far = await _earned_so_far([c.id for c in cards], appointment)
    if not so_far and appointment.status is not AppointmentStatus.COMPLETED:
        return  # nothing earned, nothing due: most status changes stop here
    paid = await paid_for(appointment)
    for card in cards:
        points, cash = due(programmes[card.programme_id], appointment, paid)
        had_points, had_cash = so_far.get(card.id, (0, Decimal("0.00")))
        more_points, more_cash = points - had_points, cash - had_cash
        if more_points == 0 and more_cash == 0:
            continue
        gaining = more_points > 0 or more_cash > 0
        await LedgerEntry.create(
            clinic_id=appointment.clinic_id,
            account=LedgerAccount.LOYALTY,
            kind=LedgerKind.EARNED if gaining else LedgerKind.REVERSED,
            client_id=appointment.client_id,
            loyalty_card_id=card.id,
            appointment_id=appointment.id,
            units=more_points or None,
            amount=more_cash or None,
            reason="Earned by a completed visit" if gaining else _why_reversed(appointment),
            actor=Actor.SYSTEM,
        )


def _why_reversed(appointment: Appointment) -> str:
    if appointment.status is AppointmentStatus.COMPLETED:
        return "Payment for the visit refunded"
    return "Visit no longer completed"


async def discount_percents(keys: list[tenant.Key]) -> list[int | None]:
    """The best standing discount of each client's cards, for the request's
    loader (keys are (clinic, client)); None without a discount card."""
    best: dict[tenant.Key, int] = {}
    for clinic_id, client_ids in tenant.by_clinic(keys).items():
        rows = await LoyaltyCard.filter(
            clinic_id=clinic_id, client_id__in=client_ids, programme__kind=LoyaltyKind.DISCOUNT
        ).values("client_id", "programme__discount_percent")
        for row in rows:
            key, percent = (clinic_id, row["client_id"]), row["programme__discount_percent"] or 0
            best[key] = max(best.get(key, 0), percent)
    return [best.get(k) or None for k in keys]


def discounted(price: Decimal | None, percent: int | None) -> Decimal | None:
    if price is None or not percent:
        return price
    return (price * (100 - percent) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


async def price_for(clinic_id: uuid.UUID, client_id: uuid.UUID, price: Decimal | None) -> Decimal | None:
    """The treatment's price less the client's standing discount."""
    [percent] = await discount_percents([(clinic_id, client_id)])
    return discounted(price, percent)
