"""Free times from the per-process cache (resolvers/booking/free_time_cache.py):
a warm answer reads nothing but the clinic's event log, and after every kind
of change, by whichever process, the next answer is what a fresh
computation from the tables gives."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from models import RosterEntry, SlotHold, Treatment, utcnow
from resolvers.booking.availability import free_starts, load_busy, load_spans, wall_to_utc
from resolvers.booking.book import shape_of
from resolvers.booking.free_time_cache import FreeTimeCache
from resolvers.booking.policy import booking_window
from resolvers.booking.slots import available_slots
from resolvers.core import clinic_cache
from resolvers.core.clinic_cache import ClinicCache
from resolvers.core.principal import ANONYMOUS
from tests.admin.test_catalogue_admin import ADD_EXCEPTION, SET_HOURS
from tests.conftest import FAST_HASH_ENV, staff_token
from bench.common import sql_statements
from tests.support.booking import BOOK, CANCEL, RESCHEDULE, SLOTS, at, book_input, working_day
from tests.support.holds import HOLD, RELEASE, from_address, hold_vars
from tests.support.servers import running_server

LONDON = ZoneInfo("Europe/London")
# The seeded appointment (working day 3 days ahead, 10:00) and the times below lie in it.
FIRST = working_day(2).date()
LAST = FIRST + timedelta(days=7)
VISITOR = {"fullName": "Cache Visitor", "email": "cache@example.com", "phone": "+447700900777"}
STAFF_SIGN_IN = 'mutation { staffSignIn(email: "owner@demo.clinic", password: "demo-owner-pass") { session { token } } }'

Slot = tuple[datetime, datetime, uuid.UUID]


async def cached(runtime, demo, *, now: datetime | None = None, holder: str | None = None, first: date = FIRST,
                 last: date = LAST) -> list[Slot]:
    """`availableSlots` for facials, from the runtime's cache."""
    facial = str(demo["demo"].treatments["Facial"].id)
    _, slots = await available_slots(runtime, ANONYMOUS, "demo", facial, first, last, now=now or utcnow(), holder=holder)
    return [(s.start, s.end, s.practitioner_id) for s in slots]


async def uncached(demo, *, now: datetime | None = None, holder: str | None = None, first: date = FIRST,
                   last: date = LAST) -> list[Slot]:
    """The same answer computed afresh from the tables, as before the cache:
    weekly hours, exceptions, appointments and holds all read now."""
    now = now or utcnow()
    facts = await ClinicCache().facts(demo["demo"].clinic.id)
    clinic = facts.clinic
    treatment = facts.treatments[demo["demo"].treatments["Facial"].id]
    practitioner_ids = list(facts.offering[treatment.id])
    tz, shape = ZoneInfo(clinic.timezone), shape_of(treatment)
    step = timedelta(minutes=clinic.slot_step_minutes)
    earliest, latest = booking_window(clinic, now)
    range_start = wall_to_utc(first, 0, tz, later=False) - shape.before
    range_end = wall_to_utc(last, 24 * 60, tz, later=True) + shape.duration + shape.after
    spans = await load_spans(clinic.id, practitioner_ids, first, last, tz)
    busy = await load_busy(clinic.id, practitioner_ids, range_start, range_end, own_holder=holder, now=now)
    slots = [
        (start, start + shape.duration, pid)
        for pid in practitioner_ids
        for start in free_starts(spans[pid], busy[pid], shape, step, earliest, latest)
    ]
    slots.sort(key=lambda slot: slot[0])
    return slots


def local(when: str) -> datetime:
    return datetime.fromisoformat(when)


