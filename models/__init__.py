"""Tortoise models, one domain a file."""

from models.appointment import Appointment, AppointmentSource, AppointmentStatus
from models.base import utcnow
from models.catalogue import ConsentForm, Practitioner, PractitionerTreatment, Treatment
from models.clinic import Clinic
from models.credential import Credential, CredentialKind, PrefillToken
from models.idempotency import IdempotencyKey
from models.outbox import OutboxMessage, OutboxStatus
from models.people import Client, StaffRole, StaffUser
from models.sms import SmsOptOut
from models.roster import RosterEntry, RosterException, RosterExceptionKind

MODEL_MODULES = [
    "models.clinic",
    "models.catalogue",
    "models.roster",
    "models.people",
    "models.appointment",
    "models.credential",
    "models.idempotency",
    "models.outbox",
    "models.sms",
]

__all__ = [
    "MODEL_MODULES",
    "Appointment",
    "AppointmentSource",
    "AppointmentStatus",
    "Client",
    "Clinic",
    "ConsentForm",
    "Credential",
    "CredentialKind",
    "IdempotencyKey",
    "OutboxMessage",
    "OutboxStatus",
    "PrefillToken",
    "Practitioner",
    "PractitionerTreatment",
    "RosterEntry",
    "RosterException",
    "RosterExceptionKind",
    "SmsOptOut",
    "StaffRole",
    "StaffUser",
    "Treatment",
    "utcnow",
]
