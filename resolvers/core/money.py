"""Amounts of money as typed by a person or a partner: "45.00"."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from resolvers.core.errors import invalid

CENT = Decimal("0.01")
# Far above any amount the columns hold, and small enough to round safely.
_SANE = Decimal("1e12")


def two_places(raw: object, field: list[str], message: str) -> Decimal:
    """A finite decimal with at most two places; anything else (text, NaN,
    more places, a number too large to round) is refused with `message`.
    Each caller checks its own range."""
    try:
        value = Decimal(str(raw).strip())
        if value.is_finite() and abs(value) < _SANE and value == value.quantize(CENT):
            return value.quantize(CENT)
    except (InvalidOperation, ValueError):
        pass
    raise invalid(message, field)
