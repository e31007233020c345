"""GraphQL documents and callers for the slot-hold and waitlist tests."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import httpx

HOLD_FIELDS = "id start end expiresAt status practitioner { id name } treatment { id }"
HOLD = (
    "mutation($c: String!, $t: ID!, $s: DateTime!, $p: ID) {"
    " holdSlot(clinicSlug: $c, treatmentId: $t, start: $s, practitionerId: $p) {"
    f" hold {{ {HOLD_FIELDS} }} userErrors {{ code message field }} }} }}"
)
RELEASE = (
    "mutation($id: ID!) { releaseHold(id: $id) {"
    f" hold {{ {HOLD_FIELDS} }} userErrors {{ code message field }} }} }}"
)


def hold_vars(demo, start: str, practitioner: str = "Alex Morgan", slug: str = "demo", treatment: str = "Facial") -> dict:
    clinic = demo[slug]
    return {
        "c": slug,
        "t": str(clinic.treatments[treatment].id),
        "s": start,
        "p": str(clinic.practitioners[practitioner].id) if practitioner else None,
    }


@asynccontextmanager
async def from_address(api: Any, address: str) -> AsyncIterator[Any]:
    """The same app as `api`, called from another network address (an
    anonymous caller is known by its address)."""
    transport = httpx.ASGITransport(app=api.http._transport.app, client=(address, 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield type(api)(client)
