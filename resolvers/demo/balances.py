"""What the demo client holds: a membership of facials (one session held by
their upcoming facial), a gift card, a loyalty card that earned points on
their completed visit, and an account credit.
Every figure is a ledger row, as in real use."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from models import (
    Actor,
    Appointment,
    AppointmentStatus,
    Client,
    Clinic,
    GiftCard,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    LoyaltyCard,
    LoyaltyKind,
    LoyaltyProgramme,
    Membership,
    MembershipTreatment,
    Treatment,
    utcnow,
)
from resolvers.billing import loyalty_earning
from resolvers.billing.balance_admin import new_gift_card_code

POINTS_PER_VISIT = 10
GLOW_TERMS = (
    "Collect 10 points for every completed visit. 100 points take 10.00 off a treatment of your choice. "
    "Points are personal, have no cash value and lapse after 12 months without a visit."
)


async def seed_balances(clinic: Clinic, client: Client, facial: Treatment) -> None:
    year = utcnow() + timedelta(days=365)

    def row(account: LedgerAccount, kind: LedgerKind, reason: str, **fields) -> LedgerEntry:
        return LedgerEntry(clinic=clinic, client=client, account=account, kind=kind, reason=reason, actor=Actor.SYSTEM, **fields)

    course = await Membership.create(clinic=clinic, client=client, name="Course of six facials", expires_at=year)
    await MembershipTreatment.create(clinic=clinic, membership=course, treatment=facial)
    await row(LedgerAccount.MEMBERSHIP, LedgerKind.ISSUED, "Course bought", membership=course, units=6).save()
    upcoming = await Appointment.filter(
        clinic_id=clinic.id, client_id=client.id, treatment_id=facial.id, status=AppointmentStatus.BOOKED
    ).first()
    if upcoming is not None:
        await row(
            LedgerAccount.MEMBERSHIP, LedgerKind.USED, "Used by a booking", membership=course, units=-1, appointment=upcoming
        ).save()

    card = await GiftCard.create(clinic=clinic, client=client, code=new_gift_card_code(), currency=clinic.currency, expires_at=year)
    await row(LedgerAccount.GIFT_CARD, LedgerKind.ISSUED, "Birthday present", gift_card=card, amount=Decimal("50.00")).save()

    programme = await LoyaltyProgramme.create(
        clinic=clinic, name="Glow Rewards", kind=LoyaltyKind.POINTS, points_per_visit=POINTS_PER_VISIT, terms=GLOW_TERMS
    )
    loyalty = await LoyaltyCard.create(clinic=clinic, programme=programme, client=client)
    await row(LedgerAccount.LOYALTY, LedgerKind.ADJUSTED, "Points for past visits", loyalty_card=loyalty, units=120).save()
    # The completed visit earned its points as any completed visit does.
    for visit in await Appointment.filter(clinic_id=clinic.id, client_id=client.id, status=AppointmentStatus.COMPLETED):
        await loyalty_earning.settle(visit)

    await row(LedgerAccount.ACCOUNT, LedgerKind.ADJUSTED, "Welcome credit", amount=Decimal("10.00")).save()
