"""The document limits, with their validation rules built once.

strawberry's `MaxAliasesLimiter` and `QueryDepthLimiter` build a new rule
class for every operation, and the extension instance keeps it for as long
as the operation runs: about 4.5 KB held by every open subscription, and two
classes created per request. These build each rule class once per setting."""

from __future__ import annotations

from functools import cache

from strawberry.extensions import AddValidationRules
from strawberry.extensions import max_aliases, query_depth_limiter


@cache
def _alias_rule(max_alias_count: int) -> type:
    return max_aliases.create_validator(max_alias_count)


@cache
def _depth_rule(max_depth: int, should_ignore) -> type:
    return query_depth_limiter.create_validator(max_depth, should_ignore)


class MaxAliases(AddValidationRules):
    def __init__(self, max_alias_count: int) -> None:
        super().__init__([_alias_rule(max_alias_count)])


class MaxDepth(AddValidationRules):
    def __init__(self, max_depth: int, should_ignore=None) -> None:
        super().__init__([_depth_rule(max_depth, should_ignore)])
