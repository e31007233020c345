"""No double booking, ever: many callers on one slot, one winner."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from tortoise.exceptions import IntegrityError

from models import Appointment, AppointmentSource, AppointmentStatus
from models.db import is_postgres
from tests.support.booking import BOOK, at, book_input
from tests.conftest import FAST_HASH_ENV
from tests.support.servers import running_server

CALLERS = 50


def _visitor(n: int) -> dict:
    return {"fullName": f"Visitor {n}", "email": f"visitor{n}@example.com", "phone": f"+4477009{n + 500:05d}"}  # none is a seeded client's


def _inputs(demo) -> list[dict]:
    practitioner = str(demo["demo"].practitioners["Alex Morgan"].id)
    return [book_input(demo, start=at(5, 11), practitionerId=practitioner, client=_visitor(n)) for n in range(CALLERS)]


async def _outcome(answers: list[dict], demo) -> None:
    codes = [tuple(e["code"] for e in a["data"]["bookAppointment"]["userErrors"]) for a in answers]
    assert codes.count(()) == 1, codes
    assert codes.count(("SLOT_UNAVAILABLE",)) == CALLERS - 1, codes
    practitioner = demo["demo"].practitioners["Alex Morgan"].id
    booked = await Appointment.filter(practitioner_id=practitioner, status=AppointmentStatus.BOOKED, source=AppointmentSource.ONLINE)
    assert len(booked) == 1


async def test_fifty_concurrent_bookings_in_one_process_leave_one_appointment(api, demo):
    answers = await asyncio.gather(*(api.post(BOOK, {"input": i}) for i in _inputs(demo)))
    await _outcome(answers, demo)


async def test_fifty_concurrent_bookings_across_server_processes_leave_one_appointment(backend, demo):
    env = {"DATABASE_URL": backend.url, **FAST_HASH_ENV}
    async with running_server(env, workers=3) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            responses = await asyncio.gather(
                *(client.post("/graphql", json={"query": BOOK, "variables": {"input": i}}) for i in _inputs(demo))
            )
    assert {r.status_code for r in responses} == {200}
    await _outcome([r.json() for r in responses], demo)


async def test_on_postgresql_the_database_itself_refuses_an_overlap(backend, demo):
    if not is_postgres():
        pytest.skip("exclusion constraints are PostgreSQL's; SQLite relies on the write lock")
    seeded = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    with pytest.raises(IntegrityError, match="appointment_no_overlap"):
        await Appointment.create(
            clinic_id=seeded.clinic_id,
            practitioner_id=seeded.practitioner_id,
            treatment_id=seeded.treatment_id,
            client_id=seeded.client_id,
            start_at=seeded.start_at + timedelta(minutes=30),
            end_at=seeded.end_at + timedelta(minutes=30),
            occupied_start=seeded.start_at + timedelta(minutes=30),
            occupied_end=seeded.occupied_end + timedelta(minutes=30),
            source=AppointmentSource.STAFF,
            currency="GBP",
        )
    # A cancelled appointment no longer holds its time.
    seeded.status = AppointmentStatus.CANCELLED
    await seeded.save()
    await Appointment.create(
        clinic_id=seeded.clinic_id, practitioner_id=seeded.practitioner_id, treatment_id=seeded.treatment_id,
        client_id=seeded.client_id, start_at=seeded.start_at, end_at=seeded.end_at,
        occupied_start=seeded.occupied_start, occupied_end=seeded.occupied_end, source=AppointmentSource.STAFF, currency="GBP",
    )


async def test_booking_links_never_reach_the_access_log(backend, demo):
    env = {"DATABASE_URL": backend.url, **FAST_HASH_ENV}
    secret = "Sup3rSecretTokenValue"
    async with running_server(env) as server:
        async with httpx.AsyncClient(base_url=server.url) as client:
            await client.get(f"/p/demo/book?token={secret}&x=1")
            await client.get("/health")
        await asyncio.sleep(0.3)
        text = server.log_text()
    assert "/p/demo/book?token=[redacted]" in text
    assert secret not in text
