"""Staff invitations: an administrator adds a staff user without a
password and hands them a single-use link; they choose their password with
it and are signed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from models import Credential, CredentialKind, StaffInvite, StaffUser, utcnow
from models.db import write_transaction
from resolvers.account import credentials
from resolvers.core.ratelimit import network
from resolvers.core.runtime import Runtime
from resolvers.core import access
from resolvers.core import tenant
from resolvers.account.auth import IssuedSession, issue_session, staff_password_hash
from resolvers.core.errors import DomainError, ErrorCode, invalid
from resolvers.core.principal import Principal

INVITE_DAYS = 7
# Stored for a user who has not chosen a password yet: no argon2 hash, so no
# password ever matches it.
NO_PASSWORD = "!invited"


@dataclass(frozen=True)
class Invite:
    token: str  # shown once
    expires_at: datetime
    url: str


def _url(rt: Runtime, token: str) -> str:
    return f"{rt.settings.public_booking_url}/staff/invite?token={token}"


async def issue_invite(rt: Runtime, clinic_id, staff_id) -> Invite:
    """A new invitation; earlier unused ones stop working. Call inside the
    transaction that creates or re-invites the user."""
    now = utcnow()
    await StaffInvite.filter(clinic_id=clinic_id, staff_id=staff_id, used_at=None).update(used_at=now)
    token = credentials.new_token()
    invite = await StaffInvite.create(
        clinic_id=clinic_id,
        staff_id=staff_id,
        token_hash=credentials.hash_token(token),
        expires_at=now + timedelta(days=INVITE_DAYS),
    )
    return Invite(token, invite.expires_at, _url(rt, token))


async def reinvite_staff_user(rt: Runtime, principal: Principal, raw_id: str) -> tuple[StaffUser, Invite]:
    """A fresh invitation, e.g. when the first one expired. The user's
    password, if any, stays until they accept."""
    clinic_id = access.require_admin(principal)
    user = await tenant.staff_user(clinic_id, raw_id, ["id"])
    if not user.active:
        raise invalid("Reactivate this user before inviting them again.", ["id"])
    async with write_transaction():
        invite = await issue_invite(rt, clinic_id, user.id)
    return user, invite


async def accept_staff_invite(rt: Runtime, token: str, password: str, ip: str) -> IssuedSession:
    """Spends the invitation (one conditional UPDATE, so only one use ever
    succeeds), sets the password and signs the user in."""
    await rt.check_rate(f"staff-invite:ip:{network(ip)}", rt.settings.signin_per_ip, "Too many attempts.")
    password_hash = await staff_password_hash(rt, password, ["password"])
    token_hash = credentials.hash_token(token or "")
    now = utcnow()
    async with write_transaction():
        invite = await StaffInvite.get_or_none(token_hash=token_hash)
        if invite is None:
            raise DomainError(ErrorCode.TOKEN_INVALID, "This invitation link is not valid.", ["token"])
        if invite.used_at is not None:
            raise DomainError(ErrorCode.TOKEN_ALREADY_USED, "This invitation has been used.", ["token"])
        if invite.expires_at <= now:
            raise DomainError(ErrorCode.TOKEN_EXPIRED, "This invitation has expired: ask for a new one.", ["token"])
        spent = await StaffInvite.filter(id=invite.id, used_at=None).update(used_at=now)
        user = await StaffUser.get_or_none(id=invite.staff_id, clinic_id=invite.clinic_id, active=True)
        if not spent or user is None:
            raise DomainError(ErrorCode.TOKEN_ALREADY_USED, "This invitation has been used.", ["token"])
        await StaffUser.filter(id=user.id).update(password_hash=password_hash)
        await credentials.revoke_where(Credential.filter(staff_id=user.id), now)
        hours = rt.settings.staff_session_hours
        return await issue_session(CredentialKind.STAFF_SESSION, user.clinic_id, hours, staff_id=user.id)
