"""The message catalogues: every text marked in the sources is in the
templates, and every language has a translation of each, keeping its
placeholders and its language's number of plural forms. A text added to the
sources without `clinicportal messages` and a translation fails here."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from resolvers.core import catalogues, i18n

PLACEHOLDER = re.compile(r"\{(\w*)\}")
TRANSLATED = [language for language in i18n.languages() if language != i18n.SOURCE_LANGUAGE]


def committed(path):
    with path.open("rb") as handle:
        return read_po(handle)


def ids(catalog) -> set:
    return {m.id for m in catalog if m.id}


def test_every_language_the_clients_may_choose_has_catalogues():
    from settings import Settings

    assert set(Settings.supported_languages) <= set(i18n.languages())
    assert len(TRANSLATED) >= 7


@pytest.mark.parametrize("domain", i18n.DOMAINS)
def test_the_templates_hold_every_text_marked_in_the_sources(domain):
    fresh = catalogues.template(domain)
    assert len(ids(fresh)) > 10  # the extraction found the marked texts
    stale = ids(fresh) ^ ids(committed(i18n.LOCALES / f"{domain}.pot"))
    assert not stale, f"run `make messages`: the {domain} template differs from the sources in {sorted(stale, key=str)}"


@pytest.mark.parametrize("domain", i18n.DOMAINS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_language_translates_every_text_with_its_placeholders(domain, language):
    template = ids(catalogues.template(domain))
    catalog = committed(i18n.po_path(language, domain))
    assert template <= ids(catalog), f"run `make messages`: {language} lacks {sorted(template - ids(catalog), key=str)}"
    assert catalogues.missing(catalog) == [], f"{language}/{domain} has texts to translate"
    for message in catalog:
        if not message.id or message.id not in template:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if isinstance(message.id, tuple):
            assert len(strings) == catalog.num_plurals, (language, message.id)
        wanted = set(PLACEHOLDER.findall(sources[-1]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= wanted | set(PLACEHOLDER.findall(sources[0])), (language, text)
            if not isinstance(message.id, tuple):
                assert set(PLACEHOLDER.findall(text)) == wanted, (language, message.id, text)


def test_a_marked_html_text_and_a_script_text_inside_a_template_literal_are_extracted():
    found = ids(catalogues.template("portal"))
    assert "Skip to content" in found  # <a data-i18n> in every page
    assert "with {practitioner}" in found  # `${_("with {practitioner}", ...)}` in portal.js
    assert ("Please give {hours} hour's notice to cancel.", "Please give {hours} hours' notice to cancel.") in found
