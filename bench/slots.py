"""availableSlots over 30 days: the resolver, the whole HTTP query, and a
naive baseline measured side by side.

One clinic, 10 practitioners rostered Mon-Sat 09:00-18:00 who all offer one
60-minute treatment (+15 minutes' buffer after), and 2,000 booked
appointments over the 30 days asked about. The naive baseline runs one
query per practitioner per working day and compares every candidate start
with every appointment of that day; it must return the same slots."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import replace
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
from resolvers.booking.slots import available_slots

SLUG = "bench-slots"
PRACTITIONERS = 10
APPOINTMENTS = 2000
DAYS = 30
WARMUP = 5
RUNS = 100
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


async def seed(world: World, first: date) -> int:
    rng = random.Random(20261121)
    tz = ZoneInfo(world.clinic.timezone)
    client = await Client.create(clinic=world.clinic, full_name="Bench Client", email="bench@example.com")
    working_days = [first + timedelta(days=i) for i in range(DAYS) if (first + timedelta(days=i)).weekday() < 6]
    per_practitioner, extra = divmod(APPOINTMENTS, len(world.practitioners))
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


async def run(runs: int = RUNS) -> dict[str, object]:
    async with scratch_database("slots") as runtime:
        world = await create_clinic(SLUG, PRACTITIONERS)
        tz = ZoneInfo(world.clinic.timezone)
        first = utcnow().astimezone(tz).date() + timedelta(days=1)
        last = first + timedelta(days=DAYS - 1)
        booked = await seed(world, first)
        treatment_id = str(world.treatment.id)
        one = str(world.practitioners[0].id)
        now = utcnow()
        print(f"slots: {PRACTITIONERS} practitioners, {booked} booked appointments, {first} .. {last} ({DAYS} days)")

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
                return (await available_slots(runtime.settings, ANONYMOUS, SLUG, treatment_id, first, last, practitioner_id, now=now))[1]

            cases = {
                "resolver, 1 practitioner": lambda: resolver(one),
                "resolver, 10 practitioners": lambda: resolver(None),
                "HTTP query, 1 practitioner": lambda: over_http(one),
                "HTTP query, 10 practitioners": lambda: over_http(None),
                "naive, 1 practitioner": lambda: naive_slots(SLUG, treatment_id, first, last, one, now),
                "naive, 10 practitioners": lambda: naive_slots(SLUG, treatment_id, first, last, None, now),
            }

            # The same slots, from the resolver, the baseline and over HTTP.
            checks = []
            for label, pid in (("1 practitioner", one), ("10 practitioners", None)):
                ours = {(s.start, s.practitioner_id) for s in await resolver(pid)}
                theirs = set(await naive_slots(SLUG, treatment_id, first, last, pid, now))
                http_count = len(await over_http(pid))
                same = ours == theirs
                checks.append(same)
                print(
                    f"check, {label}: resolver {len(ours)} slots, naive {len(theirs)} slots, HTTP {http_count} slots: "
                    + ("identical (start, practitioner) sets" if same else f"DIFFERENT ({len(ours ^ theirs)} differ)")
                )

            # Rounds interleave the cases so drift hits all of them alike.
            samples: dict[str, list[float]] = {name: [] for name in cases}
            counts: dict[str, int] = {}
            for round_ in range(WARMUP + runs):
                for name, call in cases.items():
                    seconds, result = await timed(call)
                    counts[name] = len(result)
                    if round_ >= WARMUP:
                        samples[name].append(seconds * 1000)

    medians = {name: median(s) for name, s in samples.items()}
    naive = {"1": medians["naive, 1 practitioner"], "10": medians["naive, 10 practitioners"]}
    rows = []
    for name, s in samples.items():
        base = naive["1" if "1 practitioner" in name else "10"]
        rows.append([name, counts[name], f"{medians[name]:.2f}", f"{percentile(s, 99):.2f}", f"{base / medians[name]:.1f}x"])
    print(f"\n{runs} timed runs per case after {WARMUP} warm-up runs, interleaved; times in ms")
    print(table(["case", "slots", "median ms", "p99 ms", "naive/case (median)"], rows))

    r1, r10 = medians["resolver, 1 practitioner"], medians["resolver, 10 practitioners"]
    print("\ntargets (reported, not asserted):")
    print(f"  resolver, 1 practitioner  < 5 ms:   median {r1:.2f} ms -> {verdict(r1 < 5)}")
    print(f"  resolver, 10 practitioners < 50 ms: median {r10:.2f} ms -> {verdict(r10 < 50)}")
    for key, r in (("1", r1), ("10", r10)):
        ratio = naive[key] / r
        print(f"  naive/resolver >= 10x ({key} practitioner{'s' if key == '10' else ''}): {ratio:.1f}x -> {verdict(ratio >= 10)}")
    print(f"  same slots as the baseline: {verdict(all(checks))}")
    return {"medians": medians, "samples": samples, "checks": checks}


if __name__ == "__main__":
    asyncio.run(run())
