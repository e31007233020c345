"""The document limits, with their validation rules built once and added
only for the validation step.

strawberry's `MaxAliasesLimiter` and `QueryDepthLimiter` build a new rule
class for every operation and add it from an `on_operation` hook, which a
subscription keeps suspended for its whole life: about 5 KB held by every
open subscription, and two classes created per request. These build each
rule class once per setting and add it in `on_validate`, which ends when
validation does."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from strawberry.extensions import SchemaExtension, ValidationCache
from strawberry.extensions import max_aliases, query_depth_limiter


@cache
def _alias_rule(max_alias_count: int) -> type:
    return max_aliases.create_validator(max_alias_count)


@cache
def _depth_rule(max_depth: int, should_ignore) -> type:
    return query_depth_limiter.create_validator(max_depth, should_ignore)


class _ValidationRule(SchemaExtension):
    rule: type

    def on_validate(self) -> Iterator[None]:
        self.execution_context.validation_rules = (*self.execution_context.validation_rules, self.rule)
        yield


class MaxAliases(_ValidationRule):
    def __init__(self, max_alias_count: int) -> None:
        self.rule = _alias_rule(max_alias_count)


class MaxDepth(_ValidationRule):
    def __init__(self, max_depth: int, should_ignore=None) -> None:
        self.rule = _depth_rule(max_depth, should_ignore)


class CachedValidation(ValidationCache):
    """strawberry's `ValidationCache` (one validation per document and set
    of rules; `ParserCache` hands the same document object for the same
    text), except that a refusal an earlier extension already set
    (`StorableText`, `SubscriptionsOverWebsocket`) stands instead of being
    replaced by the validation's own result. List it after those and after
    the extensions that add rules (`MaxDepth`, `MaxAliases`)."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors is not None:
            yield
            return
        yield from super().on_validate()
