"""Text that cannot be stored is refused before anything runs: strings with
NUL characters, or lone surrogates that are not valid Unicode, whether
written in the document or sent as variables."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

MESSAGE = "Text may not contain NUL characters or invalid Unicode."


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _all_storable(value: Any) -> bool:
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, dict):
        return all(_all_storable(k) and _all_storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_all_storable(v) for v in value)
    return True


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.clean = True

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        self.clean = self.clean and _storable(node.value)


# Whether a document's literals are storable, by its text: the answer
# depends on the text alone, and the hot documents come again and again.
_clean_texts: OrderedDict[str, bool] = OrderedDict()
CLEAN_TEXTS_MAX = 256
LONGEST = 16 * 1024  # longer texts are walked every time


def _clean_literals(text: str | None, document) -> bool:
    known = _clean_texts.get(text) if text is not None else None
    if known is not None:
        return known
    literals = _Literals()
    if document is not None:
        visit(document, literals)
    if text is not None and len(text) <= LONGEST:
        _clean_texts[text] = literals.clean
        while len(_clean_texts) > CLEAN_TEXTS_MAX:
            _clean_texts.popitem(last=False)
    return literals.clean


class StorableText(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        clean = _clean_literals(context.query, context.graphql_document)
        if not (clean and _all_storable(context.variables or {})):
            # Set before validation runs, so nothing executes.
            context.pre_execution_errors = [GraphQLError(MESSAGE, extensions={"code": "INVALID_INPUT"})]
        yield
