"""Bearer tokens: minted at random, stored as SHA-256, resolved to a
principal, revoked."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
import uuid
from collections.abc import Awaitable
from datetime import datetime, timedelta

from tortoise.expressions import Q

from models import Clinic, Credential, CredentialKind, StaffRole, StaffUser, utcnow
from resolvers.core.runtime import Runtime
from resolvers.core.errors import DomainError, ErrorCode, unauthenticated
from resolvers.core.principal import ANONYMOUS, Principal, PrincipalKind

_PRINCIPAL_KIND = {
    CredentialKind.CLIENT_SESSION: PrincipalKind.CLIENT,
    CredentialKind.BOOKING_SESSION: PrincipalKind.BOOKING,
    CredentialKind.STAFF_SESSION: PrincipalKind.STAFF,
    CredentialKind.API_KEY: PrincipalKind.PARTNER,
}


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(
    kind: CredentialKind,
    clinic_id: uuid.UUID,
    *,
    lifetime: timedelta | None,
    client_id: uuid.UUID | None = None,
    staff_id: uuid.UUID | None = None,
    scopes: list[str] | None = None,
    name: str | None = None,
    rate_limit_per_minute: int | None = None,
) -> tuple[str, Credential]:
    """Create a credential; the raw token is returned once and never stored."""
    token = new_token()
    credential = await Credential.create(
        kind=kind,
        token_hash=hash_token(token),
        clinic_id=clinic_id,
        client_id=client_id,
        staff_id=staff_id,
        scopes=scopes or [],
        name=name,
        rate_limit_per_minute=rate_limit_per_minute,
        expires_at=utcnow() + lifetime if lifetime else None,
    )
    return token, credential


async def _within_rate(rt: Runtime, credential: Credential) -> None:
    """Partner keys: at most their requests a minute (the key's own limit,
    or API_KEY_RATE_PER_MINUTE), counted per key across processes."""
    limit = credential.rate_limit_per_minute or rt.settings.api_key_rate_per_minute
    retry_after = await rt.limiter.hit(f"apikey:{credential.id}", limit, 60)
    if retry_after is not None:
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            f"This API key is limited to {limit} requests a minute. Try again in {retry_after} seconds.",
            retry_after_seconds=retry_after,
        )


def invalid_credential() -> DomainError:
    """A credential was presented but signs no one in: the caller should
    sign in again, or send none, rather than go on as an anonymous one."""
    return unauthenticated(
        "The bearer token is not valid: it is malformed, unknown, expired or signed out."
        " Sign in again, or send no Authorization header."
    )


async def principal_for_token(rt: Runtime, token: str | None) -> Principal:
    """The principal a bearer token stands for; anonymous when there is no
    token. Raises UNAUTHENTICATED for a token that is unknown, expired,
    revoked or of a staff user no longer active, and RATE_LIMITED when an
    API key is over its rate limit."""
    if token is None:
        return ANONYMOUS
    # The staff user comes in the same statement (a join), for staff sessions.
    credential = await Credential.filter(token_hash=hash_token(token), revoked_at=None).select_related("staff").first()
    now = utcnow()
    if credential is None or (credential.expires_at and credential.expires_at <= now):
        raise invalid_credential()
    if credential.kind is CredentialKind.API_KEY:
        await _within_rate(rt, credential)
    staff: StaffUser | None = None
    own_diary_only = False
    if credential.staff_id:
        staff = credential.staff
        if staff is None or staff.clinic_id != credential.clinic_id or not staff.active:
            raise invalid_credential()
        if staff.role is StaffRole.PRACTITIONER:
            own_diary_only = not await Clinic.filter(
                id=credential.clinic_id, practitioners_see_all_diaries=True
            ).exists()
    return Principal(
        kind=_PRINCIPAL_KIND[credential.kind],
        clinic_id=credential.clinic_id,
        client_id=credential.client_id,
        staff_id=credential.staff_id,
        staff_is_admin=bool(staff and staff.role is StaffRole.ADMIN),
        practitioner_id=staff.practitioner_id if staff else None,
        own_diary_only=own_diary_only,
        scopes=frozenset(credential.scopes or ()),
        credential_id=credential.id,
    )


async def still_valid(credential_id: uuid.UUID | None) -> bool:
    """Whether a credential would still sign its holder in now (not revoked,
    not expired, staff still active)."""
    if credential_id is None:
        return False
    query = Credential.filter(id=credential_id, revoked_at=None).filter(
        Q(expires_at=None) | Q(expires_at__gt=utcnow())
    )
    return await query.filter(Q(staff_id=None) | Q(staff__active=True)).exists()


# credential id -> (when checked, the check): for live streams, one query per
# credential per interval in a process, however many sockets share it.
_recent_checks: dict[uuid.UUID, tuple[float, asyncio.Future]] = {}


def still_valid_recently(credential_id: uuid.UUID | None, max_age: float) -> Awaitable[bool]:
    """`still_valid`, shared with other callers that asked within `max_age`
    seconds. A failed check is not kept."""
    if credential_id is None:
        return asyncio.sleep(0, result=False)
    now = time.monotonic()
    checked = _recent_checks.get(credential_id)
    if checked is None or now - checked[0] >= max_age:
        if len(_recent_checks) > 10_000:
            _recent_checks.clear()
        future = asyncio.ensure_future(still_valid(credential_id))
        future.add_done_callback(lambda f: f.exception() and _recent_checks.pop(credential_id, None))
        checked = _recent_checks[credential_id] = (now, future)
    return asyncio.shield(checked[1])


async def revoke(credential_id: uuid.UUID, at: datetime | None = None) -> bool:
    _recent_checks.pop(credential_id, None)
    updated = await Credential.filter(id=credential_id, revoked_at=None).update(
        revoked_at=at or utcnow()
    )
    return updated == 1


async def revoke_where(query, at: datetime | None = None) -> int:
    """Revokes every live credential `query` (a Credential queryset) finds,
    in one statement, and forgets their cached checks so live streams on
    them end at their next check."""
    ids = await query.filter(revoked_at=None).values_list("id", flat=True)
    for credential_id in ids:
        _recent_checks.pop(credential_id, None)
    if not ids:
        return 0
    return await Credential.filter(id__in=ids, revoked_at=None).update(revoked_at=at or utcnow())


def bearer_token(header_value: str | None) -> str | None:
    """The token of `Bearer <token>`; None when nothing is presented (no
    header, or an empty one). Anything else is an invalid credential."""
    if header_value is None or not header_value.strip():
        return None
    scheme, _, token = header_value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise invalid_credential()
    return token.strip()
