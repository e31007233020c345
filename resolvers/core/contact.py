"""Normalising what people type: e-mail addresses, phone numbers and the
language of a client's messages."""

from __future__ import annotations

import re

import phonenumbers

from resolvers.core.errors import invalid

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def language_code(raw: object, field: list[str], supported: tuple[str, ...]) -> str:
    """One of the languages the clinic's messages are written in
    (SUPPORTED_LANGUAGES), whoever sets it: the client or the staff."""
    code = (raw if isinstance(raw, str) else "").strip().lower().replace("_", "-")
    if code not in supported:
        raise invalid(f"Choose one of: {', '.join(supported)}.", field)
    return code


def normalize_email(raw: str, field: list[str]) -> str:
    email = raw.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise invalid("Enter a valid e-mail address.", field)
    return email


def normalize_phone(raw: str, field: list[str], default_region: str | None = None) -> str:
    """E.164, e.g. +447700900001. A number without a country code is read in
    the clinic's region."""
    number = phone_number(raw, default_region)
    if number is None:
        raise invalid("Enter a valid phone number with its country code.", field)
    return number


def phone_number(raw: str, default_region: str | None = None) -> str | None:
    """`raw` in E.164 if it is a whole, possible phone number; else None."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
