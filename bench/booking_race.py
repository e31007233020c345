"""Booking under contention, on PostgreSQL: `book_appointment` called by 64
(`Size.clients`) concurrent asyncio tasks, half with a staff principal and half anonymous
with typed-in client details.

Phase 1: all 64 on one hot slot, a few rounds: exactly one must win, every
other must get SLOT_UNAVAILABLE; the losers' latency is reported.
Phase 2: 64 workers booking distinct, non-overlapping slots: bookings per
second, against a baseline measured in the same run, a plain INSERT of the
same rows into a copy of the appointment table that has its columns and
ordinary indexes but no exclusion constraint and no foreign keys, driven by
64 tasks through the same Tortoise connection pool. Afterwards one SQL query
looks for overlapping active appointments of one practitioner: it must
find none.
Phase 3: the booking page's way, on other distinct slots: each slot is first
held (`hold_slot`, an anonymous visitor of its own address) and then booked
with its hold (`book_appointment(hold_id=...)`): holds per second and held
bookings per second beside phase 2's figures; every hold must be booked and
the overlap query must still find nothing."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from zoneinfo import ZoneInfo

from bench.common import (
    DEFAULT_POOL_MAXSIZE,
    World,
    create_clinic,
    median,
    percentile,
    scratch_database,
    table,
    verdict,
)
from models import Client, HoldStatus, SlotHold, StaffRole, StaffUser, utcnow
from models.db import connection
from resolvers.booking.book import BookingRequest, ClientDetails, book_appointment
from resolvers.booking.hold_slot import hold_slot
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.principal import ANONYMOUS, Principal, PrincipalKind
from resolvers.core.runtime import Runtime

SLUG = "bench-race"
TIMES_PER_DAY = 7  # 09:00, 10:15, ... 16:30: 75 minutes apart, buffer included


@dataclass(frozen=True)
class Size:
    practitioners: int = 8
    clients: int = 64  # concurrent callers
    hot_rounds: int = 5
    distinct_rounds: int = 3
    bookings_per_worker: int = 4  # per round: 64 x 4 = 256 bookings, 768 in all


# The smallest run that still races callers on one slot and checks for
# overlaps (tests/project/test_benchmarks.py, `python -m bench --tiny`).
TINY = {"practitioners": 2, "clients": 4, "hot_rounds": 2, "distinct_rounds": 1, "bookings_per_worker": 2}

OVERLAPS_SQL = """
SELECT count(*) AS overlaps FROM appointment a JOIN appointment b
  ON a.practitioner_id = b.practitioner_id AND a.id < b.id
 AND a.status <> 'CANCELLED' AND b.status <> 'CANCELLED'
 AND tstzrange(a.occupied_start, a.occupied_end, '[)') && tstzrange(b.occupied_start, b.occupied_end, '[)')
"""

PLAIN_COLUMNS = (
    "id", "clinic_id", "practitioner_id", "treatment_id", "client_id", "start_at", "end_at",
    "occupied_start", "occupied_end", "status", "source", "price", "currency", "created_at",
)  # fmt: skip
PLAIN_INSERT = (
    f"INSERT INTO appointment_plain ({', '.join(PLAIN_COLUMNS)}) "
    f"VALUES ({', '.join(f'${i + 1}' for i in range(len(PLAIN_COLUMNS)))})"
)


def working_days(start: date, count: int) -> list[date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 6:
            days.append(day)
        day += timedelta(days=1)
    return days


def local(day: date, minute: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, wall_time(minute // 60, minute % 60), tzinfo=tz).astimezone(UTC)


class Callers:
    """Who books: even-numbered callers are staff booking for an existing
    client, odd-numbered ones anonymous visitors typing in new details."""

    def __init__(self, world: World, staff: Principal, clients: list[Client]) -> None:
        self.world, self.staff, self.clients = world, staff, clients
        self.fresh = 0

    def request(self, caller: int, practitioner_id: uuid.UUID, start: datetime) -> tuple[Principal, BookingRequest]:
        common = dict(clinic_slug=SLUG, treatment_id=str(self.world.treatment.id), start=start,
                      practitioner_id=str(practitioner_id))  # fmt: skip
        if caller % 2 == 0:
            return self.staff, BookingRequest(**common, client_id=str(self.clients[caller].id))
        self.fresh += 1
        details = ClientDetails(f"Online Client {self.fresh}", f"online{self.fresh}@example.com", f"+4477008{self.fresh:05d}")
        return ANONYMOUS, BookingRequest(**common, client=details)


def slot_taken(exc: Exception | None) -> bool:
    return isinstance(exc, DomainError) and exc.code is ErrorCode.SLOT_UNAVAILABLE


async def hot_slot(runtime: Runtime, callers: Callers, practitioner_id: uuid.UUID, start: datetime) -> tuple[int, list[float], list[Exception]]:
    """Every caller on one slot at once: (winners, losers' seconds, unexpected errors)."""
    go = asyncio.Event()
    requests = [callers.request(i, practitioner_id, start) for i in range(len(callers.clients))]

    async def one(principal: Principal, request: BookingRequest) -> tuple[bool, float, Exception | None]:
        await go.wait()
        started = time.perf_counter()
        try:
            await book_appointment(runtime, principal, request)
            return True, time.perf_counter() - started, None
        except Exception as exc:  # noqa: BLE001 - sorted below
            return False, time.perf_counter() - started, exc

    tasks = [asyncio.create_task(one(p, r)) for p, r in requests]
    await asyncio.sleep(0)
    go.set()
    results = await asyncio.gather(*tasks)
    winners = sum(1 for won, _, _ in results if won)
    lost = [seconds for won, seconds, exc in results if not won and slot_taken(exc)]
    odd = [exc for won, _, exc in results if not won and not slot_taken(exc)]
    return winners, lost, odd


async def drive(jobs: list, worker, concurrency: int) -> tuple[float, float]:
    """Run `jobs` through `concurrency` workers: (wall seconds, seconds of
    this process's CPU), to show whether the client process is the limit."""
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def loop(index: int) -> None:
        while not queue.empty():
            await worker(index, queue.get_nowait())

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(loop(i) for i in range(concurrency)))
    return time.perf_counter() - started, time.process_time() - cpu


