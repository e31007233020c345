"""Administrators: the clinic's SMS settings and its failed messages."""

from __future__ import annotations

import strawberry

from resolvers.admin import messaging
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.types.messaging import OutgoingMessage, SmsSettings


@strawberry.input(description="Leave a field out to keep it; an empty string clears it.")
class SmsSettingsInput:
    account_sid: str | None = None
    auth_token: str | None = strawberry.field(default=None, description="Write-only.")
    from_number: str | None = None
    messaging_service_sid: str | None = None
    reminder_hours: list[int] | None = strawberry.field(default=None, description="Default [24].")


@strawberry.type
class UpdateSmsSettingsPayload(Payload):
    sms_settings: SmsSettings | None = None


@strawberry.type
class RetryMessagePayload(Payload):
    message: OutgoingMessage | None = None


async def _update(info: Info, data: SmsSettingsInput) -> dict:
    change = messaging.SmsSettingsChange(
        account_sid=data.account_sid,
        auth_token=data.auth_token,
        from_number=data.from_number,
        messaging_service_sid=data.messaging_service_sid,
        reminder_hours=data.reminder_hours,
    )
    return {"sms_settings": SmsSettings(model=await messaging.update_sms_settings(info.context.principal, change))}


async def _retry(info: Info, id: strawberry.ID) -> dict:
    return {"message": OutgoingMessage(model=await messaging.retry_message(info.context.runtime, info.context.principal, id))}


@strawberry.type
class MessagingQueries:
    @strawberry.field(description="Administrators: the clinic's Twilio settings.")
    async def sms_settings(self, info: Info) -> SmsSettings:
        return SmsSettings(model=await messaging.sms_settings(info.context.principal))

    @strawberry.field(description="Administrators: messages that failed for good, newest first.")
    async def failed_messages(self, info: Info, first: int | None = None) -> list[OutgoingMessage]:
        rows = await messaging.failed_messages(info.context.principal, first)
        return [OutgoingMessage(model=row) for row in rows]


@strawberry.type
class MessagingMutations:
    @strawberry.mutation(description="Administrators: set the clinic's Twilio account, sender and reminder times.")
    async def update_sms_settings(self, info: Info, input: SmsSettingsInput) -> UpdateSmsSettingsPayload:
        return await payload(UpdateSmsSettingsPayload, _update(info, input))

    @strawberry.mutation(description="Administrators: send a failed message again, with a fresh set of attempts.")
    async def retry_message(self, info: Info, id: strawberry.ID) -> RetryMessagePayload:
        return await payload(RetryMessagePayload, _retry(info, id))
