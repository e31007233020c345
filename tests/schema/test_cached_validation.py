"""Validation kept per document (schema/limits.py `CachedValidation`): an
invalid document is refused every time, a valid one runs, and a refusal an
earlier extension set is not replaced by the kept validation."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, SchemaExtension

from schema.limits import CachedValidation, MaxDepth


@strawberry.type
class Query:
    @strawberry.field
    def greeting(self) -> str:
        return "hello"


class RefuseMarked(SchemaExtension):
    """Stands in for StorableText: refuses before validation runs."""

    def on_validate(self) -> Iterator[None]:
        if "refused" in (self.execution_context.query or ""):
            self.execution_context.pre_execution_errors = [GraphQLError("refused", extensions={"code": "INVALID_INPUT"})]
        yield


SCHEMA = strawberry.Schema(
    Query,
    extensions=[
        partial(ParserCache, maxsize=16), partial(MaxDepth, max_depth=3), RefuseMarked, partial(CachedValidation, maxsize=16),
    ],
)


async def test_kept_validation_refuses_and_runs_as_validation_does():
    for _ in range(2):
        assert (await SCHEMA.execute("{ greeting }")).data == {"greeting": "hello"}
        wrong = await SCHEMA.execute("{ nothing }")
        assert wrong.data is None and "nothing" in wrong.errors[0].message


async def test_an_earlier_refusal_stands():
    for _ in range(2):
        refused = await SCHEMA.execute("query refused { greeting }")
        assert refused.data is None and [e.message for e in refused.errors] == ["refused"]
