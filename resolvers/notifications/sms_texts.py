"""Every SMS text the clinic sends, by language. A client whose language has
no text here gets English. Placeholders: {clinic} {treatment} {when}
{practitioner} {link}; {when} is written in the clinic's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from jobs.purposes import ABOUT_THE_BOOKING  # noqa: F401  (the purposes these texts serve)

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "confirmation": "{clinic}: your {treatment} with {practitioner} is booked for {when}. Reply STOP to opt out.",
        "reminder": "{clinic}: a reminder of your {treatment} with {practitioner} on {when}. Reply STOP to opt out.",
        "cancellation": "{clinic}: your {treatment} on {when} has been cancelled.",
        "reschedule": "{clinic}: your {treatment} has moved to {when} with {practitioner}.",
        "waitlist_offer": "{clinic}: a {treatment} with {practitioner} on {when} has come free. Book it here: {link}",
    },
    "es": {
        "confirmation": "{clinic}: su cita de {treatment} con {practitioner} queda reservada para el {when}. Responda STOP para no recibir más mensajes.",
        "reminder": "{clinic}: le recordamos su cita de {treatment} con {practitioner} el {when}. Responda STOP para no recibir más mensajes.",
        "cancellation": "{clinic}: su cita de {treatment} del {when} ha sido cancelada.",
        "reschedule": "{clinic}: su cita de {treatment} se ha cambiado al {when} con {practitioner}.",
        "waitlist_offer": "{clinic}: hay un hueco libre de {treatment} con {practitioner} el {when}. Resérvelo aquí: {link}",
    },
    "fr": {
        "confirmation": "{clinic} : votre rendez-vous {treatment} avec {practitioner} est confirmé pour le {when}. Répondez STOP pour ne plus recevoir de SMS.",
        "reminder": "{clinic} : rappel de votre rendez-vous {treatment} avec {practitioner} le {when}. Répondez STOP pour ne plus recevoir de SMS.",
        "cancellation": "{clinic} : votre rendez-vous {treatment} du {when} est annulé.",
        "reschedule": "{clinic} : votre rendez-vous {treatment} est déplacé au {when} avec {practitioner}.",
        "waitlist_offer": "{clinic} : un créneau {treatment} avec {practitioner} le {when} s'est libéré. Réservez-le ici : {link}",
    },
}

_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def language_of(raw: str | None) -> str:
    base = (raw or "en").split("-")[0].lower()
    return base if base in TEXTS else "en"


def when(start: datetime, timezone: str, language: str) -> str:
    local = start.astimezone(ZoneInfo(timezone))
    if language == "en":
        return f"{_WEEKDAYS_EN[local.weekday()]} {local.day} {_MONTHS_EN[local.month - 1]} at {local:%H:%M}"
    return f"{local:%d/%m/%Y %H:%M}"


def render(
    purpose: str, language: str, *, clinic: str, treatment: str, practitioner: str, start: datetime, timezone: str,
    link: str = "",
) -> str:
    """`link`: the claim link of a waitlist offer."""
    language = language_of(language)
    return TEXTS[language][purpose].format(
        clinic=clinic, treatment=treatment, practitioner=practitioner, when=when(start, timezone, language), link=link
    )
