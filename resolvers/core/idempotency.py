"""Idempotency keys: the same key and input replay the first booking; the
same key with other input is refused. Keys belong to the caller that sent
them and live for `settings.idempotency_hours`."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from models import Appointment, IdempotencyKey
from resolvers.core.errors import DomainError, ErrorCode, invalid
from resolvers.core.principal import Principal, PrincipalKind

MAX_KEY_LENGTH = 200


class KeyClash(Exception):
    """Another request with this key committed first."""


def fingerprint(parts: dict) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def check_key(key: str, field: list[str] | None = None) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise invalid(f"An idempotency key has 1 to {MAX_KEY_LENGTH} characters.", field or ["input", "idempotencyKey"])
    return key


def conflict(field: list[str] | None = None) -> DomainError:
    return DomainError(
        ErrorCode.IDEMPOTENCY_CONFLICT,
        "This idempotency key was already used with different input.",
        field or ["input", "idempotencyKey"],
    )


def caller_of(principal: Principal, clinic_id: uuid.UUID, email: str | None) -> str:
    """Whose keys these are: a credential, a staff user, a client, or an
    anonymous visitor known by clinic and (hashed) e-mail."""
    if principal.kind is PrincipalKind.PARTNER:
        return f"PARTNER:{principal.credential_id}"
    if principal.kind is PrincipalKind.STAFF:
        return f"STAFF:{principal.staff_id}"
    if principal.client_id is not None:
        return f"CLIENT:{principal.client_id}"
    return f"ANONYMOUS:{clinic_id}:{fingerprint(email or '')[:32]}"


async def replay(
    clinic_id: uuid.UUID, caller: str, key: str, request_hash: str, now: datetime
) -> Appointment | None:
    """The appointment a previous request with this key booked, if any."""
    row = await IdempotencyKey.get_or_none(clinic_id=clinic_id, caller=caller, key=key, expires_at__gt=now)
    if row is None or row.appointment_id is None:
        return None
    if row.request_hash != request_hash:
        raise conflict()
    return await Appointment.get(id=row.appointment_id, clinic_id=clinic_id)


@dataclass(frozen=True)
class KeyUse:
    """A key's row, as a booking reads it."""

    appointment_id: uuid.UUID | None
    expires_at: datetime
    request_hash: str


async def key_use(clinic_id: uuid.UUID, caller: str, key: str) -> KeyUse | None:
    row = await IdempotencyKey.get_or_none(clinic_id=clinic_id, caller=caller, key=key)
    return KeyUse(row.appointment_id, row.expires_at, row.request_hash) if row else None


async def earlier_use(
    clinic_id: uuid.UUID, use: KeyUse | None, request_hash: str, now: datetime
) -> tuple[Appointment | None, bool]:
    """(the appointment a previous request with this key booked, if any;
    whether an expired use of the key is still in the way of a new one)."""
    if use is None:
        return None, False
    if use.expires_at <= now:
        return None, True
    if use.appointment_id is None:
        return None, False
    if use.request_hash != request_hash:
        raise conflict()
    return await Appointment.get(id=use.appointment_id, clinic_id=clinic_id), False


async def clear_expired(caller: str, key: str, now: datetime) -> None:
    await IdempotencyKey.filter(caller=caller, key=key, expires_at__lte=now).delete()


def use(
    clinic_id: uuid.UUID, caller: str, key: str, request_hash: str, now: datetime, lifetime: timedelta,
    appointment_id: uuid.UUID,
) -> IdempotencyKey:
    """The key's row, naming what the booking made, to be written with the
    booking's last statement: a concurrent request with the same key fails
    there (`is_clash`), rolls back and replays what this one made."""
    return IdempotencyKey(
        clinic_id=clinic_id, caller=caller, key=key, request_hash=request_hash, expires_at=now + lifetime,
        appointment_id=appointment_id,
    )


def is_clash(exc: IntegrityError) -> bool:
    """A write failed because another request took the same key first."""
    return "idempotenc" in str(exc)  # the table's name, and its unique constraint's (uid_idempotenc_...)


async def claim(
    clinic_id: uuid.UUID, caller: str, key: str, request_hash: str, now: datetime, lifetime: timedelta
) -> IdempotencyKey:
    """Take the key inside the booking transaction, before anything else, so
    a concurrent request with the same key waits here and then replays."""
    await IdempotencyKey.filter(caller=caller, key=key, expires_at__lte=now).delete()
    try:
        return await IdempotencyKey.create(
            clinic_id=clinic_id, caller=caller, key=key, request_hash=request_hash, expires_at=now + lifetime
        )
    except IntegrityError as exc:
        raise KeyClash() from exc


async def complete(row: IdempotencyKey, appointment_id: uuid.UUID) -> None:
    await IdempotencyKey.filter(id=row.id).update(appointment_id=appointment_id)
