"""The one place that reads a clinic's rows by id (resolvers/core/tenant.py):
another clinic's row, another client's, a malformed id and a missing one all
answer the same way."""

from __future__ import annotations

import uuid

import pytest

from models import Appointment, Practitioner, Treatment
from resolvers.core import tenant
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.principal import ANONYMOUS, Principal, PrincipalKind
from resolvers.notifications.outbox import enqueue


def staff_of(clinic) -> Principal:
    return Principal(kind=PrincipalKind.STAFF, clinic_id=clinic.id, staff_is_admin=True)


def client_of(d) -> Principal:
    return Principal(kind=PrincipalKind.CLIENT, clinic_id=d.clinic.id, client_id=d.client.id)


async def not_found(lookup) -> str:
    with pytest.raises(DomainError) as raised:
        await lookup
    assert raised.value.code is ErrorCode.NOT_FOUND
    return raised.value.message


async def test_an_over_long_slug_or_gift_card_code_is_not_found_without_echoing_it(demo):
    long_text = "z" * 100_000
    assert await tenant.find_clinic_by_slug(long_text) is None
    for lookup in (
        tenant.clinic_by_slug(ANONYMOUS, long_text),
        tenant.gift_card_by_code(demo["demo"].clinic.id, long_text, ["code"]),
    ):
        assert long_text[:64] not in await not_found(lookup)


async def test_a_signed_in_caller_names_only_its_own_clinic(demo):
    demo_clinic, northside = demo["demo"].clinic, demo["northside"].clinic
    assert (await tenant.clinic_by_slug(ANONYMOUS, "northside")).id == northside.id
    assert (await tenant.clinic_by_slug(staff_of(demo_clinic), "demo")).id == demo_clinic.id
    elsewhere = await not_found(tenant.clinic_by_slug(staff_of(demo_clinic), "northside"))
    assert elsewhere == await not_found(tenant.clinic_by_slug(ANONYMOUS, "no-such-clinic"))


async def test_appointments_of_another_clinic_or_client_are_not_there(demo):
    d = demo["demo"]
    own = await Appointment.filter(client_id=d.client.id).first()
    assert (await tenant.find_appointment(client_of(d), str(own.id))).id == own.id
    assert (await tenant.find_appointment(staff_of(d.clinic), str(own.id))).id == own.id
    assert await tenant.find_appointment(staff_of(demo["northside"].clinic), str(own.id)) is None
    assert await tenant.find_appointment(client_of(demo["northside"]), str(own.id)) is None
    assert await tenant.find_appointment(client_of(d), "not-an-id") is None
    assert await tenant.appointments(ANONYMOUS).count() == 0


async def test_another_clinics_treatment_answers_like_a_missing_one(demo):
    d, other = demo["demo"], demo["northside"]
    theirs = next(iter(other.treatments.values()))
    mine = next(iter(d.treatments.values()))
    assert (await tenant.treatment(d.clinic.id, str(mine.id), ["id"])).id == mine.id
    messages = {
        await not_found(tenant.treatment(d.clinic.id, str(theirs.id), ["id"])),
        await not_found(tenant.treatment(d.clinic.id, str(uuid.uuid4()), ["id"])),
        await not_found(tenant.treatment(d.clinic.id, "garbled", ["id"])),
    }
    assert messages == {"Treatment not found."}


async def test_batch_reads_never_cross_clinics(demo):
    d, other = demo["demo"], demo["northside"]
    mine = next(iter(d.treatments.values()))
    theirs = next(iter(other.treatments.values()))
    found = await tenant.rows_by_key(Treatment, [(d.clinic.id, mine.id), (d.clinic.id, theirs.id), (other.clinic.id, theirs.id)])
    assert [row.id if row else None for row in found] == [mine.id, None, theirs.id]
    practitioner = next(iter(d.practitioners.values()))
    assert await tenant.rows_by_key(Practitioner, [(other.clinic.id, practitioner.id)]) == [None]


async def test_the_outbox_is_read_by_administrators_only_and_their_clinics_alone(demo):
    d, other = demo["demo"], demo["northside"]
    mine = await enqueue(d.clinic.id, "sms", {"to": "+447700900123", "body": "mine"})
    await enqueue(other.clinic.id, "sms", {"to": "+12025550123", "body": "theirs"})
    assert [row.id for row in await tenant.outbox_messages(staff_of(d.clinic)).filter(kind="sms")] == [mine.id]
    desk = Principal(kind=PrincipalKind.STAFF, clinic_id=d.clinic.id)
    with pytest.raises(DomainError) as raised:
        tenant.outbox_messages(desk)
    assert raised.value.code is ErrorCode.UNAUTHENTICATED
