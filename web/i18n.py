"""The pages' message catalogue: GET /i18n/portal.json[?lang=de] answers the
language the page is to be in, the languages offered and the translated
texts, from the same .po files as the SMS and e-mails. Without `lang` (or
with one not offered) the browser's Accept-Language decides."""

from __future__ import annotations

from babel import Locale
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portal.pages import SECURITY_HEADERS
from resolvers.core import i18n


def offered(supported: tuple[str, ...]) -> list[str]:
    """The languages of the deployment (SUPPORTED_LANGUAGES) that have catalogues."""
    return [code for code in i18n.languages() if code in supported]


def name_of(code: str) -> str:
    """The language's name in itself: "Deutsch", "Français"."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


async def portal_catalogue(request: Request) -> Response:
    codes = offered(request.app.state.runtime.settings.supported_languages)
    language = i18n.known(request.query_params.get("lang", "")[:16])
    if language not in codes:
        language = i18n.negotiate(request.headers.get("accept-language"))
    if language not in codes:
        language = i18n.SOURCE_LANGUAGE
    body = {
        "language": language,
        "languages": [{"code": code, "name": name_of(code)} for code in codes],
        "messages": i18n.catalogue(language, "portal"),
        "plural": i18n.plural_indexes(language, "portal"),
    }
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache", "Vary": "Accept-Language"}
    return JSONResponse(body, headers=headers)
