"""The waitlist: clients waiting for a time that is not free yet, and the
offers sent to them when one frees up.

An offer carries a single-use claim link: a random token of which only the
SHA-256 is stored, valid for the clinic's `waitlist_offer_minutes`."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel, utcnow


class WaitlistStatus(StrEnum):
    WAITING = "WAITING"
    BOOKED = "BOOKED"  # an offer was claimed: `appointment_id`
    LEFT = "LEFT"  # the client left the list
    REMOVED = "REMOVED"  # the clinic's staff took it off


class OfferMode(StrEnum):
    HOLD = "HOLD"  # the first in line gets the time, held for them while the offer lasts
    ALL = "ALL"  # everyone matching is told at once; the first to claim books it


class OfferStatus(StrEnum):
    OPEN = "OPEN"
    CLAIMED = "CLAIMED"  # its link was spent on a booking
    GONE = "GONE"  # spent, but the time had been taken: the entry keeps waiting


class WaitlistEntry(TenantModel):
    client = fields.ForeignKeyField("models.Client", related_name=False, on_delete=fields.CASCADE)
    client_id: uuid.UUID
    treatment = fields.ForeignKeyField("models.Treatment", related_name=False, on_delete=fields.CASCADE)
    treatment_id: uuid.UUID
    practitioner = fields.ForeignKeyField("models.Practitioner", related_name=False, null=True, on_delete=fields.CASCADE)
    practitioner_id: uuid.UUID | None
    date_from = fields.DateField()  # the clinic's local dates, inclusive
    date_to = fields.DateField()
    # Local wall-clock minutes of the day the appointment may start in, inclusive.
    earliest_minute = fields.IntField(default=0)
    latest_minute = fields.IntField(default=24 * 60 - 1)
    status = fields.CharEnumField(WaitlistStatus, max_length=16, default=WaitlistStatus.WAITING)
    appointment_id = fields.UUIDField(null=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "waitlist_entry"
        indexes = (("clinic_id", "status", "created_at"), ("client_id", "status"))


class WaitlistOffer(TenantModel):
    entry = fields.ForeignKeyField("models.WaitlistEntry", related_name=False, on_delete=fields.CASCADE)
    entry_id: uuid.UUID
    practitioner_id = fields.UUIDField()
    start_at = fields.DatetimeField()
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    hold_id = fields.UUIDField(null=True)  # with OfferMode.HOLD
    status = fields.CharEnumField(OfferStatus, max_length=16, default=OfferStatus.OPEN)
    claimed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "waitlist_offer"
        indexes = (("entry_id", "start_at"),)
