"""Documents sent by id instead of text.

Two request forms name a document by the SHA-256 of its text:

- GraphQL-over-HTTP persisted documents: `{"documentId": "sha256:<hex>",
  "variables": ...}`, the form the reference pages use; the id must be one
  of the known (trusted) documents the server was started with.
- Apollo's automatic persisted queries: `extensions.persistedQuery =
  {"version": 1, "sha256Hash": "<hex>"}`, with or without the text. An
  unknown hash without the text is answered `PERSISTED_QUERY_NOT_FOUND`,
  and the client sends the text with the hash; the text is then kept in a
  small per-process store (bounded in count and in characters), but only
  while arbitrary documents are allowed.

With `trusted_only` (the `TRUSTED_DOCUMENTS_ONLY` setting) the server runs
known documents only: any other text, in whichever form, is refused with
`DOCUMENT_NOT_TRUSTED`."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

# Top-level error codes of a request refused because of its document.
DOCUMENT_NOT_TRUSTED = "DOCUMENT_NOT_TRUSTED"
PERSISTED_DOCUMENT_NOT_FOUND = "PERSISTED_DOCUMENT_NOT_FOUND"
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"  # Apollo's: send the text with the hash
BAD_REQUEST = "BAD_REQUEST"

PREFIX = "sha256:"


def document_id(text: str) -> str:
    """`sha256:<hex>` of a document's text (its UTF-8 bytes)."""
    return PREFIX + hashlib.sha256(text.encode()).hexdigest()


class DocumentRefused(Exception):
    """A request whose document cannot run: `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Documents:
    """The known documents (by id) and, while arbitrary documents are
    allowed, the texts Apollo clients registered (at most `registered_max`,
    least recently used dropped first)."""

    def __init__(
        self, known: Mapping[str, str], *, trusted_only: bool = False, registered_max: int = 512,
        registered_max_chars: int = 4 * 1024 * 1024,
    ) -> None:  # fmt: skip
        self.known = dict(known)
        self.known_texts = frozenset(self.known.values())
        self.trusted_only = trusted_only
        self.registered_max = registered_max
        self.registered_max_chars = registered_max_chars  # what the kept texts may weigh together
        self.registered: OrderedDict[str, str] = OrderedDict()
        self.registered_chars = 0

    @classmethod
    def of_texts(cls, texts, **kwargs) -> Documents:
        return cls({document_id(text): text for text in texts}, **kwargs)

    def text(self, request: Mapping[str, Any]) -> str | None:
        """The text of the document a GraphQL request object names, or its
        own `query` (None when it has neither: strawberry says so); raises
        DocumentRefused when that document may not or cannot run."""
        query = request.get("query")
        if "documentId" in request:
            if query is not None:
                raise DocumentRefused(BAD_REQUEST, "Send either `documentId` or `query`, not both.")
            return self._by_id(request["documentId"])
        extensions = request.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is not None:
            return self._persisted(persisted, query)
        if isinstance(query, str):
            self._check_trusted(query)
        return query

    def _by_id(self, identifier: Any) -> str:
        if not isinstance(identifier, str):
            raise DocumentRefused(BAD_REQUEST, "`documentId` must be a string such as \"sha256:<hex>\".")
        text = self.known.get(identifier)
        if text is None and not self.trusted_only:
            text = self._registered(identifier)
        if text is None:
            code = DOCUMENT_NOT_TRUSTED if self.trusted_only else PERSISTED_DOCUMENT_NOT_FOUND
            raise DocumentRefused(code, "No document has this `documentId`.")
        return text

    def _persisted(self, persisted: Any, query: Any) -> str:
        sha = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(sha, str) or persisted.get("version", 1) != 1:
            raise DocumentRefused(BAD_REQUEST, "`persistedQuery` needs `version` 1 and a `sha256Hash`.")
        identifier = PREFIX + sha.lower()
        if query is None:
            text = self.known.get(identifier)
            if text is None and not self.trusted_only:
                text = self._registered(identifier)
            if text is not None:
                return text
            if self.trusted_only:
                raise DocumentRefused(DOCUMENT_NOT_TRUSTED, "Only the server's known documents run here.")
            raise DocumentRefused(PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
        if not isinstance(query, str) or document_id(query) != identifier:
            raise DocumentRefused(BAD_REQUEST, "`sha256Hash` is not the SHA-256 of the query.")
        self._check_trusted(query)
        if identifier not in self.known:
            self._register(identifier, query)
        return query

    def _check_trusted(self, text: str) -> None:
        if self.trusted_only and text not in self.known_texts:
            raise DocumentRefused(DOCUMENT_NOT_TRUSTED, "Only the server's known documents run here.")

    def _registered(self, identifier: str) -> str | None:
        text = self.registered.get(identifier)
        if text is not None:
            self.registered.move_to_end(identifier)
        return text

    def _register(self, identifier: str, text: str) -> None:
        if identifier in self.registered:
            self.registered.move_to_end(identifier)
            return
        self.registered[identifier] = text
        self.registered_chars += len(text)
        while len(self.registered) > self.registered_max or self.registered_chars > self.registered_max_chars:
            _, dropped = self.registered.popitem(last=False)
            self.registered_chars -= len(dropped)