async def create_plain_table() -> None:
    """The appointment table's columns and ordinary indexes; no exclusion
    constraint, and (as LIKE never copies them) no foreign keys."""
    conn = connection()
    await conn.execute_script("CREATE TABLE appointment_plain (LIKE appointment INCLUDING DEFAULTS INCLUDING INDEXES)")
    _, rows = await conn.execute_query(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'appointment_plain'::regclass AND contype = 'x'"
    )
    for row in rows:
        await conn.execute_script(f'ALTER TABLE appointment_plain DROP CONSTRAINT "{row["conname"]}"')


async def held_bookings(
    runtime: Runtime, callers: Callers, slots: list[tuple[uuid.UUID, datetime]], size: Size
) -> tuple[float, float, list[Exception]]:
    """Phase 3: every slot held by a visitor of its own address, then booked
    with that hold, round by round: (holds/s, held bookings/s, failures)."""
    failures: list[Exception] = []
    per_round = size.clients * size.bookings_per_worker
    hold_seconds = held_seconds = 0.0
    print(f"\nphase 3, distinct slots held then booked: {size.distinct_rounds} rounds of {per_round}")
    for round_ in range(size.distinct_rounds):
        batch = list(enumerate(slots[round_ * per_round:(round_ + 1) * per_round], start=round_ * per_round))
        held: dict[int, tuple[Principal, BookingRequest]] = {}

        async def hold(worker: int, job: tuple[int, tuple[uuid.UUID, datetime]]) -> None:
            index, (practitioner_id, start) = job
            principal, request = callers.request(1, practitioner_id, start)  # an anonymous visitor
            try:
                made = await hold_slot(runtime, principal, address(index), SLUG, request.treatment_id, start,
                                       request.practitioner_id)  # fmt: skip
                held[index] = (principal, replace(request, hold_id=str(made.id), requested_from=address(index)))
            except Exception as exc:  # noqa: BLE001 - counted and shown
                failures.append(exc)

        async def book(worker: int, job: tuple[int, tuple[uuid.UUID, datetime]]) -> None:
            index = job[0]
            if index not in held:
                return
            principal, request = held[index]
            try:
                await book_appointment(runtime, principal, request)
            except Exception as exc:  # noqa: BLE001 - counted and shown
                failures.append(exc)

        seconds, _ = await drive(batch, hold, size.clients)
        hold_seconds += seconds
        print(f"  round {round_ + 1}: holdSlot {len(batch) / seconds:8.0f} holds/s", end="")
        seconds, _ = await drive(batch, book, size.clients)
        held_seconds += seconds
        print(f"   book_appointment(hold_id) {len(batch) / seconds:8.0f} bookings/s")
    total = len(slots)
    return total / hold_seconds, total / held_seconds, failures


def address(index: int) -> str:
    """A network address of its own for each visitor."""
    return f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}"


