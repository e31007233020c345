"""Administrators set the clinic's Twilio settings and see and retry messages
that failed for good; nobody else does, and no clinic sees another's."""

from __future__ import annotations

from dataclasses import replace

from models import Clinic, OutboxMessage, OutboxStatus
from tests.conftest import staff_token
from tests.support.outbox import drain, enqueue_sms, twilio  # noqa: F401

SETTINGS_FIELDS = "accountSid authTokenSet fromNumber messagingServiceSid reminderHours enabled"
UPDATE = (
    "mutation($i: SmsSettingsInput!) { updateSmsSettings(input: $i) {"
    f" smsSettings {{ {SETTINGS_FIELDS} }} userErrors {{ code field }} }} }}"
)
FAILED = "{ failedMessages { id kind purpose recipient status attempts lastError appointmentId } }"
RETRY = "mutation($id: ID!) { retryMessage(id: $id) { message { id status attempts } userErrors { code } } }"
SID = "AC" + "ab12" * 8


async def test_an_admin_sets_twilio_and_the_token_never_comes_back(api, demo):
    token = await staff_token(api, "northside")
    data = await api.data(
        UPDATE,
        {"i": {"accountSid": SID, "authToken": "a-very-secret-token-0123", "fromNumber": "(202) 555-0199", "reminderHours": [2, 24, 24]}},
        token,
    )
    result = data["updateSmsSettings"]
    assert result["userErrors"] == []
    assert result["smsSettings"] == {
        "accountSid": SID, "authTokenSet": True, "fromNumber": "+12025550199",
        "messagingServiceSid": None, "reminderHours": [24, 2], "enabled": True,
    }
    body = await api.post("{ smsSettings { accountSid authTokenSet } }", token=token)
    assert "a-very-secret-token-0123" not in str(body)
    assert (await Clinic.get(slug="northside")).twilio_auth_token == "a-very-secret-token-0123"


async def test_settings_left_out_are_kept_and_empty_ones_cleared(api, demo):
    token = await staff_token(api)
    result = (await api.data(UPDATE, {"i": {"fromNumber": ""}}, token))["updateSmsSettings"]
    assert result["smsSettings"]["enabled"] is False and result["smsSettings"]["authTokenSet"] is True
    assert result["smsSettings"]["accountSid"] == demo["demo"].clinic.twilio_account_sid


async def test_bad_settings_are_refused_and_nothing_is_written(api, demo):
    token = await staff_token(api)
    for change, field in (
        ({"accountSid": "AC123", "fromNumber": ""}, "accountSid"),
        ({"messagingServiceSid": "MGnope"}, "messagingServiceSid"),
        ({"fromNumber": "not a number"}, "fromNumber"),
        ({"reminderHours": [0]}, "reminderHours"),
        ({"reminderHours": [1, 2, 3, 4, 5, 6]}, "reminderHours"),
        ({"authToken": "short"}, "authToken"),
    ):
        result = (await api.data(UPDATE, {"i": change}, token))["updateSmsSettings"]
        assert [(e["code"], e["field"]) for e in result["userErrors"]] == [("INVALID_INPUT", ["input", field])]
    clinic = await Clinic.get(slug="demo")
    assert clinic.twilio_from_number == demo["demo"].clinic.twilio_from_number and clinic.sms_reminder_hours == [24]


async def test_only_administrators_reach_sms_settings_and_failed_messages(api, demo):
    client = await api.sign_in("demo", "client@demo.clinic", "demo-client-pass")
    practitioner = await api.staff_sign_in("alex@demo.clinic", "demo-practitioner-pass")
    for token in (None, client, practitioner):
        result = (await api.data(UPDATE, {"i": {"fromNumber": ""}}, token))["updateSmsSettings"]
        assert [e["code"] for e in result["userErrors"]] == ["UNAUTHENTICATED"]
        body = await api.post(FAILED, token=token)
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await Clinic.get(slug="demo")).twilio_from_number is not None


async def test_a_dead_message_shows_to_its_clinics_admins_only_and_can_be_sent_again(api, demo, twilio, runtime):
    [row_id] = await enqueue_sms(demo["demo"].clinic.id, 1)
    twilio.sandbox.set_fault("500", seconds=3600)
    runtime.settings = replace(runtime.settings, jobs_max_attempts=3, jobs_retry_base_seconds=0.01, jobs_retry_max_seconds=0.01)
    outcomes = []
    while not outcomes or outcomes[-1] == "retry":
        outcomes += await drain(runtime.settings)
    assert outcomes[-1] == "DEAD"
    row = await OutboxMessage.get(id=row_id)
    assert row.status == OutboxStatus.DEAD and row.attempts == 3 and "500" in row.last_error
    owner = await staff_token(api)
    [failed] = (await api.data(FAILED, token=owner))["failedMessages"]
    assert failed["id"] == str(row_id) and failed["recipient"] == "+447700900123" and failed["status"] == "DEAD"
    other = await staff_token(api, "northside")
    assert (await api.data(FAILED, token=other))["failedMessages"] == []
    refused = (await api.data(RETRY, {"id": str(row_id)}, other))["retryMessage"]
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_FOUND"]
    twilio.sandbox.set_fault("none")
    retried = (await api.data(RETRY, {"id": str(row_id)}, owner))["retryMessage"]
    assert retried["message"] == {"id": str(row_id), "status": "PENDING", "attempts": 0}
    assert await drain(runtime.settings) == ["SENT"]
    assert len(twilio.sandbox.messages) == 1
    again = (await api.data(RETRY, {"id": str(row_id)}, owner))["retryMessage"]
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_INPUT"]
