"""Validation done once per document text and set of rules.

strawberry's `ValidationCache` keys its cache on the parsed document, and a
parsed document is a frozen dataclass: every lookup hashes (and compares)
the whole tree. Here the key is the text, whose hash Python keeps, with the
rules the request validates with (the depth and alias limits add theirs in
`on_validate` before this runs: it comes after them in the schema's list).
Only documents that passed, up to 16 KiB of text, are kept: a request that
fails validation is validated again each time, so bad documents cannot fill
the cache."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

_passed: OrderedDict[tuple, bool] = OrderedDict()
# Longer texts are validated every time: the cache holds at most
# maxsize * LONGEST characters.
LONGEST = 16 * 1024


class ValidatedDocuments(SchemaExtension):
    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        key = (context.query, context.validation_rules, context.schema)
        if context.query is not None and key in _passed:
            _passed.move_to_end(key)
            if context.pre_execution_errors is None:  # an earlier extension's refusal stands
                context.pre_execution_errors = []  # strawberry's validation then does not run again
            yield
            return
        yield
        if context.query is not None and len(context.query) <= LONGEST and context.pre_execution_errors == []:
            _passed[key] = True
            while len(_passed) > self.maxsize:
                _passed.popitem(last=False)
