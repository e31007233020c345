"""availableSlots over 30 days: the resolver, the whole HTTP query, and a
naive baseline measured side by side; the resolver and the query both warm
(the days' diaries kept in the process's free-time cache,
resolvers/booking/free_time_cache.py) and cold (that cache dropped before
each call; the clinic's kept facts stay).

One clinic, 10 practitioners rostered Mon-Sat 09:00-18:00 who all offer one
60-minute treatment (+15 minutes' buffer after), and 2,000 booked
appointments over the 30 days asked about. The naive baseline runs one
query per practitioner per working day and compares every candidate start
with every appointment of that day; it must return the same slots."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from app import create_app
from bench.common import World, create_clinic, median, percentile, scratch_database, table, timed, verdict
from models import (
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    Client,
    Clinic,
    PractitionerTreatment,
    RosterEntry,
    Treatment,
    utcnow,
)
from resolvers.core.principal import ANONYMOUS
from resolvers.booking.free_time_cache import FreeTimeCache
from resolvers.booking.slots import available_slots

SLUG = "bench-slots"
PRACTITIONERS = 10
APPOINTMENTS = 2000
DAYS = 30
WARMUP = 5
RUNS = 100
# The smallest run that still checks the resolver against the baseline
# (tests/project/test_benchmarks.py, `python -m bench --tiny`).
TINY = {"runs": 1, "warmup": 0, "practitioners": 2, "appointments": 24, "days": 3}
# Booked appointments are placed on a 15-minute grid between 07:00 and
# 21:00 local (staff may book outside rostered hours): 7 or 8 a working day
# take 525-600 of those 840 minutes, leaving free gaps of many lengths.
DAY_WINDOW = (7 * 60, 21 * 60)
GRID = 15
OCCUPIED = 75  # 60 minutes + 15 minutes' buffer

QUERY = """query($c: String!, $t: ID!, $f: Date!, $l: Date!, $p: ID) {
  availableSlots(clinicSlug: $c, treatmentId: $t, from: $f, to: $l, practitionerId: $p) {
    start end practitioner { id name }
  }
}"""

SlotKey = tuple[datetime, uuid.UUID]


def _starts_in_day(rng: random.Random, count: int) -> list[int]:
    """`count` non-overlapping occupied blocks in the day window, as local
    minutes from midnight: spare grid units are scattered into the gaps."""
    units = (DAY_WINDOW[1] - DAY_WINDOW[0]) // GRID
    block = OCCUPIED // GRID
    spare = units - block * count
    assert spare >= 0, "too many appointments for one day"
    cuts = sorted(rng.randint(0, spare) for _ in range(count))
    return [DAY_WINDOW[0] + (cut + i * block) * GRID for i, cut in enumerate(cuts)]


async def seed(world: World, first: date, appointments: int = APPOINTMENTS, days: int = DAYS) -> int:
    rng = random.Random(20261121)
    tz = ZoneInfo(world.clinic.timezone)
    client = await Client.create(clinic=world.clinic, full_name="Bench Client", email="bench@example.com")
    working_days = [first + timedelta(days=i) for i in range(days) if (first + timedelta(days=i)).weekday() < 6]
    per_practitioner, extra = divmod(appointments, len(world.practitioners))
    rows = []
    for index, practitioner in enumerate(world.practitioners):
        total = per_practitioner + (1 if index < extra else 0)
        counts = [total // len(working_days) + (1 if d < total % len(working_days) else 0) for d in range(len(working_days))]
        rng.shuffle(counts)
        for day, count in zip(working_days, counts):
            for minute in _starts_in_day(rng, count):
                start = (datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=minute)).astimezone(UTC)
                rows.append(
                    Appointment(
                        clinic_id=world.clinic.id,
                        practitioner_id=practitioner.id,
                        treatment_id=world.treatment.id,
                        client_id=client.id,
                        start_at=start,
                        end_at=start + timedelta(minutes=60),
                        occupied_start=start,
                        occupied_end=start + timedelta(minutes=OCCUPIED),
                        status=AppointmentStatus.BOOKED,
                        source=AppointmentSource.STAFF,
                        price=world.treatment.price,
                        currency=world.clinic.currency,
                    )
                )
    await Appointment.bulk_create(rows, batch_size=500)
    return len(rows)


async def naive_slots(
    clinic_slug: str, treatment_id: str, first: date, last: date, practitioner_id: str | None, now: datetime
) -> list[SlotKey]:
    """The baseline: a query per practitioner per working day, and every
    candidate compared with every appointment of its day."""
    clinic = await Clinic.get(slug=clinic_slug)
    treatment = await Treatment.get(id=treatment_id, clinic_id=clinic.id)
    if practitioner_id is not None:
        practitioner_ids = [uuid.UUID(practitioner_id)]
    else:
        practitioner_ids = list(
            await PractitionerTreatment.filter(
                clinic_id=clinic.id, treatment_id=treatment.id, practitioner__active=True
            ).values_list("practitioner_id", flat=True)
        )
    hours: dict[tuple[uuid.UUID, int], list[tuple[int, int]]] = {}
    for pid, weekday, start, end in await RosterEntry.filter(
        clinic_id=clinic.id, practitioner_id__in=practitioner_ids
    ).values_list("practitioner_id", "weekday", "start_minute", "end_minute"):
        hours.setdefault((pid, weekday), []).append((start, end))
    tz = ZoneInfo(clinic.timezone)
    duration = timedelta(minutes=treatment.duration_minutes)
    before = timedelta(minutes=treatment.buffer_before_minutes)
    after = timedelta(minutes=treatment.buffer_after_minutes)
    step = timedelta(minutes=clinic.slot_step_minutes)
    earliest = now + timedelta(minutes=clinic.booking_min_notice_minutes)
    latest = now + timedelta(days=clinic.booking_horizon_days)
    found: list[SlotKey] = []
    day = first
    while day <= last:
        midnight = datetime.combine(day, time(0), tzinfo=tz)
        for pid in practitioner_ids:
            spans = [
                ((midnight + timedelta(minutes=s)).astimezone(UTC), (midnight + timedelta(minutes=e)).astimezone(UTC))
                for s, e in hours.get((pid, day.weekday()), ())
            ]
            if not spans:
                continue
            appointments = await Appointment.filter(
                clinic_id=clinic.id,
                practitioner_id=pid,
                occupied_end__gt=min(s for s, _ in spans) - before,
                occupied_start__lt=max(e for _, e in spans) + duration + after,
            ).exclude(status=AppointmentStatus.CANCELLED).values_list("occupied_start", "occupied_end")
            for span_start, span_end in spans:
                start = span_start
                while start + duration <= span_end:
                    if earliest <= start <= latest:
                        occupied_start, occupied_end = start - before, start + duration + after
                        if all(not (a < occupied_end and occupied_start < b) for a, b in appointments):
                            found.append((start, pid))
                    start += step
        day += timedelta(days=1)
    return found


def problems(result: dict) -> list[str]:
    """What went wrong in a run, apart from timings (none: all is well)."""
    found = []
    if not result["checks"] or not all(result["checks"]):
        found.append("the resolver, the baseline and HTTP did not return the same slots")
    if not all(result["checked_slots"]):
        found.append("a comparison had no free slots to compare")
    return found


async def run(
    runs: int = RUNS,
    *,
    warmup: int = WARMUP,
    practitioners: int = PRACTITIONERS,
    appointments: int = APPOINTMENTS,
    days: int = DAYS,
) -> dict[str, object]:
    one_label, all_label = "1 practitioner", f"{practitioners} practitioners"
    async with scratch_database("slots") as runtime:
        world = await create_clinic(SLUG, practitioners)
        tz = ZoneInfo(world.clinic.timezone)
        first = utcnow().astimezone(tz).date() + timedelta(days=1)
        last = first + timedelta(days=days - 1)
        booked = await seed(world, first, appointments, days)
        treatment_id = str(world.treatment.id)
        one = str(world.practitioners[0].id)
        now = utcnow()
        print(f"slots: {practitioners} practitioners, {booked} booked appointments, {first} .. {last} ({days} days)")

        app = create_app(runtime.settings, runtime=runtime)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:

            async def over_http(practitioner_id: str | None) -> list:
                variables = {"c": SLUG, "t": treatment_id, "f": first.isoformat(), "l": last.isoformat(), "p": practitioner_id}
                response = await http.post("/graphql", json={"query": QUERY, "variables": variables})
                body = response.json()
                if response.status_code != 200 or "errors" in body:
                    raise RuntimeError(f"availableSlots failed: {response.status_code} {body}")
                return body["data"]["availableSlots"]

            async def resolver(practitioner_id: str | None) -> list:
                return (await available_slots(runtime, ANONYMOUS, SLUG, treatment_id, first, last, practitioner_id, now=now))[1]

            diaries = runtime.clinics.kept(FreeTimeCache)

            def cold(call):
                async def dropped_first(practitioner_id: str | None) -> list:
                    diaries.drop_clinic(world.clinic.id)
                    return await call(practitioner_id)

                return dropped_first

            cases = {
                f"resolver warm, {one_label}": lambda: resolver(one),
                f"resolver warm, {all_label}": lambda: resolver(None),
                f"resolver cold, {one_label}": lambda: cold(resolver)(one),
                f"resolver cold, {all_label}": lambda: cold(resolver)(None),
                f"HTTP query warm, {one_label}": lambda: over_http(one),
                f"HTTP query warm, {all_label}": lambda: over_http(None),
                f"HTTP query cold, {one_label}": lambda: cold(over_http)(one),
                f"HTTP query cold, {all_label}": lambda: cold(over_http)(None),
                f"naive, {one_label}": lambda: naive_slots(SLUG, treatment_id, first, last, one, now),
                f"naive, {all_label}": lambda: naive_slots(SLUG, treatment_id, first, last, None, now),
            }

            # The same slots from the resolver (cold, then warm), the baseline and over HTTP (warm).
            checks, checked_slots = [], []
            for label, pid in ((one_label, one), (all_label, None)):
                key = lambda found: {(s.start, s.practitioner_id) for s in found}  # noqa: E731
                from_cold = key(await cold(resolver)(pid))
                ours = key(await resolver(pid))
                theirs = set(await naive_slots(SLUG, treatment_id, first, last, pid, now))
                http_count = len(await over_http(pid))
                same = ours == theirs == from_cold and http_count == len(ours)
                checks.append(same)
                checked_slots.append(len(ours))
                print(
                    f"check, {label}: resolver {len(from_cold)} slots cold, {len(ours)} warm, naive {len(theirs)} slots, "
                    f"HTTP {http_count} slots: "
                    + ("identical (start, practitioner) sets" if same else f"DIFFERENT ({len(ours ^ theirs)} differ)")
                )

            # Rounds interleave the cases so drift hits all of them alike.
            samples: dict[str, list[float]] = {name: [] for name in cases}
            counts: dict[str, int] = {}
            for round_ in range(warmup + runs):
                for name, call in cases.items():
                    seconds, result = await timed(call)
                    counts[name] = len(result)
                    if round_ >= warmup:
                        samples[name].append(seconds * 1000)

    medians = {name: median(s) for name, s in samples.items()}
    naive = {label: medians[f"naive, {label}"] for label in (one_label, all_label)}
    rows = []
    for name, s in samples.items():
        base = naive[one_label if name.endswith(one_label) else all_label]
        rows.append([name, counts[name], f"{medians[name]:.2f}", f"{percentile(s, 99):.2f}", f"{base / medians[name]:.1f}x"])
    print(f"\n{runs} timed runs per case after {warmup} warm-up runs, interleaved; times in ms")
    print(table(["case", "slots", "median ms", "p99 ms", "naive/case (median)"], rows))

    r1, r_all = medians[f"resolver warm, {one_label}"], medians[f"resolver warm, {all_label}"]
    h1 = medians[f"HTTP query warm, {one_label}"]
    print("\nwarm against cold (median):")
    for label in (one_label, all_label):
        for way in ("resolver", "HTTP query"):
            warm, cold_ = medians[f"{way} warm, {label}"], medians[f"{way} cold, {label}"]
            print(f"  {way}, {label}: cold {cold_:.2f} ms / warm {warm:.2f} ms = {cold_ / warm:.1f}x")
    print("\ntargets (reported, not asserted):")
    print(f"  resolver warm, {one_label}  < 1 ms:   median {r1:.2f} ms -> {verdict(r1 < 1)}")
    print(f"  HTTP query warm, {one_label} < 3 ms: median {h1:.2f} ms -> {verdict(h1 < 3)}")
    print(f"  resolver warm, {all_label} < 5 ms: median {r_all:.2f} ms -> {verdict(r_all < 5)}")
    for label in (one_label, all_label):
        ratio = naive[label] / medians[f"resolver warm, {label}"]
        print(f"  naive/resolver warm >= 10x ({label}): {ratio:.1f}x -> {verdict(ratio >= 10)}")
    print(f"  same slots as the baseline: {verdict(all(checks))}")
    return {"medians": medians, "samples": samples, "checks": checks, "checked_slots": checked_slots}


if __name__ == "__main__":
    asyncio.run(run())
