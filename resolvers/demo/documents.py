"""The demo clinics' privacy policy (two versions: the demo client accepted
the first, so the portal asks them to accept the second) and user
agreement (accepted)."""

from __future__ import annotations

from datetime import timedelta

from models import AcceptedVia, Client, Clinic, LegalAcceptance, LegalDocument, LegalDocumentKind, utcnow
from resolvers.account.legal_documents import label

PRIVACY_V1 = """We keep your name, contact details and appointment history to book and remind you of appointments.
We never sell your data. Ask us at any time for a copy, a correction or its deletion."""
PRIVACY_V2 = PRIVACY_V1 + """
New in this version: treatment notes and consent forms are kept for 8 years, as the law asks of clinics,
and text-message reminders go through our SMS provider, who keeps them for 30 days."""
AGREEMENT_V1 = """Bookings made in the portal are binding. Cancel or move them in the portal before the notice period.
A late cancellation or a missed appointment may be charged. Prices are those shown when you book."""


async def seed_documents(clinic: Clinic, client: Client) -> None:
    now = utcnow()
    published = {}
    for kind, version, title, body, age in (
        (LegalDocumentKind.PRIVACY_POLICY, 1, "Privacy Policy", PRIVACY_V1, 90),
        (LegalDocumentKind.USER_AGREEMENT, 1, "User Agreement", AGREEMENT_V1, 90),
        (LegalDocumentKind.PRIVACY_POLICY, 2, "Privacy Policy", PRIVACY_V2, 2),
    ):
        published[(kind, version)] = await LegalDocument.create(
            clinic=clinic, kind=kind, version=version, title=title, body=body, published_at=now - timedelta(days=age)
        )
    for key in ((LegalDocumentKind.PRIVACY_POLICY, 1), (LegalDocumentKind.USER_AGREEMENT, 1)):
        await LegalAcceptance.create(
            clinic=clinic, client=client, document=published[key], via=AcceptedVia.PHONE_SIGN_IN,
            accepted_at=now - timedelta(days=60),
        )
    current = [published[(LegalDocumentKind.PRIVACY_POLICY, 2)], published[(LegalDocumentKind.USER_AGREEMENT, 1)]]
    await Clinic.filter(id=clinic.id).update(privacy_policy_version=label(current))
