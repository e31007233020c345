"""Signing in with a phone number and a 6-digit code sent by SMS.

A code lives `SIGN_IN_CODE_MINUTES`, is spent on success and dies after
`SIGN_IN_CODE_MAX_ATTEMPTS` tries, counted before comparing so concurrent
guesses cannot slip past. It is stored as an HMAC under the server's key and
a per-code salt: a million candidates are nothing to hash, so a bare hash
would give the code away to anyone who reads the table.

Requests are limited per address (checked first, before any work), per
phone and per clinic per day, against SMS pumping; checks are limited like
password sign-in, per attempt, so guesses batched as aliases in one document
count one by one.

A phone with no client yet: once the code proves the number, the client is
created (name to fill in later, or `fullName` when given) if the clinic
accepts new clients, and refused with NEW_CLIENTS_NOT_ACCEPTED otherwise.
The request answers the same either way, so it tells nobody whether a number
belongs to a client.

Asking for a code accepts the clinic's privacy policy and user agreement:
the versions current then are recorded on the code, and as the client's
acceptances once the code proves the number."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import AcceptedVia, Client, Clinic, CredentialKind, SignInCode, utcnow
from models.db import write_transaction
from settings import Settings
from resolvers.notifications import outbox
from resolvers.core.ratelimit import network
from resolvers.core.runtime import Runtime
from resolvers.core import access
from resolvers.core import i18n
from resolvers.core.i18n import N_
from resolvers.core import tenant
from resolvers.account import legal_documents
from resolvers.account.auth import IssuedSession, issue_session, limit_sign_in
from resolvers.core.contact import normalize_phone
from resolvers.core.errors import DomainError, ErrorCode, invalid
from resolvers.core.principal import Principal

log = logging.getLogger(__name__)

HOUR = 3600
DAY = 24 * HOUR
MAX_NAME = 200

_keys: dict[str, bytes] = {}


def _code_key(settings: Settings) -> bytes:
    """SECRET_KEY when set (it must be the same for every process); else a
    random key kept in DATA_DIR, for the embedded one-machine default."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.data_dir) / "secret_key"
    if (cached := _keys.get(str(path))) is not None:
        return cached
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            with open(path, "x", opener=lambda p, flags: os.open(p, flags, 0o600)) as out:
                out.write(secrets.token_hex(32))
        key = path.read_text().strip().encode()
    except FileExistsError:
        key = path.read_text().strip().encode()
    except OSError as exc:
        log.warning("SECRET_KEY is not set and %s is not writable (%s): sign-in codes use a key of this process only", path, exc)
        key = secrets.token_hex(32).encode()
    _keys[str(path)] = key
    return key


