"""A small clinic whose report figures are worked out by hand.

Clinic `reportville` (Europe/London, GBP, 24 hours' notice), reports over
Friday 27 March to Tuesday 31 March 2026. The clocks go forward on Sunday
29 March at 01:00 UTC, so before it local time is UTC and after it UTC+1.
Times below are UTC unless they say local. The expected figures, with the
rows that make them, are in tests/reports/test_reports.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from models import (
    Appointment,
    Client,
    Clinic,
    CredentialKind,
    Payment,
    Practitioner,
    Refund,
    RosterEntry,
    RosterException,
    StaffRole,
    StaffUser,
    Treatment,
)
from resolvers.account import credentials

FIRST, LAST = date(2026, 3, 27), date(2026, 3, 31)
LONDON = ZoneInfo("Europe/London")


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


@dataclass
class ReportClinic:
    clinic: Clinic
    admin_token: str
    ana: Practitioner
    ben: Practitioner
    facial: Treatment
    massage: Treatment


async def _appointment(clinic, practitioner, treatment, client, start, status, source, created, **extra) -> Appointment:
    end = start + timedelta(minutes=treatment.duration_minutes)
    return await Appointment.create(
        clinic_id=clinic.id, practitioner_id=practitioner.id, treatment_id=treatment.id, client_id=client.id,
        start_at=start, end_at=end, occupied_start=start, occupied_end=end, status=status, source=source,
        price=treatment.price, currency=clinic.currency, created_at=created, **extra,
    )  # fmt: skip


def _cancelled(at: datetime, by: str, reason: str | None = None) -> dict:
    return {"cancelled_at": at, "cancelled_by": by, "cancellation_reason": reason}


async def _pay(appointment, amount: str, method: str, taken_at: datetime) -> Payment:
    return await Payment.create(
        clinic_id=appointment.clinic_id, appointment_id=appointment.id, amount=Decimal(amount), currency="GBP",
        method=method, taken_at=taken_at, recorded_by="STAFF",
    )  # fmt: skip


async def _refund(payment, amount: str, at: datetime) -> Refund:
    return await Refund.create(
        clinic_id=payment.clinic_id, payment_id=payment.id, amount=Decimal(amount), reason="Goodwill",
        refunded_at=at, recorded_by="STAFF",
    )  # fmt: skip


async def build(slug: str = "reportville") -> ReportClinic:
    clinic = await Clinic.create(slug=slug, name=slug.title(), timezone="Europe/London", currency="GBP")
    ana = await Practitioner.create(clinic=clinic, name="Ana")
    ben = await Practitioner.create(clinic=clinic, name="Ben")
    facial = await Treatment.create(clinic=clinic, name="Facial", duration_minutes=60, price=Decimal("50.00"))
    massage = await Treatment.create(clinic=clinic, name="Massage", duration_minutes=30, price=Decimal("30.50"))
    # Ana: Monday to Friday 09:00-17:00, and Sunday 00:00-03:00 local, which
    # on 29 March loses the hour the clocks skip.
    for weekday in range(5):
        await RosterEntry.create(clinic=clinic, practitioner=ana, weekday=weekday, start_minute=540, end_minute=1020)
    await RosterEntry.create(clinic=clinic, practitioner=ana, weekday=6, start_minute=0, end_minute=180)
    # Ben: Saturday 10:00-14:00 and Tuesday 09:00-12:00; off on Saturday 28th,
    # extra 18:00-20:00 on Monday 30th, off 10:00-11:00 on Tuesday 31st.
    await RosterEntry.create(clinic=clinic, practitioner=ben, weekday=5, start_minute=600, end_minute=840)
    await RosterEntry.create(clinic=clinic, practitioner=ben, weekday=1, start_minute=540, end_minute=720)
    await RosterException.create(clinic=clinic, practitioner=ben, date=date(2026, 3, 28), kind="OFF")
    await RosterException.create(clinic=clinic, practitioner=ben, date=date(2026, 3, 30), kind="EXTRA", start_minute=1080, end_minute=1200)
    await RosterException.create(clinic=clinic, practitioner=ben, date=date(2026, 3, 31), kind="OFF", start_minute=600, end_minute=660)
    # An OFF day outside the range changes nothing.
    await RosterException.create(clinic=clinic, practitioner=ana, date=date(2026, 4, 1), kind="OFF")

    carol, dan, eve, finn, gus = [
        await Client.create(clinic=clinic, full_name=name, email=f"{name.lower()}@{slug}.example")
        for name in ("Carol", "Dan", "Eve", "Finn", "Gus")
    ]
    A = _appointment
    # Before the range: Carol's first visit, and one that ends the day before.
    a0 = await A(clinic, ana, facial, carol, utc(2, 10, 10), "COMPLETED", "STAFF", utc(2, 1, 9))
    await A(clinic, ben, massage, carol, local(3, 26, 23, 30), "COMPLETED", "STAFF", utc(3, 1, 9))
    # In the range.
    a1 = await A(clinic, ana, facial, carol, local(3, 27, 0, 30), "COMPLETED", "PORTAL", utc(3, 20, 9))
    a2 = await A(clinic, ana, massage, dan, local(3, 27, 10), "COMPLETED", "ONLINE", utc(3, 27, 8))
    # 00:30 local on Monday 30th is 23:30 UTC on Sunday 29th: a Monday sale.
    a3 = await A(clinic, ben, facial, dan, local(3, 30, 0, 30), "COMPLETED", "STAFF", utc(3, 28, 12))
    a4 = await A(clinic, ana, massage, eve, local(3, 31, 23, 30), "COMPLETED", "PARTNER", utc(3, 29, 12))
    a5 = await A(clinic, ana, facial, eve, local(3, 30, 10), "NO_SHOW", "PORTAL", utc(3, 25, 9))
    # Gus comes once in the range and is booked to come back after it.
    await A(clinic, ana, massage, gus, local(3, 28, 11), "COMPLETED", "STAFF", utc(3, 1, 9))
    await A(clinic, ana, massage, gus, local(4, 15, 11), "BOOKED", "STAFF", utc(3, 1, 9))
    r1 = await A(clinic, ana, facial, carol, local(3, 29, 11), "CANCELLED", "PORTAL", utc(3, 1, 9), **_cancelled(utc(3, 27, 10), "CLIENT", "Rescheduled"))
    await A(clinic, ben, facial, carol, local(3, 31, 10, 30), "BOOKED", "PORTAL", utc(3, 27, 10), rescheduled_from_id=r1.id)
    await A(clinic, ana, facial, finn, local(3, 30, 14), "CANCELLED", "PORTAL", utc(3, 20, 9), **_cancelled(utc(3, 28, 13), "CLIENT"))
    await A(clinic, ben, massage, finn, local(3, 28, 12), "CANCELLED", "ONLINE", utc(3, 27, 9), **_cancelled(utc(3, 28, 2), "STAFF"))
    await A(clinic, ana, massage, dan, local(3, 31, 9), "CANCELLED", "STAFF", utc(3, 10, 9), **_cancelled(utc(3, 31, 8, 30), "PARTNER"))
    # After the range (local 1 April, still 31 March in UTC), and later.
    a7 = await A(clinic, ben, facial, dan, local(4, 1, 0, 30), "COMPLETED", "STAFF", utc(3, 20, 9))
    await A(clinic, ana, facial, finn, local(4, 1, 0, 30), "CANCELLED", "PORTAL", local(4, 1, 0, 10), **_cancelled(utc(3, 31, 23, 40), "CLIENT"))
    await A(clinic, ben, facial, finn, local(4, 20, 10), "BOOKED", "PORTAL", local(3, 31, 23, 30))
    # Eve's next visit was cancelled: she has not booked again.
    await A(clinic, ana, facial, eve, local(4, 5, 10), "CANCELLED", "PORTAL", utc(3, 1, 9), **_cancelled(utc(4, 1, 9), "CLIENT"))

    p1 = await _pay(a1, "50.00", "CARD", utc(3, 27, 9))
    await _pay(a2, "30.50", "CASH", utc(3, 27, 10, 30))
    await _pay(a3, "50.00", "CARD", local(3, 30, 0, 45))
    await _pay(a4, "30.50", "GIFT_CARD", local(3, 31, 23, 45))
    await _pay(a5, "20.00", "CARD", utc(3, 30, 12))
    await _refund(p1, "15.00", utc(3, 28, 10))
    p6 = await _pay(a0, "50.00", "CASH", utc(2, 10, 11))  # before the range...
    await _refund(p6, "10.00", utc(3, 28, 11))  # ...its refund inside it
    await _pay(a7, "50.00", "CARD", local(4, 1, 0, 45))

    owner = await StaffUser.create(
        clinic=clinic, email=f"owner@{slug}.example", full_name="Owner", password_hash="-", role=StaffRole.ADMIN
    )
    token, _ = await credentials.issue(CredentialKind.STAFF_SESSION, clinic.id, lifetime=timedelta(hours=1), staff_id=owner.id)
    return ReportClinic(clinic, token, ana, ben, facial, massage)
