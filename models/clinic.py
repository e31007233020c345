"""A clinic (the tenant) and its portal settings."""

from __future__ import annotations

import uuid

from tortoise import fields
from tortoise.models import Model

from models.base import utcnow


def default_reminder_hours() -> list[int]:
    return [24]


class Clinic(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    timezone = fields.CharField(max_length=64, default="Europe/London")
    currency = fields.CharField(max_length=3, default="GBP")
    # ISO 3166 country: how phone numbers typed without a country code are read.
    country = fields.CharField(max_length=2, default="GB")
    # Portal
    portal_enabled = fields.BooleanField(default=True)
    accepts_new_clients = fields.BooleanField(default=True)
    show_prices = fields.BooleanField(default=True)
    cancellation_notice_hours = fields.IntField(default=24)
    cancellation_policy_text = fields.TextField(null=True)
    booking_instructions = fields.TextField(null=True)
    terms_and_conditions = fields.TextField(null=True)
    branding_background_color = fields.CharField(max_length=16, null=True)
    branding_logo_url = fields.CharField(max_length=500, null=True)
    # What clients may do in the portal besides seeing their appointments;
    # staff and partner keys are not bound by these.
    clients_can_book = fields.BooleanField(default=True)
    clients_can_cancel = fields.BooleanField(default=True)
    clients_can_reschedule = fields.BooleanField(default=True)
    # Typed-in details on the booking page that match an existing client
    # book only once a one-time code sent to that client proves who it is.
    verify_manual_entry = fields.BooleanField(default=True)
    # Booking window and grid
    booking_min_notice_minutes = fields.IntField(default=60)
    booking_horizon_days = fields.IntField(default=180)
    slot_step_minutes = fields.IntField(default=15)
    # Slot holds: how long a picked time is kept for its holder (as long as
    # a pre-fill token lasts), and how many times one caller may hold at once.
    hold_minutes = fields.IntField(default=5)
    max_holds_per_caller = fields.IntField(default=3)
    # Waitlist offers: HOLD keeps a freed time for the first in line while
    # the offer lasts; ALL tells everyone matching and the first claim wins.
    waitlist_offer_mode = fields.CharField(max_length=8, default="HOLD")
    waitlist_offer_minutes = fields.IntField(default=30)
    # Practitioner-role staff see only their own diary unless this is set.
    practitioners_see_all_diaries = fields.BooleanField(default=False)
    # SMS through Twilio: off until an account and a sender are set. The
    # auth token is never returned by the API.
    twilio_account_sid = fields.CharField(max_length=64, null=True)
    twilio_auth_token = fields.CharField(max_length=128, null=True)
    twilio_from_number = fields.CharField(max_length=20, null=True)
    twilio_messaging_service_sid = fields.CharField(max_length=64, null=True)
    # The version of the privacy policy and user agreement a client accepts
    # when signing in by phone; raise it when the texts change.
    privacy_policy_version = fields.CharField(max_length=32, default="1")
    # Hours before an appointment at which an SMS reminder goes out (null on
    # rows older than the column: read as the default).
    sms_reminder_hours = fields.JSONField(default=default_reminder_hours, null=True)
    created_at = fields.DatetimeField(default=utcnow)

    @property
    def sms_configured(self) -> bool:
        return bool(
            self.twilio_account_sid
            and self.twilio_auth_token
            and (self.twilio_from_number or self.twilio_messaging_service_sid)
        )

    class Meta:
        table = "clinic"
