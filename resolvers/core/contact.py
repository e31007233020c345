"""Normalising what people type: e-mail addresses, phone numbers and the
language of a client's messages."""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from resolvers.core.errors import invalid

MAX_EMAIL = 254  # RFC 5321's limit on a forward path


def language_code(raw: object, field: list[str], supported: tuple[str, ...]) -> str:
    """One of the languages the clinic's messages are written in
    (SUPPORTED_LANGUAGES), whoever sets it: the client or the staff."""
    code = (raw if isinstance(raw, str) else "").strip().lower().replace("_", "-")
    if code not in supported:
        raise invalid(f"Choose one of: {', '.join(supported)}.", field)
    return code


def normalize_email(raw: str, field: list[str]) -> str:
    """A single addr-spec, as email-validator checks and normalises it (no
    display name, no quoted local part, no list: nothing that could add a
    recipient or a header where the address is written into `To:`), then
    lower-cased as a whole, since people and staff are found by e-mail
    however they type it. No DNS look-up: example and demo domains are
    addresses like any other until a mail server says otherwise."""
    text = raw.strip()
    if len(text) > MAX_EMAIL:  # before the parser sees it, and never echoed
        raise invalid(f"Enter a valid e-mail address: at most {MAX_EMAIL} characters.", field)
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise invalid(f"Enter a valid e-mail address. {exc}", field) from None
    return checked.normalized.lower()


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
