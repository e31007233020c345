"""A new clinic (tenant) with its first administrator: by the platform's
operators (`clinicportal create-clinic`), or self-serve through the
`createClinic` mutation where `CLINIC_SIGNUP` allows it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from tortoise.exceptions import IntegrityError

from models import Clinic, CredentialKind, StaffRole, StaffUser
from models.db import write_transaction
from resolvers.account.auth import IssuedSession, issue_session, staff_password_hash
from resolvers.core.ratelimit import network
from resolvers.core.runtime import Runtime
from resolvers.core.contact import normalize_email
from resolvers.core.errors import invalid, unauthenticated
from resolvers.core.principal import Principal

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class NewClinic:
    slug: str
    name: str
    timezone: str
    currency: str
    country: str
    admin_email: str
    admin_password: str
    admin_name: str = "Clinic Owner"


async def create_clinic(rt: Runtime, spec: NewClinic) -> tuple[Clinic, StaffUser]:
    """The clinic starts with its portal enabled and the model's default
    settings, and nothing in its catalogue yet."""
    slug = spec.slug.strip().lower()
    if not SLUG.match(slug):
        raise invalid("A slug is lower-case letters, digits and dashes (at most 64).", ["slug"])
    name = spec.name.strip()
    if not 1 <= len(name) <= 200:
        raise invalid("A clinic's name has 1 to 200 characters.", ["name"])
    try:
        ZoneInfo(spec.timezone)
        if spec.timezone not in available_timezones():
            raise ZoneInfoNotFoundError(spec.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid("Give an IANA time zone such as Europe/London.", ["timezone"]) from None
    currency = spec.currency.strip().upper()
    if not CURRENCY.match(currency):
        raise invalid("Give an ISO 4217 currency code such as GBP.", ["currency"])
    country = spec.country.strip().upper()
    if country not in phonenumbers.SUPPORTED_REGIONS:
        raise invalid("Give an ISO 3166 country code such as GB.", ["country"])
    email = normalize_email(spec.admin_email, ["adminEmail"])
    if await Clinic.exists(slug=slug):
        raise invalid("This slug is taken.", ["slug"])
    if await StaffUser.exists(email=email):
        raise invalid("A staff user with this e-mail already exists.", ["adminEmail"])
    password_hash = await staff_password_hash(rt, spec.admin_password, ["adminPassword"])  # the slow step last
    try:
        async with write_transaction():
            clinic = await Clinic.create(slug=slug, name=name, timezone=spec.timezone, currency=currency, country=country)
            admin = await StaffUser.create(
                clinic=clinic, email=email, full_name=spec.admin_name, password_hash=password_hash, role=StaffRole.ADMIN
            )
    except IntegrityError:
        raise invalid("This slug or e-mail was taken meanwhile.", ["slug"]) from None
    return clinic, admin


async def sign_up_clinic(rt: Runtime, principal: Principal, spec: NewClinic, ip: str) -> tuple[Clinic, IssuedSession]:
    """Self-serve: a visitor creates a clinic and is signed in as its first
    administrator. Off where CLINIC_SIGNUP is false; limited per address."""
    settings = rt.settings
    if not settings.clinic_signup:
        raise unauthenticated("New clinics are created by the platform's operators here.")
    if principal.clinic_id is not None:
        raise invalid("Sign out first: a new clinic gets its own administrator.")
    await rt.check_rate(f"clinic-signup:ip:{network(ip)}", settings.clinic_signup_per_ip, "Too many new clinics.", 3600)
    clinic, admin = await create_clinic(rt, spec)
    session = await issue_session(
        CredentialKind.STAFF_SESSION, clinic.id, settings.staff_session_hours, staff_id=admin.id
    )
    return clinic, session