async def test_a_warm_answer_costs_the_one_statement_that_reads_the_log(api, demo, runtime):
    first = await cached(runtime, demo)
    with sql_statements() as statements:
        again = await cached(runtime, demo)
    assert again == first == await uncached(demo)
    assert len(statements) == 1 and "clinic_event" in statements[0], statements
    # Within a request the clinic is synced once: over HTTP too, one statement.
    variables = {"c": "demo", "t": str(demo["demo"].treatments["Facial"].id), "f": FIRST.isoformat(), "l": LAST.isoformat()}
    await api.data(SLOTS, variables)
    with sql_statements() as statements:
        answer = (await api.data(SLOTS, variables))["availableSlots"]
    assert len(answer) == len(first) and len(statements) == 1, statements
    # A booking's working-hours check reads the kept day too.
    with clinic_cache.request_scope():
        facts = await runtime.clinics.facts(demo["demo"].clinic.id)
        alex = demo["demo"].practitioners["Alex Morgan"].id
        assert runtime.clinics.kept(FreeTimeCache).kept_spans(facts, [alex], FIRST) is not None


@dataclass
class Change:
    """Something done before the cache is warmed, the change itself, and
    what to ask with afterwards."""

    prepare: Callable[..., Awaitable[dict]] | None
    change: Callable[..., Awaitable[dict]]


async def _nothing(api, demo, token, ready) -> dict:
    return {}


async def _book(api, demo, token, ready) -> dict:
    alex = str(demo["demo"].practitioners["Alex Morgan"].id)
    data = await api.data(BOOK, {"input": book_input(demo, start=at(5, 11), practitionerId=alex, client=VISITOR)})
    assert data["bookAppointment"]["userErrors"] == [], data
    return {}


async def _seeded_appointment(api, demo, token) -> str:
    query = "query($f: DateTime!, $t: DateTime!) { calendar(from: $f, to: $t) { id status } }"
    found = await api.data(query, {"f": f"{FIRST}T00:00:00Z", "t": f"{LAST}T23:59:59Z"}, token)
    booked = [a["id"] for a in found["calendar"] if a["status"] == "BOOKED"]
    assert len(booked) == 1, found
    return booked[0]


async def _cancel(api, demo, token, ready) -> dict:
    data = await api.data(CANCEL, {"id": await _seeded_appointment(api, demo, token)}, token)
    assert data["cancelAppointment"]["userErrors"] == [], data
    return {}


async def _move(api, demo, token, ready) -> dict:
    data = await api.data(RESCHEDULE, {"id": await _seeded_appointment(api, demo, token), "start": at(5, 14)}, token)
    assert data["rescheduleAppointment"]["userErrors"] == [], data
    return {}


async def _hold(api, demo, token, ready) -> dict:
    async with from_address(api, "10.9.0.1") as holder:
        data = await holder.data(HOLD, hold_vars(demo, at(5, 12)))
    assert data["holdSlot"]["userErrors"] == [], data
    return {"hold": data["holdSlot"]["hold"]["id"]}


async def _release(api, demo, token, ready) -> dict:
    async with from_address(api, "10.9.0.1") as holder:
        data = await holder.data(RELEASE, {"id": ready["hold"]})
    assert data["releaseHold"]["userErrors"] == [], data
    return {}


async def _expire(api, demo, token, ready) -> dict:
    hold = await SlotHold.get(id=ready["hold"])
    return {"now": hold.expires_at + timedelta(seconds=1)}  # no event: time alone


async def _day_off(api, demo, token, ready) -> dict:
    alex = str(demo["demo"].practitioners["Alex Morgan"].id)
    day = working_day(5).date().isoformat()
    data = await api.data(ADD_EXCEPTION, {"p": alex, "d": day, "k": "OFF", "s": "09:00", "e": "13:00"}, token)
    assert data["addRosterException"]["userErrors"] == [], data
    return {}


async def _weekly_hours(api, demo, token, ready) -> dict:
    alex = str(demo["demo"].practitioners["Alex Morgan"].id)
    hours = [{"weekday": day, "start": "12:00", "end": "16:00"} for day in range(5)]
    data = await api.data(SET_HOURS, {"p": alex, "h": hours}, token)
    assert data["setWeeklyHours"]["userErrors"] == [], data
    return {}


