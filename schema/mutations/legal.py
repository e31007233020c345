"""Publishing and accepting the clinic's privacy policy and user agreement."""

from __future__ import annotations

import strawberry

from resolvers.account import legal_documents
from schema.context import Info
from schema.errors import payload
from schema.payload import Payload
from schema.types.legal import LegalDocument, LegalDocumentKind, documents


@strawberry.type
class PublishLegalDocumentPayload(Payload):
    document: LegalDocument | None = None


@strawberry.type
class AcceptLegalDocumentsPayload(Payload):
    documents_to_accept: list[LegalDocument] | None = strawberry.field(
        default=None, description="What is still to accept (empty once everything current is accepted)."
    )


async def _published(work) -> dict:
    return {"document": LegalDocument(model=await work)}


async def _accepted(work) -> dict:
    return {"documents_to_accept": documents(await legal_documents.to_accept(await work))}


@strawberry.type
class LegalMutations:
    @strawberry.mutation(
        description="Admin: publish a new version of the privacy policy or the user agreement. It is current "
        "at once; older versions are kept, and clients who accepted one of them are asked again."
    )
    async def publish_legal_document(
        self, info: Info, kind: LegalDocumentKind, body: str, title: str | None = None
    ) -> PublishLegalDocumentPayload:
        work = legal_documents.publish(info.context.principal, kind, body, title)
        return await payload(PublishLegalDocumentPayload, _published(work))

    @strawberry.mutation(
        description="Signed-in client: accept the current versions shown (`ClientAccount.documentsToAccept`). "
        "A superseded version is refused with INVALID_INPUT."
    )
    async def accept_legal_documents(self, info: Info, document_ids: list[strawberry.ID]) -> AcceptLegalDocumentsPayload:
        work = legal_documents.accept(info.context.principal, document_ids)
        return await payload(AcceptLegalDocumentsPayload, _accepted(work))
