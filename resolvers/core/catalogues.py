"""Keeping the catalogues in step with the sources (`clinicportal messages`,
`make messages`): Babel's extractors read the marked texts, the templates
(`locales/<domain>.pot`) are rewritten, and every language's .po file is
updated from them (new texts added untranslated, gone ones kept as obsolete
comments), as `pybabel extract` + `pybabel update` would.

What is marked: in Python `_("...")`, `gettext(...)`, `ngettext(...)` and
`N_("...")`; in the pages' scripts `_("...")` and `_n("one", "many", n)`; in the pages' HTML the text
of an element with a `data-i18n` attribute, and the attributes it names in
`data-i18n-attr` ("aria-label,title")."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from resolvers.core import i18n
from resolvers.core.i18n import DOMAINS, LOCALES, SOURCE_LANGUAGE, languages, po_path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "clinicportal"


class _Marked(HTMLParser):
    """Texts of the elements marked `data-i18n`, with their line numbers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._open: list[tuple[str, int, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        line = self.getpos()[0]
        for attr in (named.get("data-i18n-attr") or "").split(","):
            if attr.strip() and named.get(attr.strip()):
                self.found.append((line, " ".join(named[attr.strip()].split())))
        if "data-i18n" in named:
            self._open.append((tag, line, []))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _tag, line, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            if text:
                self.found.append((line, text))


def extract_html(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extraction method for the pages' HTML."""
    parser = _Marked()
    parser.feed(fileobj.read().decode(options.get("encoding", "utf-8")))
    parser.close()
    for line, text in parser.found:
        yield line, "_", text, []


SOURCES = {
    "messages": [("resolvers/**.py", "python")],
    "portal": [("portal/*.html", extract_html), ("portal/static/*.js", "javascript")],
}
# Texts marked inside a script's template literals (`${_("...")}`) too.
OPTIONS = {"portal/static/*.js": {"parse_template_string": "true"}}
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_n": (1, 2)}


def template(domain: str) -> Catalog:
    """A fresh extraction of the domain's texts from the sources."""
    catalog = Catalog(project=PROJECT, copyright_holder=PROJECT, domain=domain, charset="utf-8")
    for path, line, message, comments, context in extract_from_dir(
        str(ROOT), SOURCES[domain], options_map=OPTIONS, keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        catalog.add(message, None, [(path, line)], auto_comments=comments, context=context)
    return catalog


def _write(catalog: Catalog, path: Path) -> None:
    """Sorted, with file names but no line numbers: a file changes only
    where its texts do, so branches adding texts merge with few conflicts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(out, catalog, width=100, sort_output=True, include_lineno=False)


def _read(path: Path, **kwargs) -> Catalog | None:
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle, **kwargs)


def update(extra_languages: tuple[str, ...] = ()) -> list[str]:
    """Rewrites the templates and brings every language's catalogue up to
    date with them; answers "language/domain: N untranslated" lines."""
    report = []
    i18n.languages.cache_clear()  # a language started since
    for domain in DOMAINS:
        fresh = template(domain)
        previous = _read(LOCALES / f"{domain}.pot")
        if previous is not None and {m.id for m in previous} == {m.id for m in fresh}:
            fresh.creation_date = previous.creation_date  # nothing new: the files stay as they are
        _write(fresh, LOCALES / f"{domain}.pot")
        for language in sorted({*languages(), *extra_languages} - {SOURCE_LANGUAGE}):
            path = po_path(language, domain)
            catalog = _read(path, locale=language, domain=domain) or Catalog(
                locale=language, domain=domain, project=PROJECT, copyright_holder=PROJECT, charset="utf-8"
            )
            catalog.update(fresh, no_fuzzy_matching=True)
            _write(catalog, path)
            report.append(f"{language}/{domain}: {len(missing(catalog))} untranslated")
    return report


def missing(catalog: Catalog) -> list[str]:
    """The msgids of a catalogue without a (non-fuzzy) translation."""
    gaps = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            gaps.append(message.id[0] if isinstance(message.id, tuple) else message.id)
    return gaps
