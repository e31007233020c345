"""Credentials and documents shared by the clinic administration tests."""

from __future__ import annotations

from models import Clinic, CredentialKind
from resolvers.account import credentials
from resolvers.demo.clinics import PRACTITIONER_PASSWORD

USER_ERRORS = "userErrors { code message field }"


async def partner_key(slug: str, scopes: list[str], rate_limit_per_minute: int | None = None) -> str:
    clinic = await Clinic.get(slug=slug)
    token, _ = await credentials.issue(
        CredentialKind.API_KEY, clinic.id, lifetime=None, scopes=scopes, rate_limit_per_minute=rate_limit_per_minute
    )
    return token


async def practitioner_token(api, email: str = "alex@demo.clinic") -> str:
    """A practitioner-role staff user of the demo clinic (Alex Morgan's diary)."""
    return await api.staff_sign_in(email, PRACTITIONER_PASSWORD)


def codes(result: dict) -> list[str]:
    return [e["code"] for e in result["userErrors"]]


def top_level_code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]
