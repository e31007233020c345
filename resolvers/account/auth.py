"""Signing in and out with e-mail and password."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2.exceptions import InvalidHashError, VerificationError

from models import Client, CredentialKind, StaffUser
from resolvers.account import credentials
from resolvers.core.ratelimit import network
from resolvers.core.runtime import Runtime
from resolvers.core.contact import normalize_email
from resolvers.core.errors import DomainError, ErrorCode, invalid, unauthenticated
from resolvers.core.principal import Principal, PrincipalKind
from resolvers.core.access import portal_open
from resolvers.core.tenant import clinic_by_slug


@dataclass(frozen=True)
class IssuedSession:
    token: str
    expires_at: datetime


async def hash_password(rt: Runtime, password: str) -> str:
    """argon2 is slow on purpose: off the event loop, so live streams and
    other requests go on meanwhile."""
    return await asyncio.to_thread(rt.hasher.hash, password)


async def _password_matches(rt: Runtime, password_hash: str | None, password: str) -> bool:
    hasher = rt.hasher
    if password_hash is None:  # no such account: verify anyway, so both answers take as long
        password_hash = rt.dummy_hash
        password = password + "\0"
    try:
        return await asyncio.to_thread(hasher.verify, password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def limit_sign_in(rt: Runtime, account_key: str, ip: str) -> None:
    """Per address; per account from one address, so guessing from one place
    cannot lock the owner out; and per account from everywhere, higher, so
    many addresses together still cannot guess freely."""
    settings = rt.settings
    source = network(ip)
    message = "Too many sign-in attempts."
    await rt.check_rate(f"signin:ip:{source}", settings.signin_per_ip, message)
    await rt.check_rate(f"signin:account:{account_key}:{source}", settings.signin_per_account, message)
    await rt.check_rate(f"signin:account:{account_key}", settings.signin_per_account_total, message)


STAFF_MIN_PASSWORD = 10


async def staff_password_hash(rt: Runtime, value: object, field: list[str]) -> str:
    """A new staff password, checked, then hashed (off the event loop):
    set by an admin, an invitation or a new clinic's first admin."""
    if not isinstance(value, str) or not STAFF_MIN_PASSWORD <= len(value) <= 1024:
        raise invalid(f"A password has {STAFF_MIN_PASSWORD} to 1024 characters.", field)
    return await hash_password(rt, value)


def _require_password(password: str) -> None:
    if not password or len(password) > 1024:
        raise invalid("Enter your password.", ["password"])


async def _verified(rt: Runtime, account: Client | StaffUser | None, password: str) -> Client | StaffUser:
    """The account when the password is its own; the same answer, taking as
    long, for a wrong password and an unknown account."""
    if not await _password_matches(rt, account.password_hash if account else None, password) or account is None:
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, "The e-mail or password is wrong.")
    return account


async def issue_session(kind: CredentialKind, clinic_id, hours: int, **holder) -> IssuedSession:
    token, credential = await credentials.issue(kind, clinic_id, lifetime=timedelta(hours=hours), **holder)
    return IssuedSession(token, credential.expires_at)


async def sign_in(rt: Runtime, principal: Principal, clinic_slug: str, email: str, password: str, ip: str) -> IssuedSession:
    email = normalize_email(email, ["email"])
    _require_password(password)
    await limit_sign_in(rt, f"client:{clinic_slug}:{email}", ip)
    clinic = await clinic_by_slug(principal, clinic_slug)
    portal_open(clinic, principal)
    client = await _verified(rt, await Client.get_or_none(clinic_id=clinic.id, email=email), password)
    hours = rt.settings.client_session_hours
    return await issue_session(CredentialKind.CLIENT_SESSION, clinic.id, hours, client_id=client.id)


async def staff_sign_in(rt: Runtime, email: str, password: str, ip: str) -> IssuedSession:
    email = normalize_email(email, ["email"])
    _require_password(password)
    await limit_sign_in(rt, f"staff:{email}", ip)
    staff = await _verified(rt, await StaffUser.get_or_none(email=email, active=True), password)
    hours = rt.settings.staff_session_hours
    return await issue_session(CredentialKind.STAFF_SESSION, staff.clinic_id, hours, staff_id=staff.id)


async def sign_out(principal: Principal) -> None:
    if principal.credential_id is None:
        raise unauthenticated("There is no session to sign out of.")
    if principal.kind is PrincipalKind.PARTNER:
        raise invalid("API keys are revoked by the clinic's admin, not signed out.")
    await credentials.revoke(principal.credential_id)
