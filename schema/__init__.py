"""The GraphQL surface: types, inputs, payloads, and the Schema with its
limits."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry.extensions import MaxTokensLimiter, ParserCache
from strawberry.schema.config import StrawberryConfig

from schema import per_event_memo
from schema.errors import CodedErrors
from schema.lean_extensions import LeanSchema
from schema.limits import MaxAliases, MaxDepth
from schema.text import StorableText
from schema.mutations.auth import AuthMutations
from schema.mutations.booking import BookingMutations
from schema.mutations.prefill import PrefillMutations
from schema.query import Query
from schema.subscription import Subscription
from settings import Settings


@strawberry.type
class Mutation(AuthMutations, PrefillMutations, BookingMutations):
    pass


def _introspection(ignore) -> bool:
    return ignore.field_name.startswith("__")


def build_schema(settings: Settings) -> strawberry.Schema:
    per_event_memo.install()
    return LeanSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(disable_field_suggestions=settings.production),
        extensions=[
            # One parsed document per distinct query text: a thousand calendars
            # subscribed with the same document share it.
            partial(ParserCache, maxsize=256),
            partial(MaxDepth, max_depth=settings.max_query_depth, should_ignore=_introspection),
            partial(MaxAliases, max_alias_count=settings.max_aliases),
            partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
            StorableText,
            partial(CodedErrors, mask=settings.production),
        ],
    )