async def _longer_treatment(api, demo, token, ready) -> dict:
    # A bare UPDATE: the database's trigger writes the event, whoever writes.
    await Treatment.filter(id=demo["demo"].treatments["Facial"].id).update(duration_minutes=105)
    return {}


CHANGES = {
    "booking": Change(None, _book),
    "cancellation": Change(None, _cancel),
    "move": Change(None, _move),
    "hold": Change(None, _hold),
    "release": Change(_hold, _release),
    "hold expiry by time": Change(_hold, _expire),
    "a day's exception": Change(None, _day_off),
    "weekly hours": Change(None, _weekly_hours),
    "treatment duration": Change(None, _longer_treatment),
}


@pytest.mark.parametrize("kind", list(CHANGES))
async def test_after_each_kind_of_change_the_answer_is_a_fresh_computations(api, demo, runtime, kind):
    token = await staff_token(api)
    case = CHANGES[kind]
    ready = await case.prepare(api, demo, token, {}) if case.prepare else {}
    before = await cached(runtime, demo)
    assert before == await uncached(demo)
    asked = await case.change(api, demo, token, ready)
    after = await cached(runtime, demo, now=asked.get("now"))
    assert after == await uncached(demo, now=asked.get("now"))
    assert after != before  # the change moved free times, and the cache saw it


async def test_own_holds_are_free_for_their_holder_and_taken_for_others(api, demo, runtime):
    ready = await _hold(api, demo, None, {})
    hold = await SlotHold.get(id=ready["hold"])
    others = await cached(runtime, demo)
    own = await cached(runtime, demo, holder=hold.holder)
    assert own == await uncached(demo, holder=hold.holder) and others == await uncached(demo)
    assert (hold.start_at, hold.end_at, hold.practitioner_id) in set(own) - set(others)


async def test_a_booking_across_midnight_drops_both_days(api, demo, runtime):
    token = await staff_token(api)
    alex = demo["demo"].practitioners["Alex Morgan"]
    hours = [{"weekday": day, "start": "00:00", "end": "24:00"} for day in range(7)]
    assert (await api.data(SET_HOURS, {"p": str(alex.id), "h": hours}, token))["setWeeklyHours"]["userErrors"] == []
    day = working_day(5).date()
    before = await cached(runtime, demo)
    late = datetime.combine(day, datetime.min.time(), tzinfo=LONDON).replace(hour=23, minute=30).isoformat()
    booking = book_input(demo, start=late, practitionerId=str(alex.id), clientId=str(demo["demo"].client.id))
    data = await api.data(BOOK, {"input": booking}, token)
    assert data["bookAppointment"]["userErrors"] == [], data
    after = await cached(runtime, demo)
    assert after == await uncached(demo)
    # The facial (60 minutes + 15 after) reaches 00:45 of the next day: its early starts went too.
    next_midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=LONDON)
    gone = {s[0] for s in set(before) - set(after) if s[2] == alex.id}
    assert next_midnight in gone and next_midnight + timedelta(minutes=30) in gone


async def test_memory_is_bounded_and_a_full_cache_still_answers_right(api, demo, runtime):
    cache = FreeTimeCache(runtime.clinics, max_days=5)
    facts = await runtime.clinics.facts(demo["demo"].clinic.id)
    treatment = facts.treatments[demo["demo"].treatments["Facial"].id]
    step = timedelta(minutes=facts.clinic.slot_step_minutes)
    earliest, latest = booking_window(facts.clinic, utcnow())
    for _ in range(2):
        slots = await cache.free_slots(
            facts, list(facts.offering[treatment.id]), FIRST, LAST, shape_of(treatment), step, earliest, latest, now=utcnow()
        )
        assert len(cache) == 5  # of the 2 x 8 practitioner-days asked for
        assert [(s.start, s.end, s.practitioner_id) for s in slots] == await uncached(demo)


