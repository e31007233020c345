"""Partner API keys: minted by a clinic's administrators (or the command
line), shown once, revoked by id. Each key has a rate limit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from models import Credential, CredentialKind
from resolvers.account import credentials
from resolvers.core import access
from resolvers.core import tenant
from resolvers.core.errors import invalid
from resolvers.core.principal import Principal, Scope

MAX_RATE = 100_000


@dataclass(frozen=True)
class IssuedKey:
    key: str  # the raw key: shown once, never stored
    credential: Credential


def checked_scopes(scopes: list[str], field: list[str]) -> list[str]:
    known = {s.value for s in Scope}
    wanted = {s.strip().lower() for s in scopes if s.strip()}
    if unknown := wanted - known:
        raise invalid(f"Unknown scopes: {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))}).", field)
    if not wanted:
        raise invalid("Give at least one scope.", field)
    return sorted(wanted)


async def create_key(
    clinic_id: uuid.UUID, scopes: list[str], name: str | None = None, rate_limit_per_minute: int | None = None
) -> IssuedKey:
    """The one way a key is made, for the API and the command line alike."""
    scopes = checked_scopes(scopes, ["scopes"])
    name = (name or "").strip() or None
    if name and len(name) > 200:
        raise invalid("At most 200 characters.", ["name"])
    if rate_limit_per_minute is not None and not 1 <= rate_limit_per_minute <= MAX_RATE:
        raise invalid(f"Give 1 to {MAX_RATE} requests a minute.", ["rateLimitPerMinute"])
    token, credential = await credentials.issue(
        CredentialKind.API_KEY,
        clinic_id,
        lifetime=None,
        scopes=scopes,
        name=name,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    return IssuedKey(token, credential)


async def create_api_key(
    principal: Principal, scopes: list[str], name: str | None, rate_limit_per_minute: int | None
) -> IssuedKey:
    clinic_id = access.require_admin(principal)
    return await create_key(clinic_id, scopes, name, rate_limit_per_minute)


async def revoke_api_key(principal: Principal, raw_id: str) -> Credential:
    clinic_id = access.require_admin(principal)
    key = await tenant.api_key(clinic_id, raw_id, ["id"])
    await credentials.revoke(key.id)
    return await Credential.get(id=key.id)


async def api_keys(principal: Principal) -> list[Credential]:
    clinic_id = access.require_admin(principal)
    return await Credential.filter(clinic_id=clinic_id, kind=CredentialKind.API_KEY).order_by("-created_at")
