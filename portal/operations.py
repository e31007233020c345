"""The pages' GraphQL documents, kept in `portal/graphql/<script>.graphql`
(one file for each page script that talks to the API) and sent by id.

Each named operation of a file becomes one document: its own text and the
text of every fragment it uses, and its id is `sha256:<hex>` of that text
(as schema/documents.py reads them). The server knows them all from start-up; a script
imports the ids of its own from `/assets/graphql/<script>.js`, a module
made here, so the browser never hashes anything."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from graphql import FragmentDefinitionNode, FragmentSpreadNode, OperationDefinitionNode, parse, visit
from graphql.language import Visitor
from starlette.requests import Request
from starlette.responses import Response

from portal.pages import SECURITY_HEADERS

DOCUMENTS = Path(__file__).resolve().parent / "graphql"


@dataclass(frozen=True)
class PageDocument:
    script: str  # the page script that sends it: `book` for book.js
    name: str  # the operation's name
    text: str

    @property
    def id(self) -> str:
        return "sha256:" + hashlib.sha256(self.text.encode()).hexdigest()


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_) -> None:
        self.names.add(node.name.value)


def _spreads(node) -> set[str]:
    visitor = _Spreads()
    visit(node, visitor)
    return visitor.names


def _documents_of(script: str, source: str) -> list[PageDocument]:
    definitions = parse(source).definitions
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    documents = []
    for operation in definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        if operation.name is None:
            raise ValueError(f"portal/graphql/{script}.graphql: every operation needs a name")
        used, pending = [], sorted(_spreads(operation))
        while pending:
            name = pending.pop(0)
            if name not in used:
                used.append(name)
                pending.extend(sorted(_spreads(fragments[name])))
        parts = [operation, *(fragments[name] for name in sorted(used))]
        text = "\n".join(source[part.loc.start : part.loc.end] for part in parts)
        documents.append(PageDocument(script, operation.name.value, text))
    return documents


@cache
def page_documents() -> tuple[PageDocument, ...]:
    """Every document the pages send, read once."""
    found = []
    for path in sorted(DOCUMENTS.glob("*.graphql")):
        found.extend(_documents_of(path.stem, path.read_text()))
    return tuple(found)


def _module(script: str) -> bytes | None:
    documents = [d for d in page_documents() if d.script == script]
    if not documents:
        return None
    lines = ["// Made by the server from portal/graphql/%s.graphql: the documents' ids." % script]
    for d in documents:
        sent = json.dumps({"documentId": d.id, "operationName": d.name})
        lines.append(f"export const {d.name} = Object.freeze({sent});")
    return ("\n".join(lines) + "\n").encode()


@cache
def _modules() -> dict[str, bytes]:
    scripts = {d.script for d in page_documents()}
    return {script: _module(script) for script in scripts}


async def documents_module(request: Request) -> Response:
    """`/assets/graphql/<script>.js`: the ids of one page script's documents."""
    body = _modules().get(request.path_params["script"])
    if body is None:
        return Response("Not Found", 404, media_type="text/plain")
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    return Response(body, headers=headers, media_type="text/javascript")
