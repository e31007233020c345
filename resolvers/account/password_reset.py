"""Password reset by a single-use e-mailed link.

The link carries 256 random bits; only their SHA-256 is stored. It lives
`PASSWORD_RESET_MINUTES` and is spent with one conditional UPDATE, so of any
number of concurrent uses exactly one sets the password. Setting it revokes
every other session of the client. A request answers the same whether or not
the address has an account, and is rate-limited per address and per account."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from models import Client, Credential, CredentialKind, PasswordResetToken, utcnow
from models.db import write_transaction
from resolvers.account import credentials
from resolvers.notifications import outbox
from resolvers.core.ratelimit import network
from resolvers.core.runtime import Runtime
from resolvers.core import access
from resolvers.core import i18n
from resolvers.core import tenant
from resolvers.account.auth import IssuedSession, hash_password, issue_session
from resolvers.core.contact import normalize_email
from resolvers.core.errors import DomainError, ErrorCode, invalid
from resolvers.core.principal import Principal

HOUR = 3600
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


def _reset_email(clinic_name: str, link: str, minutes: int, language: str | None) -> tuple[str, str]:
    """In the client's language (`setLanguage`)."""
    t = i18n.translations(language)
    subject = t.gettext("Reset your {clinic} password").format(clinic=clinic_name)
    body = "\n\n".join(
        (
            t.gettext("Someone asked to reset the password of your {clinic} account.").format(clinic=clinic_name),
            t.ngettext(
                "To choose a new password, open this link within {minutes} minute:",
                "To choose a new password, open this link within {minutes} minutes:",
                minutes,
            ).format(minutes=minutes)
            + f"\n{link}",
            t.gettext("The link works once. If you did not ask for it, ignore this e-mail; your password stays as it is.")
            + "\n",
        )
    )
    return subject, body


async def request_password_reset(
    rt: Runtime,
    principal: Principal, clinic_slug: str, email: str, ip: str, *, now: datetime | None = None
) -> None:
    now = now or utcnow()
    settings = rt.settings
    email = normalize_email(email, ["email"])
    message = "Too many password reset requests."
    await rt.check_rate(f"reset:ip:{network(ip)}", settings.password_reset_per_ip, message, HOUR)
    await rt.check_rate(f"reset:account:{clinic_slug}:{email}", settings.password_reset_per_account, message, HOUR)
    clinic = await tenant.clinic_by_slug(principal, clinic_slug)
    access.portal_open(clinic, principal)
    client = await Client.get_or_none(clinic_id=clinic.id, email=email)
    if client is None:
        return  # the same answer: nobody learns whether the address has an account
    token = credentials.new_token()
    link = f"{settings.public_booking_url}/p/{quote(clinic.slug)}/reset-password?token={quote(token)}"
    subject, body = _reset_email(clinic.name, link, settings.password_reset_minutes, client.language)
    async with write_transaction():
        await PasswordResetToken.create(
            clinic_id=clinic.id,
            client_id=client.id,
            token_hash=credentials.hash_token(token),
            expires_at=now + timedelta(minutes=settings.password_reset_minutes),
        )
        await outbox.enqueue(
            clinic.id, "email", {"to": [email], "subject": subject, "body": body, "purpose": "password_reset"}
        )
    rt.wake_jobs()


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise invalid(f"Choose a password of at least {MIN_PASSWORD} characters.", ["password"])
    if len(password) > MAX_PASSWORD:
        raise invalid(f"A password has at most {MAX_PASSWORD} characters.", ["password"])


async def _refusal(token_hash: str) -> DomainError:
    row = await PasswordResetToken.get_or_none(token_hash=token_hash)
    if row is None:
        return DomainError(ErrorCode.TOKEN_INVALID, "This reset link is not valid.", ["token"])
    if row.used_at is not None:
        return DomainError(ErrorCode.TOKEN_ALREADY_USED, "This reset link has already been used.", ["token"])
    return DomainError(ErrorCode.TOKEN_EXPIRED, "This reset link has expired; ask for a new one.", ["token"])


async def revoke_client_sessions(client_id, now: datetime) -> None:
    """Every portal and booking session of the client stops working."""
    await credentials.revoke_where(
        Credential.filter(client_id=client_id, kind__in=[CredentialKind.CLIENT_SESSION, CredentialKind.BOOKING_SESSION]),
        now,
    )


async def reset_password(rt: Runtime, token: str, password: str, ip: str, *, now: datetime | None = None) -> IssuedSession:
    """Sets the password, revokes the client's sessions and starts a new one."""
    now = now or utcnow()
    settings = rt.settings
    await rt.check_rate(f"reset:redeem:{network(ip)}", settings.signin_per_ip, "Too many attempts.")
    _check_password(password)
    token_hash = credentials.hash_token(token or "")
    if not await PasswordResetToken.filter(token_hash=token_hash, used_at=None, expires_at__gt=now).exists():
        raise await _refusal(token_hash)
    password_hash = await hash_password(rt, password)  # slow: not while holding the write lock
    async with write_transaction():
        spent = await PasswordResetToken.filter(token_hash=token_hash, used_at=None, expires_at__gt=now).update(used_at=now)
        if not spent:
            raise await _refusal(token_hash)
        row = await PasswordResetToken.get(token_hash=token_hash)
        await Client.filter(id=row.client_id, clinic_id=row.clinic_id).update(password_hash=password_hash)
        # Other links sent earlier die with this one.
        await PasswordResetToken.filter(client_id=row.client_id, used_at=None).update(used_at=now)
        await revoke_client_sessions(row.client_id, now)
        return await issue_session(
            CredentialKind.CLIENT_SESSION, row.clinic_id, settings.client_session_hours, client_id=row.client_id
        )
