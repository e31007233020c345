"""Payments against appointments and refunds against payments."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

from models import Appointment, Payment, Refund, StaffUser, utcnow
from resolvers.account.auth import hash_password
from resolvers.account import credentials
from models import CredentialKind
from resolvers.demo.clinics import PRACTITIONER_PASSWORD
from tests.conftest import client_token, staff_token

RECORD = (
    "mutation($input: RecordPaymentInput!) { recordPayment(input: $input) {"
    " payment { id appointmentId amount { amount currency } method takenAt note net { amount } }"
    " userErrors { code message field } } }"
)
REFUND = (
    "mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {"
    " refund { id paymentId amount { amount currency } reason }"
    " payment { id refunded { amount } net { amount } refunds { amount { amount } } }"
    " userErrors { code message field } } }"
)
APPOINTMENT_PAYMENTS = (
    "query($id: ID!) { appointment(id: $id) { id payments { id amount { amount currency } method note"
    " refunded { amount } net { amount } refunds { reason amount { amount } } } } }"
)


async def past_appointment(demo, slug: str = "demo") -> Appointment:
    return await Appointment.filter(clinic_id=demo[slug].clinic.id, start_at__lt=utcnow()).first()


async def record(api, token: str, appointment_id, amount: str = "45.00", **extra) -> dict:
    variables = {"input": {"appointmentId": str(appointment_id), "amount": amount, "method": "CARD", **extra}}
    return (await api.data(RECORD, variables, token))["recordPayment"]


async def refund(api, token: str, payment_id: str, amount: str, reason: str = "Goodwill") -> dict:
    variables = {"input": {"paymentId": payment_id, "amount": amount, "reason": reason}}
    return (await api.data(REFUND, variables, token))["refundPayment"]


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def test_staff_record_a_payment_that_then_shows_on_the_appointment(api, demo):
    token = await staff_token(api)
    appointment = await past_appointment(demo)
    recorded = await record(api, token, appointment.id, "45.5", note="Paid at the desk")
    assert recorded["userErrors"] == []
    assert recorded["payment"]["amount"] == {"amount": "45.50", "currency": "GBP"}
    assert recorded["payment"]["method"] == "CARD"
    assert recorded["payment"]["appointmentId"] == str(appointment.id)
    data = await api.data(APPOINTMENT_PAYMENTS, {"id": str(appointment.id)}, token)
    [payment] = data["appointment"]["payments"]
    assert payment["amount"]["amount"] == "45.50"
    assert payment["note"] == "Paid at the desk"
    assert payment["net"]["amount"] == "45.50"


async def test_refunds_add_up_and_never_exceed_what_is_left_of_the_payment(api, demo):
    token = await staff_token(api)
    appointment = await past_appointment(demo)
    payment_id = (await record(api, token, appointment.id, "60.00"))["payment"]["id"]
    first = await refund(api, token, payment_id, "25.00")
    assert first["userErrors"] == []
    assert first["payment"]["refunded"]["amount"] == "25.00"
    assert first["payment"]["net"]["amount"] == "35.00"
    too_much = await refund(api, token, payment_id, "35.01")
    assert codes(too_much) == ["INVALID_INPUT"] and too_much["userErrors"][0]["field"] == ["amount"]
    assert "35.00" in too_much["userErrors"][0]["message"]
    rest = await refund(api, token, payment_id, "35.00", reason="Treatment redone for free")
    assert rest["userErrors"] == [] and rest["payment"]["net"]["amount"] == "0.00"
    assert codes(await refund(api, token, payment_id, "0.01")) == ["INVALID_INPUT"]
    assert await Refund.filter(payment_id=payment_id).count() == 2


async def test_bad_amounts_and_currencies_are_refused_and_nothing_is_written(api, demo):
    token = await staff_token(api)
    appointment = await past_appointment(demo)
    for amount in ("0", "-5.00", "1.234", "abc", "NaN", "Infinity", "100000000.00"):
        payload = await record(api, token, appointment.id, amount)
        assert codes(payload) == ["INVALID_INPUT"], amount
        assert payload["userErrors"][0]["field"] == ["amount"]
    wrong_currency = await record(api, token, appointment.id, "10.00", currency="USD")
    assert codes(wrong_currency) == ["INVALID_INPUT"] and wrong_currency["userErrors"][0]["field"] == ["currency"]
    future = (utcnow() + timedelta(hours=2)).isoformat()
    assert codes(await record(api, token, appointment.id, "10.00", takenAt=future)) == ["INVALID_INPUT"]
    assert await Payment.all().count() == 0
    payment_id = (await record(api, token, appointment.id, "10.00", currency="gbp"))["payment"]["id"]
    assert codes(await refund(api, token, payment_id, "5.00", reason="   ")) == ["INVALID_INPUT"]
    assert await Refund.all().count() == 0


async def test_another_clinics_appointment_or_payment_is_reported_as_not_found(api, demo):
    theirs = await past_appointment(demo, "northside")
    northside = await staff_token(api, "northside")
    their_payment = (await record(api, northside, theirs.id, "20.00"))["payment"]["id"]
    token = await staff_token(api)
    for appointment_id in (theirs.id, uuid.uuid4(), "not-an-id"):
        payload = await record(api, token, appointment_id)
        assert payload["userErrors"] == [{"code": "NOT_FOUND", "message": "Appointment not found.", "field": ["appointmentId"]}]
    for payment_id in (their_payment, str(uuid.uuid4())):
        payload = await refund(api, token, payment_id, "1.00")
        assert payload["userErrors"] == [{"code": "NOT_FOUND", "message": "Payment not found.", "field": ["paymentId"]}]
    assert await Refund.all().count() == 0
    assert await Payment.filter(clinic_id=demo["demo"].clinic.id).count() == 0


async def test_a_client_sees_their_own_payments_without_staff_notes_but_cannot_record_one(api, demo):
    staff = await staff_token(api)
    appointment = await past_appointment(demo)
    payment_id = (await record(api, staff, appointment.id, "30.00", note="Regular; prefers cash"))["payment"]["id"]
    await refund(api, staff, payment_id, "5.00", reason="Late start")
    client = await client_token(api)
    data = await api.data(APPOINTMENT_PAYMENTS, {"id": str(appointment.id)}, client)
    [payment] = data["appointment"]["payments"]
    assert payment["note"] is None
    assert payment["net"]["amount"] == "25.00"
    assert payment["refunds"] == [{"reason": "Late start", "amount": {"amount": "5.00"}}]
    assert codes(await record(api, client, appointment.id)) == ["UNAUTHENTICATED"]


async def test_a_practitioner_takes_payments_in_their_own_diary_but_may_not_refund(api, demo):
    alex = await api.staff_sign_in("alex@demo.clinic", PRACTITIONER_PASSWORD)
    clinic = demo["demo"]
    own = await Appointment.filter(clinic_id=clinic.clinic.id, practitioner_id=clinic.practitioners["Alex Morgan"].id).first()
    recorded = await record(api, alex, own.id, "40.00")
    assert recorded["userErrors"] == []
    assert codes(await refund(api, alex, recorded["payment"]["id"], "1.00")) == ["UNAUTHENTICATED"]
    other = await Appointment.create(
        clinic_id=clinic.clinic.id, practitioner_id=clinic.practitioners["Sam Patel"].id,
        treatment_id=own.treatment_id, client_id=own.client_id, start_at=own.start_at - timedelta(days=3),
        end_at=own.end_at - timedelta(days=3), occupied_start=own.start_at - timedelta(days=3),
        occupied_end=own.end_at - timedelta(days=3), source="STAFF", currency="GBP", status="COMPLETED",
    )  # fmt: skip
    assert codes(await record(api, alex, other.id)) == ["NOT_FOUND"]


async def test_partner_keys_record_payments_only_with_the_admin_scope(api, demo):
    clinic_id = demo["demo"].clinic.id
    appointment = await past_appointment(demo)
    reader, _ = await credentials.issue(CredentialKind.API_KEY, clinic_id, lifetime=None, scopes=["read", "book", "calendar"])
    admin, _ = await credentials.issue(CredentialKind.API_KEY, clinic_id, lifetime=None, scopes=["admin"])
    assert codes(await record(api, reader, appointment.id)) == ["UNAUTHENTICATED"]
    recorded = await record(api, admin, appointment.id, "12.00")
    assert recorded["userErrors"] == []
    data = await api.data(APPOINTMENT_PAYMENTS, {"id": str(appointment.id)}, reader)
    assert [p["amount"]["amount"] for p in data["appointment"]["payments"]] == ["12.00"]
    stored = await Payment.get(id=recorded["payment"]["id"])
    assert stored.recorded_by == "PARTNER" and stored.amount == Decimal("12.00")


async def test_payments_of_many_appointments_each_land_on_their_own_appointment(api, demo):
    token = await staff_token(api)
    rows = await Appointment.filter(clinic_id=demo["demo"].clinic.id).order_by("start_at")
    for n, row in enumerate(rows, start=1):
        await record(api, token, row.id, f"{n}.00")
        await record(api, token, row.id, f"{n}.50", method="CASH")
    start = (rows[0].start_at - timedelta(days=1)).isoformat()
    end = (rows[-1].start_at + timedelta(days=1)).isoformat()
    data = await api.data(
        "query($f: DateTime!, $t: DateTime!) { calendar(from: $f, to: $t) { id payments { amount { amount } method } } }",
        {"f": start, "t": end},
        token,
    )
    by_id = {a["id"]: a["payments"] for a in data["calendar"]}
    for n, row in enumerate(rows, start=1):
        assert by_id[str(row.id)] == [
            {"amount": {"amount": f"{n}.00"}, "method": "CARD"},
            {"amount": {"amount": f"{n}.50"}, "method": "CASH"},
        ]


async def test_only_one_of_four_refunds_racing_for_the_rest_of_a_payment_passes(api, demo):
    import asyncio

    from resolvers.core.errors import DomainError
    from resolvers.billing.payments import PaymentRequest, record_payment, refund_payment
    from resolvers.core.principal import Principal, PrincipalKind

    clinic = demo["demo"]
    admin = Principal(kind=PrincipalKind.STAFF, clinic_id=clinic.clinic.id, staff_id=clinic.owner.id, staff_is_admin=True)
    appointment = await past_appointment(demo)
    payment = await record_payment(admin, PaymentRequest(str(appointment.id), "50.00", "CARD"))
    outcomes = await asyncio.gather(
        *(refund_payment(admin, str(payment.id), "30.00", f"Refund {n}") for n in range(4)), return_exceptions=True
    )
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 3 and {e.code.value for e in refused} == {"INVALID_INPUT"}, outcomes
    assert [r.amount for r in await Refund.filter(payment_id=payment.id)] == [Decimal("30.00")]


async def test_a_payment_sent_again_with_its_idempotency_key_is_recorded_once(api, demo, runtime):
    staff = await staff_token(api)
    appointment = await past_appointment(demo)
    first = await record(api, staff, appointment.id, "30.00", idempotencyKey="till-7-receipt-1")
    assert first["userErrors"] == []
    again = await record(api, staff, appointment.id, "30.00", idempotencyKey="till-7-receipt-1")
    assert again["payment"]["id"] == first["payment"]["id"]
    racing = await asyncio.gather(
        *(record(api, staff, appointment.id, "12.50", idempotencyKey="till-7-receipt-2") for _ in range(5))
    )
    assert [r["userErrors"] for r in racing] == [[]] * 5 and len({r["payment"]["id"] for r in racing}) == 1
    other_input = await record(api, staff, appointment.id, "31.00", idempotencyKey="till-7-receipt-1")
    assert [(e["code"], e["field"]) for e in other_input["userErrors"]] == [("IDEMPOTENCY_CONFLICT", ["idempotencyKey"])]
    assert await Payment.filter(appointment_id=appointment.id).count() == 2
    # Keys are the recorder's own: another staff user's same key is another payment.
    await StaffUser.create(
        clinic_id=demo["demo"].clinic.id, email="desk@demo.clinic", full_name="Front Desk",
        password_hash=await hash_password(runtime, "front-desk-pass"),
    )  # fmt: skip
    desk = await api.staff_sign_in("desk@demo.clinic", "front-desk-pass")
    theirs = await record(api, desk, appointment.id, "30.00", idempotencyKey="till-7-receipt-1")
    assert theirs["userErrors"] == [] and theirs["payment"]["id"] != first["payment"]["id"]
    empty = await record(api, staff, appointment.id, "30.00", idempotencyKey="  ")
    assert [e["code"] for e in empty["userErrors"]] == ["INVALID_INPUT"]
    assert await Payment.filter(appointment_id=appointment.id).count() == 3
