"""SMS planned with each appointment change and sent through the real
`twilio` client to the local stand-in for Twilio's API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models import Appointment, AppointmentStatus, Clinic, OutboxMessage, OutboxStatus, SmsOptOut
from resolvers.notifications.outbox import enqueue
from tests.support.booking import BOOK, CANCEL, RESCHEDULE, at, book_input
from tests.conftest import client_token, staff_token
from tests.support.outbox import drain, enqueue_sms, sms_rows, twilio  # noqa: F401

PHONE = "+447700900001"  # the demo client


async def _book(api, demo, token, **kw) -> dict:
    booked = (await api.data(BOOK, {"input": book_input(demo, **kw)}, token))["bookAppointment"]
    assert booked["userErrors"] == [], booked
    return booked["appointment"]


async def test_a_booking_writes_its_confirmation_and_reminder_and_sends_nothing_inside_the_request(api, demo, twilio):
    token = await client_token(api)
    booked = await _book(api, demo, token, start=at(5, 11))
    assert twilio.sandbox.messages == []
    confirmation, reminder = await sms_rows(demo["demo"].clinic.id, "confirmation"), await sms_rows(demo["demo"].clinic.id, "reminder")
    assert len(confirmation) == 1 and len(reminder) == 1
    assert confirmation[0].payload["to"] == PHONE and "Facial" in confirmation[0].payload["body"]
    assert str(reminder[0].appointment_id) == booked["id"]
    start = datetime.fromisoformat(booked["start"])
    assert reminder[0].due_at == start - timedelta(hours=24)


async def test_the_confirmation_goes_through_twilio_once_and_the_reminder_waits(api, demo, twilio, runtime):
    await _book(api, demo, await client_token(api), start=at(5, 11))
    assert await drain(runtime.settings) == ["SENT"]
    assert await drain(runtime.settings) == []
    [sent] = twilio.sandbox.messages
    assert sent["to"] == PHONE and sent["from"] == demo["demo"].clinic.twilio_from_number
    assert sent["account_sid"] == demo["demo"].clinic.twilio_account_sid
    [row] = await sms_rows(demo["demo"].clinic.id, "confirmation")
    assert row.status == OutboxStatus.SENT and row.provider_id == sent["sid"] and row.provider_id.startswith("SM")
    assert row.provider_status == "queued" and row.attempts == 1
    [reminder] = await sms_rows(demo["demo"].clinic.id, "reminder")
    assert reminder.status == OutboxStatus.PENDING and reminder.attempts == 0


async def test_cancelling_drops_what_was_still_waiting_and_sends_a_cancellation(api, demo, twilio, runtime):
    token = await client_token(api)
    booked = await _book(api, demo, token, start=at(5, 11))
    cancelled = (await api.data(CANCEL, {"id": booked["id"]}, token))["cancelAppointment"]
    assert cancelled["userErrors"] == []
    [reminder] = await sms_rows(demo["demo"].clinic.id, "reminder")
    [confirmation] = await sms_rows(demo["demo"].clinic.id, "confirmation")
    assert reminder.status == confirmation.status == OutboxStatus.CANCELLED  # never "confirmed" after "cancelled"
    assert await drain(runtime.settings) == ["SENT"]
    [body] = twilio.sandbox.bodies_to(PHONE)
    assert "has been cancelled" in body


async def test_a_confirmation_already_sent_stays_sent_and_the_cancellation_follows(api, demo, twilio, runtime):
    token = await client_token(api)
    booked = await _book(api, demo, token, start=at(5, 11))
    assert await drain(runtime.settings) == ["SENT"]  # the confirmation
    assert (await api.data(CANCEL, {"id": booked["id"]}, token))["cancelAppointment"]["userErrors"] == []
    assert await drain(runtime.settings) == ["SENT"]
    bodies = twilio.sandbox.bodies_to(PHONE)
    assert len(bodies) == 2 and "has been cancelled" in bodies[1] and "has been cancelled" not in bodies[0]


async def test_rescheduling_plans_reminders_for_the_new_time_and_drops_the_old_ones(api, demo, twilio, runtime):
    token = await staff_token(api)
    booked = await _book(api, demo, token, start=at(5, 11), clientId=str(demo["demo"].client.id))
    moved = (await api.data(RESCHEDULE, {"id": booked["id"], "start": at(8, 14)}, token))["rescheduleAppointment"]
    assert moved["userErrors"] == []
    reminders = await sms_rows(demo["demo"].clinic.id, "reminder")
    by_appointment = {str(r.appointment_id): r for r in reminders}
    assert by_appointment[booked["id"]].status == OutboxStatus.CANCELLED
    new = by_appointment[moved["appointment"]["id"]]
    assert new.status == OutboxStatus.PENDING
    assert new.due_at == datetime.fromisoformat(moved["appointment"]["start"]) - timedelta(hours=24)
    [old_confirmation] = await sms_rows(demo["demo"].clinic.id, "confirmation")
    assert old_confirmation.status == OutboxStatus.CANCELLED  # it would name the old time
    assert await drain(runtime.settings) == ["SENT"]
    [body] = twilio.sandbox.bodies_to(PHONE)
    assert "has moved to" in body


async def test_reminders_follow_the_clinics_lead_times_and_skip_those_already_past(api, demo, twilio):
    await Clinic.filter(id=demo["demo"].clinic.id).update(sms_reminder_hours=[2, 48, 24 * 10])
    booked = await _book(api, demo, await staff_token(api), start=at(5, 11), clientId=str(demo["demo"].client.id))
    start = datetime.fromisoformat(booked["start"])
    dues = sorted(r.due_at for r in await sms_rows(demo["demo"].clinic.id, "reminder"))
    assert dues == [start - timedelta(hours=48), start - timedelta(hours=2)]


async def test_a_reminder_for_an_appointment_no_longer_booked_is_cancelled_not_sent(api, demo, twilio, runtime):
    appointment = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    payload = {"to": PHONE, "body": "See you tomorrow", "client_id": None, "purpose": "reminder"}
    row = await enqueue(demo["demo"].clinic.id, "sms", payload, appointment_id=appointment.id)
    await Appointment.filter(id=appointment.id).update(status=AppointmentStatus.NO_SHOW)
    assert await drain(runtime.settings) == ["CANCELLED"]
    assert twilio.sandbox.messages == []
    assert (await OutboxMessage.get(id=row.id)).status == OutboxStatus.CANCELLED


async def test_a_reminder_still_failing_when_the_appointment_starts_is_dropped(api, demo, twilio, runtime):
    appointment = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    payload = {"to": PHONE, "body": "See you tomorrow", "client_id": None, "purpose": "reminder"}
    row = await enqueue(demo["demo"].clinic.id, "sms", payload, appointment_id=appointment.id)
    started = datetime.now(UTC) - timedelta(minutes=5)  # Twilio was down until after the start
    await Appointment.filter(id=appointment.id).update(start_at=started, end_at=started + timedelta(hours=1))
    assert await drain(runtime.settings) == ["CANCELLED"]
    assert twilio.sandbox.messages == []
    assert (await OutboxMessage.get(id=row.id)).last_error == "The appointment has already started."


async def test_a_clinic_without_twilio_gets_no_sms(api, demo, twilio):
    token = await client_token(api, "northside")
    await _book(api, demo, token, slug="northside", start=at(5, 11, tz="America/New_York"))
    assert await sms_rows(demo["northside"].clinic.id) == []


async def test_a_client_who_replied_stop_gets_nothing(api, demo, twilio, runtime):
    await SmsOptOut.create(clinic_id=demo["demo"].clinic.id, phone=PHONE)
    await _book(api, demo, await client_token(api), start=at(5, 11))
    assert await drain(runtime.settings) == ["CANCELLED"]
    assert twilio.sandbox.messages == []


async def test_texts_are_in_the_clients_language(api, demo, twilio):
    await demo["demo"].client.__class__.filter(id=demo["demo"].client.id).update(language="es")
    await _book(api, demo, await client_token(api), start=at(5, 11))
    [row] = await sms_rows(demo["demo"].clinic.id, "confirmation")
    assert "su cita de Facial" in row.payload["body"]


async def test_a_messaging_service_is_used_instead_of_a_sender_number_when_set(api, demo, twilio, runtime):
    await Clinic.filter(id=demo["demo"].clinic.id).update(twilio_messaging_service_sid="MG" + "1" * 32, twilio_from_number=None)
    [row_id] = await enqueue_sms(demo["demo"].clinic.id, 1)
    assert await drain(runtime.settings) == ["SENT"]
    [sent] = twilio.sandbox.messages
    assert sent["messaging_service_sid"] == "MG" + "1" * 32 and sent["from"] is None


async def test_an_attempt_that_reached_twilio_before_its_worker_died_is_not_sent_again(api, demo, twilio, runtime):
    [row_id] = await enqueue_sms(demo["demo"].clinic.id, 1)
    assert await drain(runtime.settings) == ["SENT"]
    sid = (await OutboxMessage.get(id=row_id)).provider_id
    # What a worker killed between Twilio's answer and its own UPDATE leaves behind:
    # the row still pending, its lease run out, the attempt marked as in doubt.
    past = datetime.now(UTC) - timedelta(seconds=5)
    await OutboxMessage.filter(id=row_id).update(
        status=OutboxStatus.PENDING, provider_id=None, sent_at=None, lease_until=past, in_doubt_since=past - timedelta(seconds=1)
    )
    assert await drain(runtime.settings) == ["SENT"]
    assert len(twilio.sandbox.messages) == 1
    row = await OutboxMessage.get(id=row_id)
    assert row.provider_id == sid and row.result["found_after_interruption"] is True and row.in_doubt_since is None


async def test_a_number_twilio_refuses_is_dead_at_once(api, demo, twilio, runtime):
    [row_id] = await enqueue_sms(demo["demo"].clinic.id, 1, to="+15005550001")
    assert await drain(runtime.settings) == ["DEAD"]
    row = await OutboxMessage.get(id=row_id)
    assert row.attempts == 1 and "21211" in row.last_error
