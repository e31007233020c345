"""What a client holds at the clinic: an account balance, memberships
(courses of sessions), gift cards and loyalty cards.

No balance is ever stored as a number to overwrite: every change is a
`LedgerEntry` saying who, when and why, and each balance is the sum of its
rows (`amount` for money, `units` for sessions and points)."""

from __future__ import annotations

import uuid
from enum import StrEnum

from tortoise import fields

from models.base import TenantModel, utcnow


class Membership(TenantModel):
    """A course or package: a number of sessions of the treatments it
    covers, until it expires."""

    client = fields.ForeignKeyField("models.Client", related_name=False, on_delete=fields.CASCADE)
    client_id: uuid.UUID
    name = fields.CharField(max_length=200)
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "membership"
        indexes = (("client_id", "created_at"),)


class MembershipTreatment(TenantModel):
    membership = fields.ForeignKeyField("models.Membership", related_name=False, on_delete=fields.CASCADE)
    membership_id: uuid.UUID
    treatment = fields.ForeignKeyField("models.Treatment", related_name=False, on_delete=fields.CASCADE)
    treatment_id: uuid.UUID

    class Meta:
        table = "membership_treatment"
        unique_together = (("membership", "treatment"),)


class GiftCard(TenantModel):
    """A certificate with a value, spent in parts until it runs out or
    expires. Whoever holds the code may spend it at the clinic."""

    code = fields.CharField(max_length=32)
    client = fields.ForeignKeyField("models.Client", related_name=False, null=True, on_delete=fields.SET_NULL)
    client_id: uuid.UUID | None
    currency = fields.CharField(max_length=3)
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "gift_card"
        unique_together = (("clinic", "code"),)


class LoyaltyKind(StrEnum):
    POINTS = "POINTS"  # points collected
    CASHBACK = "CASHBACK"  # money back to spend at the clinic
    DISCOUNT = "DISCOUNT"  # a standing percentage off


class LoyaltyProgramme(TenantModel):
    """A programme and its one rule: POINTS earn `points_per_visit` for
    each completed visit, or `points_per_amount` for each whole
    `amount_step` paid; CASHBACK credits `cashback_percent` of what was
    paid; DISCOUNT takes `discount_percent` off the price at booking.
    `terms` is the promotion's wording shown to the client."""

    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(LoyaltyKind, max_length=16)
    discount_percent = fields.SmallIntField(null=True)  # DISCOUNT programmes
    points_per_visit = fields.IntField(null=True)  # POINTS, per visit
    points_per_amount = fields.IntField(null=True)  # POINTS, per amount spent...
    amount_step = fields.DecimalField(max_digits=10, decimal_places=2, null=True)  # ...for each whole step of it
    cashback_percent = fields.DecimalField(max_digits=5, decimal_places=2, null=True)  # CASHBACK programmes
    terms = fields.TextField(null=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "loyalty_programme"
        unique_together = (("clinic", "name"),)


class LoyaltyCard(TenantModel):
    programme = fields.ForeignKeyField("models.LoyaltyProgramme", related_name=False, on_delete=fields.CASCADE)
    programme_id: uuid.UUID
    client = fields.ForeignKeyField("models.Client", related_name=False, on_delete=fields.CASCADE)
    client_id: uuid.UUID
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "loyalty_card"
        unique_together = (("programme", "client"),)


class LedgerAccount(StrEnum):
    ACCOUNT = "ACCOUNT"  # the client's money balance: positive in credit, negative owed
    MEMBERSHIP = "MEMBERSHIP"  # sessions
    GIFT_CARD = "GIFT_CARD"  # money
    LOYALTY = "LOYALTY"  # points, or cashback money


class LedgerKind(StrEnum):
    ISSUED = "ISSUED"  # a membership's sessions or a gift card's value, when issued
    ADJUSTED = "ADJUSTED"  # a change by staff (a top-up, a correction, a charge)
    USED = "USED"  # spent on an appointment or at the till
    RETURNED = "RETURNED"  # given back (an appointment cancelled in time, or moved)
    EARNED = "EARNED"  # loyalty points or cashback credited by a completed visit
    REVERSED = "REVERSED"  # an earning taken back (the completion undone, the payment refunded)


class Actor(StrEnum):
    STAFF = "STAFF"
    PARTNER = "PARTNER"
    CLIENT = "CLIENT"
    SYSTEM = "SYSTEM"


class LedgerEntry(TenantModel):
    account = fields.CharEnumField(LedgerAccount, max_length=16)
    kind = fields.CharEnumField(LedgerKind, max_length=16)
    # SET_NULL: a gift card's rows outlive the client it was issued to.
    client = fields.ForeignKeyField("models.Client", related_name=False, null=True, on_delete=fields.SET_NULL)
    client_id: uuid.UUID | None
    membership = fields.ForeignKeyField("models.Membership", related_name=False, null=True, on_delete=fields.CASCADE)
    membership_id: uuid.UUID | None
    gift_card = fields.ForeignKeyField("models.GiftCard", related_name=False, null=True, on_delete=fields.CASCADE)
    gift_card_id: uuid.UUID | None
    loyalty_card = fields.ForeignKeyField("models.LoyaltyCard", related_name=False, null=True, on_delete=fields.CASCADE)
    loyalty_card_id: uuid.UUID | None
    appointment = fields.ForeignKeyField("models.Appointment", related_name=False, null=True, on_delete=fields.SET_NULL)
    appointment_id: uuid.UUID | None
    amount = fields.DecimalField(max_digits=12, decimal_places=2, null=True)  # money
    units = fields.IntField(null=True)  # sessions or points
    reason = fields.CharField(max_length=500)
    actor = fields.CharEnumField(Actor, max_length=16)
    actor_id = fields.UUIDField(null=True)  # staff user, partner key or client
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "ledger_entry"
        indexes = (
            ("client_id", "account", "created_at"),
            ("membership_id",),
            ("gift_card_id",),
            ("loyalty_card_id",),
            ("appointment_id", "account"),
        )