def problems(result: dict) -> list[str]:
    """What went wrong in a run, apart from timings (none: all is well)."""
    checks = {
        "a hot slot did not have exactly one winner": all(w == 1 for w in result["winners"]),
        "a loser got something other than SLOT_UNAVAILABLE": result["unexpected"] == 0
        and result["slot_unavailable"] == result["losers"],
        "two active appointments of one practitioner overlap": result["overlaps"] == 0,
        "a booking of a distinct slot failed": result["failures"] == 0,
        "the table does not hold the bookings made": result["booked"] == result["expected_booked"],
        "a hold or a held booking of a distinct slot failed": result["hold_failures"] == 0,
        "a hold was not spent on its booking": result["holds_used"] == result["holds_expected"],
    }
    return [problem for problem, held in checks.items() if not held]


async def run(pool_maxsize: int = DEFAULT_POOL_MAXSIZE, **changes: int) -> dict[str, object]:
    """`changes`: the fields of `Size` to change (TINY for a quick check)."""
    size = Size(**changes)
    async with scratch_database("race", pool_maxsize=pool_maxsize) as runtime:
        world = await create_clinic(SLUG, size.practitioners)
        clinic, tz = world.clinic, ZoneInfo(world.clinic.timezone)
        owner = await StaffUser.create(clinic=clinic, email="owner@bench-race.example", full_name="Owner",
                                       password_hash="-", role=StaffRole.ADMIN)  # fmt: skip
        staff = Principal(kind=PrincipalKind.STAFF, clinic_id=clinic.id, staff_id=owner.id, staff_is_admin=True)
        await Client.bulk_create(
            [Client(clinic_id=clinic.id, full_name=f"Client {i}", email=f"client{i}@example.com", phone=f"+4477009{i:05d}")
             for i in range(size.clients)]  # fmt: skip
        )
        clients = list(await Client.filter(clinic_id=clinic.id).order_by("email"))
        callers = Callers(world, staff, clients)
        pool = connection()._pool
        print(f"booking race: {size.clients} concurrent clients, asyncpg pool max_size={pool.get_max_size()}, "
              f"{size.practitioners} practitioners")  # fmt: skip

        # Working days at least two days ahead: every start is well past the
        # 60 minutes' notice anonymous callers need, and inside 09:00-18:00.
        total = size.distinct_rounds * size.clients * size.bookings_per_worker
        days = working_days(utcnow().astimezone(tz).date() + timedelta(days=2),
                            1 + -(-2 * total // (size.practitioners * TIMES_PER_DAY)))  # fmt: skip

        # Phase 1: one hot slot per round.
        winners, lost, odd = [], [], []
        for round_ in range(size.hot_rounds):
            practitioner = world.practitioners[round_ % size.practitioners]
            w, l, o = await hot_slot(runtime, callers, practitioner.id, local(days[0], 10 * 60 + 75 * (round_ // size.practitioners), tz))
            winners.append(w)
            lost += l
            odd += o
        losers = size.hot_rounds * size.clients - sum(winners)
        print(f"\nphase 1, hot slot: {size.hot_rounds} rounds of {size.clients} callers on one slot")
        print(f"  winners per round: {winners} (must each be 1)")
        print(f"  losers: {losers}, of which SLOT_UNAVAILABLE: {len(lost)}, other errors: {len(odd)}")
        for exc in odd[:3]:
            print(f"    unexpected: {type(exc).__name__}: {exc}")
        loser_ms = [s * 1000 for s in lost]
        print(f"  losers' answer latency: median {median(loser_ms):.1f} ms, p99 {percentile(loser_ms, 99):.1f} ms, "
              f"max {max(loser_ms, default=float('nan')):.1f} ms")  # fmt: skip

        # Phase 2: distinct slots, shuffled over practitioners and days.
        slots = [
            (p.id, local(day, 9 * 60 + 75 * k, tz))
            for day in days[1:]
            for p in world.practitioners
            for k in range(TIMES_PER_DAY)
        ][:2 * total]
        random.Random(7).shuffle(slots)
        slots, held_slots = slots[:total], slots[total:]
        await create_plain_table()
        treatment = world.treatment
        failures: list[Exception] = []
        latencies: list[float] = []

        async def book(worker: int, slot: tuple[uuid.UUID, datetime]) -> None:
            principal, request = callers.request(worker, *slot)
            started = time.perf_counter()
            try:
                await book_appointment(runtime, principal, request)
            except Exception as exc:  # noqa: BLE001 - counted and shown
                failures.append(exc)
            latencies.append(time.perf_counter() - started)

        async def insert(worker: int, slot: tuple[uuid.UUID, datetime]) -> None:
            practitioner_id, start = slot
            await connection().execute_query(PLAIN_INSERT, [
                uuid.uuid4(), clinic.id, practitioner_id, treatment.id, clients[worker].id, start,
                start + timedelta(minutes=60), start, start + timedelta(minutes=75), "BOOKED", "STAFF",
                treatment.price, clinic.currency, utcnow(),
            ])  # fmt: skip

        per_round = size.clients * size.bookings_per_worker
        plain_seconds = booking_seconds = plain_cpu = booking_cpu = 0.0
        print(f"\nphase 2, distinct slots: {size.distinct_rounds} rounds of {per_round}, plain inserts and bookings alternating")
        for round_ in range(size.distinct_rounds):
            batch = slots[round_ * per_round:(round_ + 1) * per_round]
            seconds, cpu = await drive(batch, insert, size.clients)
            plain_seconds, plain_cpu = plain_seconds + seconds, plain_cpu + cpu
            print(f"  round {round_ + 1}: plain INSERT {per_round / seconds:8.0f} rows/s", end="")
            seconds, cpu = await drive(batch, book, size.clients)
            booking_seconds, booking_cpu = booking_seconds + seconds, booking_cpu + cpu
            print(f"   book_appointment {per_round / seconds:8.0f} bookings/s")
        print(f"  this process's CPU per row: plain INSERT {plain_cpu / total * 1000:.2f} ms, "
              f"booking {booking_cpu / total * 1000:.2f} ms "
              f"(busy {booking_cpu / booking_seconds:.0%} of the bookings' wall time)")  # fmt: skip

        hold_rate, held_rate, hold_failures = await held_bookings(runtime, callers, held_slots, size)

        conn = connection()
        _, rows = await conn.execute_query(OVERLAPS_SQL)
        overlaps = rows[0]["overlaps"]
        _, rows = await conn.execute_query(
            "SELECT count(*) AS n FROM appointment WHERE clinic_id = $1 AND status <> 'CANCELLED'", [clinic.id]
        )
        booked = rows[0]["n"]
        holds_used = await SlotHold.filter(clinic_id=clinic.id, status=HoldStatus.USED, appointment_id__isnull=False).count()

    bookings_rate = total / booking_seconds
    plain_rate = total / plain_seconds
    ratio = bookings_rate / plain_rate
    ms = [s * 1000 for s in latencies]
    print(f"  bookings: {total - len(failures)} succeeded, {len(failures)} failed"
          + (f" (first: {type(failures[0]).__name__}: {failures[0]})" if failures else ""))  # fmt: skip
    print(f"  booking latency under load: median {median(ms):.1f} ms, p99 {percentile(ms, 99):.1f} ms")
    print(f"  active appointments in the table: {booked} (expected {size.hot_rounds + 2 * total})")
    print(f"  holds spent on their bookings: {holds_used} of {total}, failures {len(hold_failures)}"
          + (f" (first: {type(hold_failures[0]).__name__}: {hold_failures[0]})" if hold_failures else ""))
    print(f"  overlapping active appointments of one practitioner (SQL): {overlaps}")
    print()
    print(table(
        ["measure", "value"],
        [
            [f"bookings/s (distinct slots, {size.clients} clients)", f"{bookings_rate:.0f}"],
            [f"plain inserts/s (no constraint, {size.clients} tasks)", f"{plain_rate:.0f}"],
            ["ratio bookings / plain inserts", f"{ratio:.2f}"],
            [f"holds/s (distinct slots, {size.clients} clients)", f"{hold_rate:.0f}"],
            [f"bookings/s with a hold (distinct slots, {size.clients} clients)", f"{held_rate:.0f}"],
            ["hot slot losers' p99 ms", f"{percentile(loser_ms, 99):.1f}"],
        ],
    ))  # fmt: skip
    print("\ntargets (reported, not asserted):")
    print(f"  exactly one winner per hot slot: {verdict(all(w == 1 for w in winners))}")
    print(f"  every loser SLOT_UNAVAILABLE: {verdict(not odd and len(lost) == losers)}")
    print(f"  zero overlaps: {verdict(overlaps == 0)}")
    print(f"  distinct-slot bookings >= 0.5 x plain insert rate: {ratio:.2f} -> {verdict(ratio >= 0.5)}")
    return {"winners": winners, "losers_p99_ms": percentile(loser_ms, 99), "bookings_per_s": bookings_rate,
            "plain_per_s": plain_rate, "ratio": ratio, "overlaps": overlaps, "failures": len(failures),
            "losers": losers, "slot_unavailable": len(lost), "unexpected": len(odd),
            "booked": booked, "expected_booked": size.hot_rounds + 2 * total,
            "holds_per_s": hold_rate, "held_bookings_per_s": held_rate, "hold_failures": len(hold_failures),
            "holds_used": holds_used, "holds_expected": total}  # fmt: skip


if __name__ == "__main__":
    asyncio.run(run())