async def test_a_booking_on_one_process_is_seen_at_once_on_another(backend, demo):
    env = {"DATABASE_URL": backend.url, **FAST_HASH_ENV}
    alex = str(demo["demo"].practitioners["Alex Morgan"].id)
    variables = {
        "c": "demo", "t": str(demo["demo"].treatments["Facial"].id), "f": FIRST.isoformat(), "l": LAST.isoformat(), "p": alex,
    }  # fmt: skip
    start = local(at(5, 11))

    async def free_on(server) -> set[datetime]:
        response = await server.post("/graphql", json={"query": SLOTS, "variables": variables})
        assert response.status_code == 200 and "errors" not in response.json(), response.text
        return {local(slot["start"]) for slot in response.json()["data"]["availableSlots"]}

    async with running_server(env) as a, running_server(env) as b:
        async with httpx.AsyncClient(base_url=a.url, timeout=30) as on_a, httpx.AsyncClient(base_url=b.url, timeout=30) as on_b:
            assert start in await free_on(on_b)
            assert start in await free_on(on_b)  # warm on B
            token = (await on_a.post("/graphql", json={"query": STAFF_SIGN_IN})).json()["data"]["staffSignIn"]["session"]["token"]
            headers = {"authorization": f"Bearer {token}"}
            book = {"input": book_input(demo, start=start.isoformat(), practitionerId=alex, clientId=str(demo["demo"].client.id))}
            booked = (await on_a.post("/graphql", json={"query": BOOK, "variables": book}, headers=headers)).json()
            assert booked["data"]["bookAppointment"]["userErrors"] == [], booked
            assert start not in await free_on(on_b)
            appointment = booked["data"]["bookAppointment"]["appointment"]["id"]
            cancel = {"query": CANCEL, "variables": {"id": appointment}}
            cancelled = (await on_a.post("/graphql", json=cancel, headers=headers)).json()
            assert cancelled["data"]["cancelAppointment"]["userErrors"] == [], cancelled
            assert start in await free_on(on_b)

            # A settings change on A: B's kept facts (the public face) and free times follow at once.
            face = {"query": '{ clinic(slug: "demo") { treatments { id name durationMinutes } } }'}
            before = (await on_b.post("/graphql", json=face)).json()["data"]["clinic"]["treatments"]
            facial = next(t for t in before if t["id"] == variables["t"])
            change = {
                "query": "mutation($id: ID!, $input: TreatmentInput!) { updateTreatment(id: $id, input: $input) { userErrors { code } } }",
                "variables": {"id": variables["t"], "input": {"name": "Facial Deluxe", "durationMinutes": 12 * 60}},
            }
            changed = (await on_a.post("/graphql", json=change, headers=headers)).json()
            assert changed["data"]["updateTreatment"]["userErrors"] == [], changed
            after = (await on_b.post("/graphql", json=face)).json()["data"]["clinic"]["treatments"]
            assert facial["name"] == "Facial" and {"id": facial["id"], "name": "Facial Deluxe", "durationMinutes": 12 * 60} in after
            assert await free_on(on_b) == set()  # a 12-hour treatment fits in no 9-hour working day


async def test_what_is_read_with_facts_dropped_since_serves_but_is_not_kept(demo, runtime):
    clinic_id = demo["demo"].clinic.id
    alex = demo["demo"].practitioners["Alex Morgan"].id
    held = await runtime.clinics.facts(clinic_id)  # a request's facts...
    await RosterEntry.filter(practitioner_id=alex).update(start_minute=12 * 60)  # ...then its hours change
    await runtime.clinics.sync(clinic_id)  # another request hears of it
    cache = runtime.clinics.kept(FreeTimeCache)
    treatment = held.treatments[demo["demo"].treatments["Facial"].id]
    step = timedelta(minutes=held.clinic.slot_step_minutes)
    earliest, latest = booking_window(held.clinic, utcnow())
    await cache.free_slots(held, [alex], FIRST, LAST, shape_of(treatment), step, earliest, latest, now=utcnow())
    assert len(cache) == 0
    assert cache.kept_spans(held, [alex], FIRST) is None
    assert await cached(runtime, demo) == await uncached(demo)
    assert len(cache) > 0
