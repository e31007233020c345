"""Tortoise models, one domain a file."""

from models.appointment import Appointment, AppointmentSource, AppointmentStatus
from models.balances import (
    Actor,
    GiftCard,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    LoyaltyCard,
    LoyaltyKind,
    LoyaltyProgramme,
    Membership,
    MembershipTreatment,
)
from models.base import fits, utcnow
from models.catalogue import ConsentForm, Practitioner, PractitionerTreatment, Treatment
from models.clinic import Clinic
from models.consent import ConsentRequest, ConsentRequestStatus
from models.events import ClinicEvent, EventHead, EventKind
from models.credential import Credential, CredentialKind, PrefillToken
from models.idempotency import IdempotencyKey
from models.notifications import EmailTemplate, NotifiedChanges, PractitionerEmailSettings
from models.outbox import OutboxMessage, OutboxStatus
from models.payment import Payment, PaymentMethod, Refund
from models.people import Client, StaffRole, StaffUser
from models.series import AppointmentSeries, SeriesUnit
from models.roster import RosterEntry, RosterException, RosterExceptionKind
from models.signin import PasswordResetToken, SignInCode
from models.hold import HoldStatus, SlotHold
from models.invite import StaffInvite
from models.legal import AcceptedVia, LegalAcceptance, LegalDocument, LegalDocumentKind
from models.waitlist import OfferMode, OfferStatus, WaitlistEntry, WaitlistOffer, WaitlistStatus
from models.sms import SmsOptOut
from models.verification import BookingCode
from models.webhook import WebhookEndpoint

MODEL_MODULES = [
    "models.clinic",
    "models.catalogue",
    "models.roster",
    "models.people",
    "models.appointment",
    "models.credential",
    "models.idempotency",
    "models.outbox",
    "models.notifications",
    "models.consent",
    "models.signin",
    "models.balances",
    "models.webhook",
    "models.invite",
    "models.payment",
    "models.sms",
    "models.events",
    "models.verification",
    "models.legal",
    "models.series",
    "models.hold",
    "models.waitlist",
]

__all__ = [
    "AcceptedVia",
    "BookingCode",
    "ClinicEvent",
    "EventHead",
    "EventKind",
    "LegalAcceptance",
    "LegalDocument",
    "LegalDocumentKind",
    "NotifiedChanges",
    "Actor",
    "GiftCard",
    "HoldStatus",
    "SlotHold",
    "OfferMode",
    "OfferStatus",
    "WaitlistEntry",
    "WaitlistOffer",
    "WaitlistStatus",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerKind",
    "LoyaltyCard",
    "LoyaltyKind",
    "LoyaltyProgramme",
    "Membership",
    "MembershipTreatment",
    "PasswordResetToken",
    "SignInCode",
    "MODEL_MODULES",
    "Appointment",
    "AppointmentSeries",
    "AppointmentSource",
    "AppointmentStatus",
    "Client",
    "Clinic",
    "ConsentForm",
    "ConsentRequest",
    "ConsentRequestStatus",
    "Credential",
    "CredentialKind",
    "EmailTemplate",
    "IdempotencyKey",
    "OutboxMessage",
    "OutboxStatus",
    "Payment",
    "PaymentMethod",
    "PrefillToken",
    "PractitionerEmailSettings",
    "Refund",
    "Practitioner",
    "PractitionerTreatment",
    "RosterEntry",
    "RosterException",
    "RosterExceptionKind",
    "SeriesUnit",
    "SmsOptOut",
    "StaffRole",
    "StaffInvite",
    "StaffUser",
    "Treatment",
    "WebhookEndpoint",
    "fits",
    "utcnow",
]
