"""Every SMS text about an appointment, marked for the `messages` catalogue
and sent in the client's language (English where it has no catalogue).
Placeholders: {clinic} {treatment} {when} {practitioner} {price} {link};
{when} is written in the clinic's time zone and {price} in the client's
language; {link} is a waitlist offer's claim link. A series' confirmation
(render_series) has {clinic} {treatment} {count} {first} {last}, in the
language's plural for {count}."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from jobs.purposes import ABOUT_THE_BOOKING  # noqa: F401  (the purposes these texts serve)
from resolvers.core import i18n
from resolvers.core.i18n import N_

TEXTS: dict[str, str] = {
    "confirmation": N_("{clinic}: your {treatment} with {practitioner} is booked for {when}. Reply STOP to opt out."),
    "reminder": N_("{clinic}: a reminder of your {treatment} with {practitioner} on {when}. Reply STOP to opt out."),
    "cancellation": N_("{clinic}: your {treatment} on {when} has been cancelled."),
    "reschedule": N_("{clinic}: your {treatment} has moved to {when} with {practitioner}."),
    "waitlist_offer": N_("{clinic}: a {treatment} with {practitioner} on {when} has come free. Book it here: {link}"),
}
# The confirmation when the clinic shows its prices.
PRICED_CONFIRMATION = N_(
    "{clinic}: your {treatment} with {practitioner} is booked for {when} (price: {price}). Reply STOP to opt out."
)


def render(
    purpose: str,
    language: str,
    *,
    clinic: str,
    treatment: str,
    practitioner: str,
    start: datetime,
    timezone: str,
    country: str | None = None,
    price: tuple[Decimal, str] | None = None,
    link: str = "",
) -> str:
    """`price` (amount, currency) is named in the confirmation when given;
    `link` is a waitlist offer's claim link."""
    text = PRICED_CONFIRMATION if purpose == "confirmation" and price is not None else TEXTS[purpose]
    return i18n.gettext(language, text).format(
        clinic=clinic,
        treatment=treatment,
        practitioner=practitioner,
        when=i18n.when(start, timezone, language, country),
        price=i18n.money(price[0], price[1], language, country) if price is not None else "",
        link=link,
    )


def render_series(
    language: str, *, clinic: str, treatment: str, count: int, first: datetime, last: datetime, timezone: str,
    country: str | None = None,
) -> str:
    """The one confirmation of a recurring series (one occurrence, when
    only one of its times could be booked)."""
    text = i18n.translations(language).ngettext(
        "{clinic}: your {treatment} appointment of the series is booked for {first}. Reply STOP to opt out.",
        "{clinic}: your {count} {treatment} appointments are booked, from {first} to {last}. Reply STOP to opt out.",
        count,
    )
    return text.format(
        clinic=clinic,
        treatment=treatment,
        count=count,
        first=i18n.when(first, timezone, language, country),
        last=i18n.when(last, timezone, language, country),
    )