def code_digest(settings: Settings, salt: str, code: str) -> str:
    return hmac.new(_code_key(settings), f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


# The code that proves a booking typed in on the booking page is the client's own.
BOOKING_CODE_SUBJECT = N_("Your code to confirm a booking at {clinic}")


def booking_code_message(clinic: Clinic, code: str, minutes: int, language: str | None) -> tuple[str, str]:
    """(subject for an e-mail, text) of a booking code, in the client's language."""
    text = i18n.translations(language).ngettext(
        "{code} is your code to confirm a booking at {clinic}. It expires in {minutes} minute. Never share it.",
        "{code} is your code to confirm a booking at {clinic}. It expires in {minutes} minutes. Never share it.",
        minutes,
    )
    return (
        i18n.gettext(language, BOOKING_CODE_SUBJECT).format(clinic=clinic.name),
        text.format(code=code, clinic=clinic.name, minutes=minutes),
    )


def _code_message(clinic: Clinic, code: str, minutes: int, language: str | None) -> str:
    """The code's SMS in the client's language (`setLanguage`); for a number
    not yet known, in the language of the page it was asked from."""
    text = i18n.translations(language).ngettext(
        "{code} is your {clinic} sign-in code. It expires in {minutes} minute. Never share it.",
        "{code} is your {clinic} sign-in code. It expires in {minutes} minutes. Never share it.",
        minutes,
    )
    return text.format(code=code, clinic=clinic.name, minutes=minutes)


async def _clinic(principal: Principal, clinic_slug: str) -> Clinic:
    clinic = await tenant.clinic_by_slug(principal, clinic_slug)
    access.portal_open(clinic, principal)
    return clinic


async def request_sign_in_code(
    rt: Runtime,
    principal: Principal,
    clinic_slug: str,
    phone: str,
    accepted_terms: bool,
    ip: str,
    *,
    language: str | None = None,
    now: datetime | None = None,
) -> datetime:
    """Sends a fresh code (older live codes for the number die) and answers
    when it expires."""
    now = now or utcnow()
    settings = rt.settings
    message = "Too many codes requested."
    await rt.check_rate(f"smscode:ip:{network(ip)}", settings.sms_code_per_ip, message, HOUR)
    clinic = await _clinic(principal, clinic_slug)
    if not clinic.sms_configured:
        raise DomainError(ErrorCode.SMS_UNAVAILABLE, "This clinic does not send sign-in codes by SMS; sign in with your e-mail.")
    phone = normalize_phone(phone, ["phone"], clinic.country)
    if not accepted_terms:
        raise DomainError(
            ErrorCode.TERMS_NOT_ACCEPTED,
            "Please accept the privacy policy and the user agreement to sign in.",
            ["acceptedTerms"],
        )
    await rt.check_rate(f"smscode:phone:{clinic.id}:{phone}", settings.sms_code_per_phone, message, HOUR)
    await rt.check_rate(f"smscode:clinic:{clinic.id}", settings.sms_code_per_clinic_day, message, DAY)
    code, salt = new_code(), secrets.token_hex(16)
    expires_at = now + timedelta(minutes=settings.sign_in_code_minutes)
    async with write_transaction():
        await SignInCode.filter(clinic_id=clinic.id, phone=phone, used_at=None).update(used_at=now)
        await SignInCode.create(
            clinic_id=clinic.id,
            phone=phone,
            salt=salt,
            code_hash=code_digest(settings, salt, code),
            expires_at=expires_at,
            terms_version=clinic.privacy_policy_version,
            terms_accepted_at=now,
            accepted_documents=[str(d.id) for d in await legal_documents.current(clinic.id)],
            requested_from=ip[:64],
        )
        client = await Client.get_or_none(clinic_id=clinic.id, phone=phone)
        body = _code_message(clinic, code, settings.sign_in_code_minutes, client.language if client else language)
        payload = {
            "to": phone, "body": body, "client_id": str(client.id) if client else None, "purpose": "sign_in_code",
            "expires_at": expires_at.isoformat(),  # not sent once useless (jobs/runner.py)
        }  # fmt: skip
        await outbox.enqueue(clinic.id, "sms", payload)
    rt.wake_jobs()
    return expires_at


def _wrong_code() -> DomainError:
    return DomainError(ErrorCode.INVALID_CODE, "This code is wrong or has expired. Ask for a new one if needed.", ["code"])


async def _spend(settings: Settings, clinic: Clinic, phone: str, code: str, now: datetime) -> SignInCode:
    """The live code for the number, if `code` is it; every call uses up a try."""
    row = (
        await SignInCode.filter(clinic_id=clinic.id, phone=phone, used_at=None, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if row is None:
        raise _wrong_code()
    counted = await SignInCode.filter(
        id=row.id, used_at=None, attempts__lt=settings.sign_in_code_max_attempts
    ).update(attempts=F("attempts") + 1)
    if not counted or not hmac.compare_digest(code_digest(settings, row.salt, code), row.code_hash):
        raise _wrong_code()
    return row


async def _client_for_phone(clinic: Clinic, phone: str, full_name: str, language: str | None) -> Client:
    client = await Client.get_or_none(clinic_id=clinic.id, phone=phone)
    if client is not None:
        return client
    if not clinic.accepts_new_clients:
        raise DomainError(ErrorCode.NEW_CLIENTS_NOT_ACCEPTED, "This clinic is not taking new clients online.")
    try:
        async with in_transaction("default"):  # a savepoint: a booking may create the twin first
            return await Client.create(clinic_id=clinic.id, full_name=full_name, phone=phone, language=language or "en")
    except IntegrityError:
        return await Client.get(clinic_id=clinic.id, phone=phone)


async def verify_sign_in_code(
    rt: Runtime,
    principal: Principal,
    clinic_slug: str,
    phone: str,
    code: str,
    ip: str,
    full_name: str | None = None,
    *,
    language: str | None = None,
    now: datetime | None = None,
) -> IssuedSession:
    now = now or utcnow()
    clinic = await _clinic(principal, clinic_slug)
    phone = normalize_phone(phone, ["phone"], clinic.country)
    await limit_sign_in(rt, f"phone:{clinic.id}:{phone}", ip)
    name = (full_name or "").strip()
    if len(name) > MAX_NAME:
        raise invalid(f"A name has at most {MAX_NAME} characters.", ["fullName"])
    row = await _spend(rt.settings, clinic, phone, "".join((code or "").split())[:32], now)
    async with write_transaction():
        client = await _client_for_phone(clinic, phone, name, language)
        if not await SignInCode.filter(id=row.id, used_at=None).update(used_at=now):
            raise _wrong_code()  # a concurrent check spent it first
        await Client.filter(id=client.id).update(terms_version=row.terms_version, terms_accepted_at=row.terms_accepted_at)
        await legal_documents.record(
            clinic.id, client.id, row.accepted_documents or [], AcceptedVia.PHONE_SIGN_IN, row.terms_accepted_at
        )
        hours = rt.settings.client_session_hours
        return await issue_session(CredentialKind.CLIENT_SESSION, clinic.id, hours, client_id=client.id)
