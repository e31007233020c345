"""The documents a client agrees to: the clinic's privacy policy and user
agreement. Staff publish a new version (older ones are kept and stay
readable); the public reads the current ones; a client accepts them at
phone sign-in, and is asked again whenever a version they have not
accepted becomes current."""

from __future__ import annotations

import uuid
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.functions import Max

from models import AcceptedVia, Client, Clinic, LegalAcceptance, LegalDocument, LegalDocumentKind, utcnow
from models.db import write_transaction
from resolvers.core import access
from resolvers.core import i18n
from resolvers.core.i18n import N_
from resolvers.core import tenant
from resolvers.core.errors import invalid, unauthenticated
from resolvers.core.principal import Principal, PrincipalKind

MAX_BODY = 100_000
MAX_TITLE = 200
TITLES = {LegalDocumentKind.PRIVACY_POLICY: N_("Privacy Policy"), LegalDocumentKind.USER_AGREEMENT: N_("User Agreement")}
LABELS = {LegalDocumentKind.PRIVACY_POLICY: "P", LegalDocumentKind.USER_AGREEMENT: "A"}


async def current(clinic_id: uuid.UUID) -> list[LegalDocument]:
    """The newest version of each kind the clinic has published, privacy
    policy first."""
    found = [await version_of(clinic_id, kind, None) for kind in LegalDocumentKind]
    return [d for d in found if d is not None]


async def version_of(clinic_id: uuid.UUID, kind: LegalDocumentKind, version: int | None) -> LegalDocument | None:
    """One version (the current one when `version` is None); None if the
    clinic has no such version."""
    query = LegalDocument.filter(clinic_id=clinic_id, kind=kind)
    if version is None:
        return await query.order_by("-version").first()
    return await query.get_or_none(version=version)


def title_in(document: LegalDocument, language: str | None) -> str:
    """The title a client reads: a document published under its default
    title reads it in the client's language; a title the clinic gave it
    stays as written."""
    if document.title == TITLES[document.kind]:
        return i18n.gettext(language, document.title)
    return document.title


def label(documents: list[LegalDocument]) -> str:
    """The versions as one short label, e.g. "P2-A1" (`Clinic.privacyPolicyVersion`)."""
    return "-".join(f"{LABELS[d.kind]}{d.version}" for d in documents)


async def publish(principal: Principal, kind: LegalDocumentKind, body: str, title: str | None) -> LegalDocument:
    """A new version of the clinic's document of this kind, current from now
    on: clients who accepted an older one are asked again."""
    clinic_id = access.require_admin(principal)
    text = (body or "").strip()
    if not text:
        raise invalid("Write the document's text.", ["body"])
    if len(text) > MAX_BODY:
        raise invalid(f"A document has at most {MAX_BODY} characters.", ["body"])
    heading = (title or "").strip() or TITLES[kind]
    if len(heading) > MAX_TITLE:
        raise invalid(f"A title has at most {MAX_TITLE} characters.", ["title"])
    for _ in range(3):  # two publications at once: the loser takes the next number
        try:
            async with write_transaction():
                rows = await LegalDocument.filter(clinic_id=clinic_id, kind=kind).annotate(top=Max("version")).values("top")
                version = (rows[0]["top"] if rows else None) or 0
                document = await LegalDocument.create(
                    clinic_id=clinic_id, kind=kind, version=version + 1, title=heading, body=text,
                    published_by_id=principal.staff_id,
                )
                await Clinic.filter(id=clinic_id).update(privacy_policy_version=label(await current(clinic_id)))
                return document
        except IntegrityError:
            continue
    raise RuntimeError("three publications in a row lost the race for a version number")


async def to_accept(client: Client) -> list[LegalDocument]:
    """The current versions the client has not accepted."""
    documents = await current(client.clinic_id)
    if not documents:
        return []
    accepted = set(
        await LegalAcceptance.filter(
            clinic_id=client.clinic_id, client_id=client.id, document_id__in=[d.id for d in documents]
        ).values_list("document_id", flat=True)
    )
    return [d for d in documents if d.id not in accepted]


async def record(clinic_id: uuid.UUID, client_id: uuid.UUID, document_ids: list, via: AcceptedVia, at: datetime) -> None:
    """The client accepted these versions (again is no change). Must run
    inside a write transaction."""
    ids = [uuid.UUID(str(i)) for i in document_ids]
    if not ids:
        return
    have = set(
        await LegalAcceptance.filter(client_id=client_id, document_id__in=ids).values_list("document_id", flat=True)
    )
    real = set(await LegalDocument.filter(clinic_id=clinic_id, id__in=ids).values_list("id", flat=True))
    for document_id in ids:
        if document_id in real and document_id not in have:
            await LegalAcceptance.create(clinic_id=clinic_id, client_id=client_id, document_id=document_id, via=via, accepted_at=at)
            have.add(document_id)


async def accept(principal: Principal, raw_ids: list[str], *, now: datetime | None = None) -> Client:
    """The signed-in client accepts the versions they were shown. Each must
    be the clinic's current version of its kind: a superseded one is
    refused, so nobody accepts a text other than the one in force."""
    if principal.kind is not PrincipalKind.CLIENT or principal.client_id is None:
        raise unauthenticated("Sign in to accept the clinic's documents.")
    now = now or utcnow()
    if not raw_ids:
        raise invalid("Name the documents you accept.", ["documentIds"])
    if len(raw_ids) > len(LegalDocumentKind) * 4:
        raise invalid("Too many documents.", ["documentIds"])
    shown = [await tenant.legal_document(principal.clinic_id, raw, ["documentIds"]) for raw in raw_ids]
    in_force = {d.id for d in await current(principal.clinic_id)}
    for document in shown:
        if document.id not in in_force:
            raise invalid(f"Version {document.version} of the {document.title} has been replaced; read the current one.", ["documentIds"])
    async with write_transaction():
        await record(principal.clinic_id, principal.client_id, [d.id for d in shown], AcceptedVia.PORTAL, now)
        if not await to_accept(client := await Client.get(id=principal.client_id, clinic_id=principal.clinic_id)):
            await Client.filter(id=client.id).update(
                terms_version=label(await current(principal.clinic_id)), terms_accepted_at=now
            )
    return await Client.get(id=principal.client_id, clinic_id=principal.clinic_id)
