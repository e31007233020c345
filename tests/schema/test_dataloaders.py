"""No N+1: the number of SQL statements a query runs depends on the shape
of the query, not on how many treatments, practitioners or appointments it
returns. Statements are counted on the logger Tortoise writes every query to
("tortoise.db_client", at DEBUG), as the benchmarks count them (bench/common.py)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from models import (
    Appointment,
    AppointmentSource,
    AppointmentStatus,
    Client,
    Practitioner,
    PractitionerTreatment,
    RosterEntry,
    Treatment,
    utcnow,
)
from bench.common import sql_statements
from tests.conftest import client_token, staff_token

CLINIC = (
    '{ clinic(slug: "demo") {'
    " treatments { name price { amount } practitioners { name treatments { name } } }"
    " practitioners { name treatments { name practitioners { name } } } } }"
)
MY_PAST = (
    "{ me { appointments(when: PAST, first: 100) { edges { node {"
    " treatment { name } practitioner { name } price { amount } canCancel } } } } }"
)
CALENDAR = (
    "query($from: DateTime!, $to: DateTime!) { calendar(from: $from, to: $to) {"
    " start treatment { name } practitioner { name treatments { name } } price { amount } canCancel } }"
)
SLOTS = (
    "query($t: ID!, $from: Date!, $to: Date!) {"
    ' availableSlots(clinicSlug: "demo", treatmentId: $t, from: $from, to: $to) { start practitioner { name } } }'
)


async def measure(api, query: str, variables: dict | None = None, token: str | None = None) -> tuple[list[str], dict]:
    """The statements of a query asked a second time: what the process keeps
    of the clinic (resolvers/core/clinic_cache.py) is read by the first."""
    await api.data(query, variables, token=token)
    with sql_statements() as statements:
        data = await api.data(query, variables, token=token)
    return list(statements), data


def same_count(small: list[str], large: list[str]) -> str:
    return "statements grew with the data:\n--- small\n" + "\n".join(small) + "\n--- large\n" + "\n".join(large)


# Growing the demo clinic


async def add_practitioners(clinic_id, count: int, offering: list[Treatment], tag: str) -> list[Practitioner]:
    """Practitioners who work Monday to Saturday 09:00-18:00 and offer
    `offering`."""
    added = []
    for i in range(count):
        practitioner = await Practitioner.create(clinic_id=clinic_id, name=f"Extra practitioner {tag}{i:02}")
        for treatment in offering:
            await PractitionerTreatment.create(
                clinic_id=clinic_id, practitioner_id=practitioner.id, treatment_id=treatment.id
            )
        for weekday in range(6):
            await RosterEntry.create(
                clinic_id=clinic_id,
                practitioner_id=practitioner.id,
                weekday=weekday,
                start_minute=9 * 60,
                end_minute=18 * 60,
            )
        added.append(practitioner)
    return added


async def add_treatments(clinic_id, count: int, tag: str) -> list[Treatment]:
    return [
        await Treatment.create(
            clinic_id=clinic_id,
            name=f"Extra treatment {tag}{i:02}",
            duration_minutes=30,
            price=Decimal("10.00") + i,
        )
        for i in range(count)
    ]


async def grow_catalogue(demo, count: int, tag: str) -> None:
    """`count` more treatments and practitioners; every new practitioner
    offers every treatment, old and new, and every old practitioner the new
    treatments."""
    clinic_id = demo["demo"].clinic.id
    treatments = await add_treatments(clinic_id, count, tag)
    everything = await Treatment.filter(clinic_id=clinic_id)
    await add_practitioners(clinic_id, count, everything, tag)
    for practitioner in demo["demo"].practitioners.values():
        for treatment in treatments:
            await PractitionerTreatment.create(
                clinic_id=clinic_id, practitioner_id=practitioner.id, treatment_id=treatment.id
            )


async def add_clients(demo, count: int, tag: str) -> list[Client]:
    clinic_id = demo["demo"].clinic.id
    return [
        await Client.create(clinic_id=clinic_id, full_name=f"Client {tag}{i:02}", email=f"client-{tag}{i}@example.com")
        for i in range(count)
    ]


async def add_appointments(demo, count: int, *, past: bool, tag: str, clients: list[Client] | None = None) -> None:
    """`count` appointments (of the demo client unless `clients` says whose),
    each with a treatment and a practitioner of its own, on separate days."""
    clinic_id = demo["demo"].clinic.id
    treatments = await add_treatments(clinic_id, count, tag)
    practitioners = await add_practitioners(clinic_id, count, [], tag)
    today = utcnow().date()
    offset = 20 if tag == "b" else 2  # keep the two batches on different days
    for i, (treatment, practitioner) in enumerate(zip(treatments, practitioners)):
        day = today - timedelta(days=offset + i) if past else today + timedelta(days=offset + i)
        start = datetime.combine(day, time(11, 0), tzinfo=UTC)
        await Appointment.create(
            clinic_id=clinic_id,
            practitioner_id=practitioner.id,
            treatment_id=treatment.id,
            client_id=(clients[i] if clients else demo["demo"].client).id,
            start_at=start,
            end_at=start + timedelta(minutes=30),
            occupied_start=start,
            occupied_end=start + timedelta(minutes=30),
            status=AppointmentStatus.COMPLETED if past else AppointmentStatus.BOOKED,
            source=AppointmentSource.STAFF,
            price=treatment.price,
            currency="GBP",
        )


# The tests


async def test_the_clinic_page_runs_as_many_statements_for_ten_treatments_as_for_three(api, demo):
    small, before = await measure(api, CLINIC)
    await grow_catalogue(demo, 8, "a")
    large, after = await measure(api, CLINIC)
    assert len(after["clinic"]["treatments"]) == len(before["clinic"]["treatments"]) + 8
    assert len(after["clinic"]["practitioners"]) == len(before["clinic"]["practitioners"]) + 8
    assert len(small) == len(large), same_count(small, large)


async def test_the_clinic_page_for_its_staff_runs_as_many_statements_for_ten_treatments_as_for_three(api, demo):
    """Staff see every treatment and always see prices: another path
    through the same loaders."""
    token = await staff_token(api)
    small, _ = await measure(api, CLINIC, token=token)
    await grow_catalogue(demo, 8, "a")
    large, _ = await measure(api, CLINIC, token=token)
    assert len(small) == len(large), same_count(small, large)


async def test_a_clients_past_appointments_run_as_many_statements_for_fifteen_as_for_three(api, demo):
    token = await client_token(api)
    await add_appointments(demo, 2, past=True, tag="a")
    small, before = await measure(api, MY_PAST, token=token)
    await add_appointments(demo, 12, past=True, tag="b")
    large, after = await measure(api, MY_PAST, token=token)
    assert len(before["me"]["appointments"]["edges"]) == 3
    assert len(after["me"]["appointments"]["edges"]) == 15
    names = {e["node"]["practitioner"]["name"] for e in after["me"]["appointments"]["edges"]}
    assert len(names) == 15
    assert len(small) == len(large), same_count(small, large)


async def test_the_calendar_runs_as_many_statements_for_many_appointments_as_for_a_few(api, demo):
    token = await staff_token(api)
    now = utcnow()
    window = {"from": (now - timedelta(days=40)).isoformat(), "to": (now + timedelta(days=20)).isoformat()}
    await add_appointments(demo, 2, past=False, tag="a")
    small, before = await measure(api, CALENDAR, window, token=token)
    await add_appointments(demo, 12, past=True, tag="b")
    large, after = await measure(api, CALENDAR, window, token=token)
    assert len(after["calendar"]) == len(before["calendar"]) + 12
    assert len(small) == len(large), same_count(small, large)


async def test_a_calendar_of_many_clients_reads_their_details_and_memberships_in_as_many_statements_for_fifty(api, demo):
    token = await staff_token(api)
    now = utcnow()
    window = {"from": (now - timedelta(days=10)).isoformat(), "to": (now + timedelta(days=52)).isoformat()}
    query = CALENDAR.replace("canCancel }", "canCancel client { fullName email phone } coveredBy { name } }")
    await add_appointments(demo, 2, past=True, tag="a", clients=await add_clients(demo, 2, "a"))
    small, before = await measure(api, query, window, token=token)
    await add_appointments(demo, 48, past=False, tag="c", clients=await add_clients(demo, 48, "c"))
    large, after = await measure(api, query, window, token=token)
    assert len(after["calendar"]) == len(before["calendar"]) + 48
    assert len({a["client"]["fullName"] for a in after["calendar"]}) == 48 + 2 + 1  # and the demo client
    assert len(small) == len(large), same_count(small, large)
    assert sum('"client"' in s for s in large) == 1  # one read of the client table


async def test_available_slots_run_as_many_statements_for_eight_practitioners_as_for_two(api, demo):
    consultation = demo["demo"].treatments["Consultation"]
    first = utcnow().date() + timedelta(days=2)
    window = {"t": str(consultation.id), "from": first.isoformat(), "to": (first + timedelta(days=6)).isoformat()}
    small, before = await measure(api, SLOTS, window)
    await add_practitioners(demo["demo"].clinic.id, 6, [consultation], "a")
    large, after = await measure(api, SLOTS, window)
    assert len({s["practitioner"]["name"] for s in before["availableSlots"]}) == 2
    assert len({s["practitioner"]["name"] for s in after["availableSlots"]}) == 8
    assert len(small) == len(large), same_count(small, large)


async def test_the_consent_forms_of_many_treatments_are_read_in_one_statement(api, demo):
    from models import ConsentForm

    clinic_id = demo["demo"].clinic.id
    query = '{ clinic(slug: "demo") { treatments { name consentForm { title } } } }'

    async def forms_for(count: int, tag: str) -> list[str]:
        for i, treatment in enumerate(await add_treatments(clinic_id, count, tag)):
            form = await ConsentForm.create(clinic_id=clinic_id, title=f"Form {tag}{i}", body="Terms.")
            await Treatment.filter(id=treatment.id).update(consent_form_id=form.id)
        statements, data = await measure(api, query)
        titles = [t["consentForm"]["title"] for t in data["clinic"]["treatments"] if t["consentForm"]]
        assert {f"Form {tag}{i}" for i in range(count)} <= set(titles)
        return statements

    small = await forms_for(1, "a")
    large = await forms_for(8, "b")
    assert len(small) == len(large), same_count(small, large)
