"""The one base of every mutation payload: what the mutation made, then
`userErrors` (empty on success), as Shopify and Saleor answer."""

from __future__ import annotations

from typing import Any, ClassVar

from schema.errors import UserError


class Payload:
    """Subclass it under `@strawberry.type` with the payload's own fields
    (each with a default: on failure only `userErrors` is set); the class
    gains `user_errors: [UserError!]!` as its last field."""

    user_errors: ClassVar[Any]  # set on each subclass as a field, below

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Added to the subclass's own annotations (not inherited), so that the
        # field comes after the payload's own ones in the schema.
        cls.__annotations__ = {**cls.__dict__.get("__annotations__", {}), "user_errors": list[UserError]}
