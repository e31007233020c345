"""Five weeks of a demo clinic's past, so that the reports page has
something to draw: visits of a few regular clients, most completed and paid
for (by card, cash, gift card or bank transfer), a few left unpaid, some
missed, some cancelled, and a few payments partly refunded. Every row lies
before today, in the clinic's time zone, so the diary ahead and the demo
client's own bookings are as the README lists them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from models import (
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    Client,
    Clinic,
    Payment,
    PaymentMethod,
    Practitioner,
    Refund,
    Treatment,
    utcnow,
)

DAYS = 35
CLIENTS = ("Morgan Ellis", "Taylor Reed", "Avery Quinn", "Robin Shaw", "Charlie Dunn")
# Start times that keep clear of the demo client's 10:00 visit.
STARTS = (time(11, 30), time(13, 30), time(15, 30))
METHODS = (PaymentMethod.CARD, PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.GIFT_CARD, PaymentMethod.BANK_TRANSFER)
SOURCES = (AppointmentSource.PORTAL, AppointmentSource.ONLINE, AppointmentSource.STAFF)


def _status(n: int) -> AppointmentStatus:
    """The n-th visit's outcome: one in seven missed, one in nine cancelled."""
    if n % 9 == 4:
        return AppointmentStatus.CANCELLED
    if n % 7 == 5:
        return AppointmentStatus.NO_SHOW
    return AppointmentStatus.COMPLETED


async def _visit(
    clinic: Clinic, n: int, day: date, at: time, who: Practitioner, what: Treatment, client: Client
) -> Appointment:
    tz = ZoneInfo(clinic.timezone)
    start = datetime.combine(day, at, tzinfo=tz).astimezone(ZoneInfo("UTC"))
    end = start + timedelta(minutes=what.duration_minutes)
    status = _status(n)
    cancelled = (
        {"cancelled_at": start - timedelta(hours=6 + 20 * (n % 3)), "cancelled_by": "CLIENT"}
        if status is AppointmentStatus.CANCELLED
        else {}
    )
    return await Appointment.create(
        clinic=clinic, practitioner=who, treatment=what, client=client, start_at=start, end_at=end,
        occupied_start=start, occupied_end=end + timedelta(minutes=what.buffer_after_minutes), status=status,
        source=SOURCES[n % len(SOURCES)], price=what.price, currency=clinic.currency,
        created_at=start - timedelta(days=3 + n % 10), **cancelled,
    )  # fmt: skip


async def _pay(visit: Appointment, n: int, now: datetime) -> None:
    """Completed visits are paid at the end, but one in six is left unpaid;
    one payment in eight is partly refunded the next day (if that has come)."""
    if visit.status is not AppointmentStatus.COMPLETED or n % 6 == 1:
        return
    payment = await Payment.create(
        clinic_id=visit.clinic_id, appointment=visit, amount=visit.price, currency=visit.currency,
        method=METHODS[n % len(METHODS)], taken_at=visit.end_at, recorded_by="STAFF",
    )  # fmt: skip
    refunded_at = visit.end_at + timedelta(days=1)
    if n % 8 == 3 and refunded_at < now:
        await Refund.create(
            clinic_id=visit.clinic_id, payment=payment, amount=Decimal("10.00"), reason="Goodwill: started late",
            refunded_at=refunded_at, recorded_by="STAFF",
        )  # fmt: skip


async def seed_history(clinic: Clinic) -> None:
    now = utcnow()
    today = now.astimezone(ZoneInfo(clinic.timezone)).date()
    practitioners = await Practitioner.filter(clinic_id=clinic.id).order_by("name")
    treatments = await Treatment.filter(clinic_id=clinic.id).order_by("name")
    clients = [
        await Client.create(clinic=clinic, full_name=name, email=f"{name.lower().replace(' ', '.')}@{clinic.slug}.example")
        for name in CLIENTS
    ]
    n = 0
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        if day.weekday() == 6:  # closed on Sundays
            continue
        for slot, at in enumerate(STARTS[: 1 + back % len(STARTS)]):
            who = practitioners[(back + slot) % len(practitioners)]
            what = treatments[(back * 2 + slot) % len(treatments)]
            visit = await _visit(clinic, n, day, at, who, what, clients[(back + slot) % len(clients)])
            await _pay(visit, n, now)
            n += 1
