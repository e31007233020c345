"""A year of one busy clinic for bench/reports.py, written with COPY.

20 practitioners rostered Monday to Saturday 09:00-18:00 (Europe/London),
with bank holidays off and a few Sunday extra hours; 8 treatments of 30-60
minutes; 8,000 clients. Every working day each practitioner's diary is
filled from 08:00 to 21:00 local with appointments one after another
(staff may book outside rostered hours): about 15 a day. One in ten places
also holds an earlier booking that was cancelled (a fifth of those were
moved, and the booking in the place is the move), so about 100,000 rows.
Completed appointments are mostly paid (card, cash, ...), a few refunded."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg

from models import Clinic as ClinicRow

YEAR = 2025
TIMEZONE = "Europe/London"
PRACTITIONERS = 20
CLIENTS = 8000
TREATMENTS = (("Facial", 60, "65.00"), ("Massage", 45, "55.00"), ("Manicure", 30, "25.00"), ("Pedicure", 45, "35.00"),
              ("Peel", 60, "90.00"), ("Brows", 30, "20.00"), ("Lashes", 45, "45.00"), ("Consultation", 30, "0.00"))  # fmt: skip
DAY = (8 * 60, 21 * 60)
HOLIDAYS = (date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26),
            date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26))  # fmt: skip
SOURCES = ("PORTAL", "ONLINE", "STAFF", "PARTNER")
METHODS = ("CARD", "CASH", "BANK_TRANSFER", "GIFT_CARD", "OTHER")


@dataclass
class Clinic:
    id: uuid.UUID
    practitioners: list[uuid.UUID]
    treatments: list[uuid.UUID]
    appointments: int
    payments: int
    refunds: int


APPOINTMENT_COLUMNS = (
    "id", "clinic_id", "practitioner_id", "treatment_id", "client_id", "start_at", "end_at", "occupied_start",
    "occupied_end", "status", "source", "price", "currency", "created_at", "cancelled_at", "cancelled_by",
    "cancelled_by_id", "cancellation_reason", "rescheduled_from_id",
)  # fmt: skip


async def fill(
    conn: asyncpg.Connection,
    slug: str = "bench-reports",
    seed: int = 20250101,
    *,
    practitioners: int = PRACTITIONERS,
    clients: int = CLIENTS,
) -> Clinic:
    """The clinic's year; fewer `practitioners` and `clients` make it smaller
    (every other figure scales with the practitioners)."""
    rng = random.Random(seed)
    tz = ZoneInfo(TIMEZONE)
    now = datetime(YEAR + 1, 1, 15, tzinfo=UTC)
    # Through the model, so columns added later get their defaults.
    clinic = await ClinicRow.create(
        slug=slug, name="Bench reports", timezone=TIMEZONE, currency="GBP", country="GB", portal_enabled=True,
        accepts_new_clients=True, show_prices=True, cancellation_notice_hours=24, booking_min_notice_minutes=60,
        booking_horizon_days=180, slot_step_minutes=15, practitioners_see_all_diaries=False,
    )  # fmt: skip
    clinic_id = clinic.id
    practitioners = [uuid.uuid4() for _ in range(practitioners)]
    await conn.copy_records_to_table(
        "practitioner", columns=("id", "clinic_id", "name", "active", "created_at"),
        records=[(p, clinic_id, f"Practitioner {i:02d}", True, now) for i, p in enumerate(practitioners)],
    )  # fmt: skip
    treatments = [(uuid.uuid4(), name, minutes, Decimal(price)) for name, minutes, price in TREATMENTS]
    await conn.copy_records_to_table(
        "treatment",
        columns=("id", "clinic_id", "name", "duration_minutes", "buffer_before_minutes", "buffer_after_minutes",
                 "price", "online_bookable", "archived", "created_at"),
        records=[(t, clinic_id, name, minutes, 0, 0, price, True, False, now) for t, name, minutes, price in treatments],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "roster_entry", columns=("id", "clinic_id", "practitioner_id", "weekday", "start_minute", "end_minute"),
        records=[(uuid.uuid4(), clinic_id, p, d, 540, 1080) for p in practitioners for d in range(6)],
    )  # fmt: skip
    exceptions = [(uuid.uuid4(), clinic_id, p, day, "OFF", None, None) for p in practitioners for day in HOLIDAYS]
    exceptions += [
        (uuid.uuid4(), clinic_id, p, date(YEAR, month, 7) + timedelta(days=6 - date(YEAR, month, 7).weekday()), "EXTRA", 600, 840)
        for month in range(1, 13) for p in rng.sample(practitioners, min(3, len(practitioners)))
    ]  # fmt: skip  (three practitioners work a Sunday 10:00-14:00 each month)
    await conn.copy_records_to_table(
        "roster_exception", columns=("id", "clinic_id", "practitioner_id", "date", "kind", "start_minute", "end_minute"),
        records=exceptions,
    )  # fmt: skip
    clients = [uuid.uuid4() for _ in range(clients)]
    await conn.copy_records_to_table(
        "client", columns=("id", "clinic_id", "full_name", "email", "language", "created_at"),
        records=[(c, clinic_id, f"Client {i}", f"client{i}@bench.example", "en", now) for i, c in enumerate(clients)],
    )  # fmt: skip

    appointments, payments, refunds = [], [], []
    day = date(YEAR, 1, 1)
    while day.year == YEAR:
        if day.weekday() < 6 and day not in HOLIDAYS:
            midnight = datetime.combine(day, time(0), tzinfo=tz)
            for practitioner in practitioners:
                minute = DAY[0] + rng.choice((0, 15, 30))
                while True:
                    treatment_id, _, minutes, price = rng.choice(treatments)
                    if minute + minutes > DAY[1]:
                        break
                    start = (midnight + timedelta(minutes=minute)).astimezone(UTC)
                    end = start + timedelta(minutes=minutes)
                    client = clients[min(int(rng.expovariate(1 / 1500)), len(clients) - 1)]
                    created = start - timedelta(minutes=rng.randint(60, 60 * 24 * 60))
                    moved_from = None
                    if rng.random() < 0.10:  # an earlier booking of this place was cancelled
                        earlier = uuid.uuid4()
                        notice = timedelta(minutes=rng.randint(-60, 60 * 24 * 14))
                        moved = rng.random() < 0.2
                        appointments.append((
                            earlier, clinic_id, practitioner, treatment_id, client, start, end, start, end, "CANCELLED",
                            rng.choice(SOURCES), price, "GBP", created - timedelta(days=1), start - notice,
                            rng.choice(("CLIENT", "CLIENT", "STAFF", "PARTNER")), None,
                            "Rescheduled" if moved else None, None,
                        ))  # fmt: skip
                        if moved:
                            moved_from, created = earlier, start - notice
                    roll = rng.random()
                    status = "COMPLETED" if roll < 0.90 else "NO_SHOW" if roll < 0.95 else "BOOKED"
                    appointment_id = uuid.uuid4()
                    appointments.append((
                        appointment_id, clinic_id, practitioner, treatment_id, client, start, end, start, end, status,
                        rng.choice(SOURCES), price, "GBP", created, None, None, None, None, moved_from,
                    ))  # fmt: skip
                    if status == "COMPLETED" and rng.random() < 0.9:
                        payment_id, taken = uuid.uuid4(), end + timedelta(minutes=rng.randint(0, 20))
                        payments.append((payment_id, clinic_id, appointment_id, price, "GBP",
                                         rng.choice(METHODS[:2] * 4 + METHODS[2:]), taken, "STAFF", taken))  # fmt: skip
                        if rng.random() < 0.02 and price > 0:
                            back = (price * Decimal(rng.choice(("0.25", "0.5", "1")))).quantize(Decimal("0.01"))
                            at = taken + timedelta(days=rng.randint(0, 20))
                            refunds.append((uuid.uuid4(), clinic_id, payment_id, back, "Goodwill", at, "STAFF", at))
                    minute += minutes + rng.choice((0, 0, 0, 15))
        day += timedelta(days=1)
    await conn.copy_records_to_table("appointment", columns=APPOINTMENT_COLUMNS, records=appointments)
    await conn.copy_records_to_table(
        "payment", columns=("id", "clinic_id", "appointment_id", "amount", "currency", "method", "taken_at",
                            "recorded_by", "created_at"), records=payments,
    )  # fmt: skip
    await conn.copy_records_to_table(
        "refund", columns=("id", "clinic_id", "payment_id", "amount", "reason", "refunded_at", "recorded_by",
                           "created_at"), records=refunds,
    )  # fmt: skip
    await conn.execute("VACUUM ANALYZE")
    return Clinic(clinic_id, practitioners, [t[0] for t in treatments], len(appointments), len(payments), len(refunds))
