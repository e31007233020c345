"""A clinic's SMS settings and its outgoing messages, as its administrators
see them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import Clinic as ClinicModel
from models import OutboxMessage as OutboxMessageModel
from models import OutboxStatus
from resolvers.notifications.sms_plan import reminder_hours
from schema.types.common import mirror

OutgoingMessageStatus = strawberry.enum(OutboxStatus, name="OutgoingMessageStatus")


@strawberry.type(description="The clinic's Twilio settings. The auth token is never returned.")
class SmsSettings:
    model: strawberry.Private[ClinicModel]

    account_sid: str | None = mirror("twilio_account_sid")
    from_number: str | None = mirror("twilio_from_number")
    messaging_service_sid: str | None = mirror("twilio_messaging_service_sid")

    @strawberry.field(description="Whether an auth token is stored (the token itself is never shown).")
    def auth_token_set(self) -> bool:
        return bool(self.model.twilio_auth_token)

    @strawberry.field(description="Whether SMS are sent: an account, a token and a sender are set.")
    def enabled(self) -> bool:
        return self.model.sms_configured

    @strawberry.field(description="Hours before an appointment at which a reminder is sent.")
    def reminder_hours(self) -> list[int]:
        return reminder_hours(self.model)


@strawberry.type(description="A message (SMS, e-mail, webhook) the clinic sends or sent.")
class OutgoingMessage:
    model: strawberry.Private[OutboxMessageModel]

    id: strawberry.ID = mirror("id")
    kind: str = mirror("kind")
    status: OutgoingMessageStatus = mirror("status")
    attempts: int = mirror("attempts")
    last_error: str | None = mirror("last_error")
    created_at: datetime = mirror("created_at")
    due_at: datetime = mirror("due_at")
    sent_at: datetime | None = mirror("sent_at")
    provider_status: str | None = mirror("provider_status", "The delivery status the provider last reported.")

    @strawberry.field
    def purpose(self) -> str | None:
        return (self.model.payload or {}).get("purpose")

    @strawberry.field(description="Who it is for: a phone number or e-mail addresses.")
    def recipient(self) -> str | None:
        to = (self.model.payload or {}).get("to")
        return ", ".join(map(str, to)) if isinstance(to, list) else to

    @strawberry.field
    def appointment_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.model.appointment_id)) if self.model.appointment_id else None
