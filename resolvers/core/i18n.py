"""The client's language: the message catalogues (gettext .po files under
`locales/`, read by Babel), choosing a language from what a browser asks
for, and dates, times and prices written the way that language writes them.

Two catalogues ("domains"): `messages` for what the server writes (SMS,
e-mails), `portal` for the pages (served as JSON, web/i18n.py). English is
the source language: its texts are the msgids, so it needs no catalogue.
The .po files are compiled in memory the first time a language is used; no
.mo files are built or committed. `clinicportal messages` re-extracts the
templates from the sources and updates every language (catalogues.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).resolve().parent / "locales"
SOURCE_LANGUAGE = "en"
DOMAINS = ("messages", "portal")


def N_(message: str) -> str:
    """Marks a text for the catalogue where it is defined; translated where
    it is used (`gettext(language, TEXT)`)."""
    return message


def po_path(language: str, domain: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{domain}.po"


@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    """English and every language with catalogues."""
    found = sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES").is_dir())
    return (SOURCE_LANGUAGE, *[code for code in found if code != SOURCE_LANGUAGE])


def known(raw: str | None) -> str | None:
    """The language of a code ("de", "de-AT", "pt_BR") if it has catalogues
    (or is English); else None."""
    base = (raw or "").strip().replace("_", "-").split("-")[0].lower()
    return base if base in languages() else None


def language_of(raw: str | None) -> str:
    """A language with catalogues for a stored or asked-for code; English
    for anything else."""
    return known(raw) or SOURCE_LANGUAGE


@lru_cache(maxsize=64)
def _read(language: str, domain: str):
    path = po_path(language, domain)
    if language == SOURCE_LANGUAGE or not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=domain)


def translations(language: str | None, domain: str = "messages") -> NullTranslations:
    """The gettext/ngettext of a language (English for an unknown one)."""
    return _compiled(language_of(language), domain)


@lru_cache(maxsize=64)
def _compiled(language: str, domain: str) -> NullTranslations:
    catalog = _read(language, domain)
    if catalog is None:
        return NullTranslations()
    buffer = BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out
    buffer.seek(0)
    return Translations(fp=buffer, domain=domain)


def gettext(language: str | None, message: str) -> str:
    """A text marked with N_() where it is defined, in `language`. Texts
    written where they are used go through `translations(language)`:
    `_ = translations(language).gettext; _("...")`."""
    return translations(language_of(language)).gettext(message)


def catalogue(language: str, domain: str = "portal") -> dict[str, str | list[str]]:
    """The translated messages of a language as msgid -> text (plural
    messages -> their forms), for the pages; untranslated and fuzzy ones
    are left out, so the page shows English for them."""
    catalog = _read(language_of(language), domain)
    found: dict[str, str | list[str]] = {}
    for message in catalog or ():
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            if all(message.string):
                found[message.id[0]] = list(message.string)
        elif message.string:
            found[message.id] = message.string
    return found


def plural_indexes(language: str, domain: str = "portal") -> dict[str, int]:
    """Which of a catalogue's plural forms each CLDR plural category
    ("one", "few", "many", "other") takes, for pages that pick the form with
    Intl.PluralRules: found by running the catalogue's own Plural-Forms rule
    on whole numbers; a category reached only by fractions takes the last."""
    compiled = translations(language, domain)
    rule = getattr(compiled, "plural", None)
    if rule is None:
        return {"one": 0, "other": 1}
    where = Locale.parse(language_of(language))
    found: dict[str, int] = {}
    for n in range(1000):
        found.setdefault(where.plural_form(n), rule(n))
    last = max(found.values(), default=1)
    for category in ("zero", "one", "two", "few", "many", "other"):
        found.setdefault(category, last)
    return found


def negotiate(accept_language: str | None) -> str:
    """The best supported language for an `Accept-Language` header (quality
    values honoured, "de-CH" counts as "de"); English when none fits."""
    wanted: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            wanted.append((-quality, index, tag))
    supported = languages()
    for _quality, _index, tag in sorted(wanted):
        base = tag.replace("_", "-").split("-")[0].lower()
        if base in supported:
            return base
    return SOURCE_LANGUAGE


def locale(language: str | None, country: str | None = None) -> Locale:
    """The language as written in the clinic's country where Babel knows
    that variant (en_GB, de_AT, ...), else the language alone."""
    code = language_of(language)
    if country:
        try:
            return Locale.parse(f"{code}_{country.upper()}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(code)


def when(moment: datetime, timezone: str, language: str | None, country: str | None = None, *, long: bool = False) -> str:
    """A date and time in the clinic's time zone, written the language's way:
    "Mon, 7 Jan 2030, 10:15" / "Mo., 7. Jan. 2030, 10:15"; `long` spells
    out the weekday and month and names the zone, for e-mails read later
    and elsewhere ("Montag, 7. Januar 2030, 10:15 (Europe/London)")."""
    where = locale(language, country)
    local = moment.astimezone(ZoneInfo(timezone))
    day = format_date(local, "full", locale=where) if long else format_skeleton("yMMMEd", local, locale=where)
    pattern = get_datetime_format("medium", locale=where).replace("'", "")
    written = pattern.replace("{1}", day).replace("{0}", format_time(local, "short", locale=where))
    return f"{written} ({timezone})" if long else written


def money(amount: Decimal | str, currency: str, language: str | None, country: str | None = None) -> str:
    """`45,00 €` in German, `€45.00` in English."""
    return format_currency(Decimal(str(amount)), currency, locale=locale(language, country))
