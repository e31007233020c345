"""The documents a client agrees to: a clinic's privacy policy and user
agreement, one version each."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import LegalDocument as LegalDocumentModel
from models import LegalDocumentKind as LegalDocumentKindValues
from resolvers.account import legal_documents
from resolvers.booking import catalogue
from schema.context import Info
from schema.types.common import mirror

LegalDocumentKind = strawberry.enum(LegalDocumentKindValues, name="LegalDocumentKind")


def _title(root: "LegalDocument", info: Info) -> str:
    """A default title in the language of the request; the clinic's own as written."""
    return legal_documents.title_in(root.model, info.context.language)


@strawberry.type(description="One version of a privacy policy or user agreement; a newer version supersedes it.")
class LegalDocument:
    model: strawberry.Private[LegalDocumentModel]

    id: strawberry.ID = mirror("id", "What `acceptLegalDocuments` takes.")
    kind: LegalDocumentKind = mirror("kind")
    version: int = mirror("version", "1 for the first version, one more for each new one.")
    title: str = strawberry.field(resolver=_title, description='As the clinic names it, e.g. "Privacy Policy".')
    body: str = mirror("body", "The text, as plain text with line breaks.")
    published_at: datetime = mirror("published_at", "When this version became current.")


def documents(rows: list[LegalDocumentModel]) -> list[LegalDocument]:
    return [LegalDocument(model=row) for row in rows]


@strawberry.type
class LegalQueries:
    @strawberry.field(
        description="Public: one version of a clinic's privacy policy or user agreement (the current one "
        "without `version`); null when the clinic has no such version."
    )
    async def legal_document(
        self, info: Info, clinic_slug: str, kind: LegalDocumentKind, version: int | None = None
    ) -> LegalDocument | None:
        clinic = await catalogue.clinic_by_slug(info.context.runtime.clinics, clinic_slug)
        if clinic is None:
            return None
        row = await legal_documents.version_of(clinic.id, kind, version)
        return LegalDocument(model=row) if row else None
