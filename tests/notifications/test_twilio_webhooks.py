"""Twilio's status callbacks and inbound messages: signed requests only."""

from __future__ import annotations

from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from models import Clinic, OutboxMessage, OutboxStatus, SmsOptOut
from tests.support.booking import BOOK, at, book_input
from tests.conftest import TEST_SETTINGS, client_token
from tests.support.outbox import drain, enqueue_sms, twilio  # noqa: F401

BASE = TEST_SETTINGS.public_api_url
PHONE = "+447700900001"


async def _post(api, path: str, params: dict[str, str], token: str | None, signature: str | None = None):
    headers = {"content-type": "application/x-www-form-urlencoded"}
    if signature is None and token is not None:
        signature = RequestValidator(token).compute_signature(f"{BASE}{path}", params)
    if signature is not None:
        headers["x-twilio-signature"] = signature
    return await api.http.post(path, content=urlencode(params), headers=headers)


async def _sent_row(runtime, demo) -> OutboxMessage:
    [row_id] = await enqueue_sms(demo["demo"].clinic.id, 1)
    assert await drain(runtime.settings) == ["SENT"]
    return await OutboxMessage.get(id=row_id)


def _status(row: OutboxMessage, demo, status: str) -> dict[str, str]:
    clinic = demo["demo"].clinic
    return {"MessageSid": row.provider_id, "MessageStatus": status, "AccountSid": clinic.twilio_account_sid, "To": row.payload["to"]}


async def test_a_signed_status_callback_updates_the_message_status(api, demo, twilio, runtime):
    row = await _sent_row(runtime, demo)
    token = demo["demo"].clinic.twilio_auth_token
    response = await _post(api, f"/webhooks/twilio?m={row.id}", _status(row, demo, "delivered"), token)
    assert response.status_code == 200
    assert (await OutboxMessage.get(id=row.id)).provider_status == "delivered"


async def test_a_late_callback_never_turns_delivered_back_into_sent(api, demo, twilio, runtime):
    row = await _sent_row(runtime, demo)
    token = demo["demo"].clinic.twilio_auth_token
    await _post(api, f"/webhooks/twilio?m={row.id}", _status(row, demo, "delivered"), token)
    await _post(api, f"/webhooks/twilio?m={row.id}", _status(row, demo, "sent"), token)
    assert (await OutboxMessage.get(id=row.id)).provider_status == "delivered"


async def test_status_callbacks_with_a_bad_or_missing_signature_are_refused(api, demo, twilio, runtime):
    row = await _sent_row(runtime, demo)
    params = _status(row, demo, "delivered")
    path = f"/webhooks/twilio?m={row.id}"
    assert (await _post(api, path, params, "another-token-entirely-1234")).status_code == 403
    assert (await _post(api, path, params, None)).status_code == 403
    signed = RequestValidator(demo["demo"].clinic.twilio_auth_token).compute_signature(f"{BASE}{path}", params)
    tampered = {**params, "MessageStatus": "failed"}
    assert (await _post(api, path, tampered, None, signature=signed)).status_code == 403
    assert (await OutboxMessage.get(id=row.id)).provider_status == "queued"


async def test_a_callback_for_an_unknown_message_is_refused(api, demo, twilio, runtime):
    row = await _sent_row(runtime, demo)
    path = "/webhooks/twilio?m=00000000-0000-0000-0000-000000000000"
    response = await _post(api, path, _status(row, demo, "delivered"), demo["demo"].clinic.twilio_auth_token)
    assert response.status_code == 403


def _inbound(demo, body: str, sender: str = PHONE) -> dict[str, str]:
    clinic = demo["demo"].clinic
    return {"MessageSid": "SM" + "ab" * 16, "AccountSid": clinic.twilio_account_sid, "From": sender, "To": clinic.twilio_from_number, "Body": body}


async def test_stop_opts_the_client_out_and_start_opts_them_back_in(api, demo, twilio, runtime):
    token = demo["demo"].clinic.twilio_auth_token
    response = await _post(api, "/webhooks/twilio/inbound", _inbound(demo, " stop "), token)
    assert response.status_code == 200 and "<Response>" in response.text
    assert await SmsOptOut.exists(clinic_id=demo["demo"].clinic.id, phone=PHONE)
    booked = (await api.data(BOOK, {"input": book_input(demo, start=at(5, 11))}, await client_token(api)))["bookAppointment"]
    assert booked["userErrors"] == []
    assert await drain(runtime.settings) == ["CANCELLED"]
    assert twilio.sandbox.messages == []
    await _post(api, "/webhooks/twilio/inbound", _inbound(demo, "START"), token)
    assert not await SmsOptOut.exists(clinic_id=demo["demo"].clinic.id, phone=PHONE)


async def test_stop_at_one_clinic_leaves_other_clinics_alone(api, demo, twilio):
    await _post(api, "/webhooks/twilio/inbound", _inbound(demo, "STOP"), demo["demo"].clinic.twilio_auth_token)
    assert not await SmsOptOut.exists(clinic_id=demo["northside"].clinic.id)


async def test_inbound_messages_with_a_bad_signature_or_unknown_account_are_refused(api, demo, twilio):
    params = _inbound(demo, "STOP")
    assert (await _post(api, "/webhooks/twilio/inbound", params, "not-the-clinics-token-123")).status_code == 403
    unknown = {**params, "AccountSid": "AC" + "9" * 32}
    assert (await _post(api, "/webhooks/twilio/inbound", unknown, demo["demo"].clinic.twilio_auth_token)).status_code == 403
    over_long = {**params, "AccountSid": "AC" + "9" * 10_000}  # longer than any stored account can be
    assert (await _post(api, "/webhooks/twilio/inbound", over_long, demo["demo"].clinic.twilio_auth_token)).status_code == 403
    assert not await SmsOptOut.exists(phone=PHONE)


async def test_other_replies_change_nothing(api, demo, twilio):
    response = await _post(api, "/webhooks/twilio/inbound", _inbound(demo, "Stop sending me the wrong time please"), demo["demo"].clinic.twilio_auth_token)
    assert response.status_code == 200
    assert not await SmsOptOut.exists(phone=PHONE)
    assert await OutboxMessage.filter(status=OutboxStatus.DEAD).count() == 0


async def test_a_clinic_that_copies_anothers_twilio_account_cannot_take_its_clients_stops(api, demo, twilio):
    real = demo["demo"].clinic
    await Clinic.filter(id=demo["northside"].clinic.id).update(
        twilio_account_sid=real.twilio_account_sid, twilio_from_number=real.twilio_from_number, twilio_auth_token="copycat-token"
    )
    response = await _post(api, "/webhooks/twilio/inbound", _inbound(demo, "STOP"), real.twilio_auth_token)
    assert response.status_code == 200
    assert await SmsOptOut.exists(clinic_id=real.id, phone=PHONE)
    assert not await SmsOptOut.exists(clinic_id=demo["northside"].clinic.id)
