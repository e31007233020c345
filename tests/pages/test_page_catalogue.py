"""GET /i18n/portal.json: the pages' texts in the language asked for by a
?lang= link or the browser's Accept-Language, from the .po catalogues."""

from __future__ import annotations

from resolvers.core import i18n


async def catalogue(api, query: str = "", **headers) -> dict:
    response = await api.http.get(f"/i18n/portal.json{query}", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert "Accept-Language" in response.headers["vary"]
    return response.json()


async def test_the_language_asked_for_comes_with_its_texts_and_the_eight_choices(api):
    body = await catalogue(api, "?lang=de")
    assert body["language"] == "de"
    assert body["messages"] == i18n.catalogue("de", "portal") and body["messages"]["Sign in"] != "Sign in"
    assert [c["code"] for c in body["languages"]] == ["en", "de", "es", "fr", "it", "nl", "pl", "pt"]
    assert {"code": "fr", "name": "Français"} in body["languages"]


async def test_without_a_choice_the_browsers_accept_language_decides_by_quality(api):
    assert (await catalogue(api, **{"accept-language": "fr-CH, fr;q=0.9, en;q=0.8"}))["language"] == "fr"
    assert (await catalogue(api, **{"accept-language": "sv-SE, pl;q=0.5, de;q=0.7"}))["language"] == "de"
    assert (await catalogue(api, **{"accept-language": "sv, ja;q=0.5"}))["language"] == "en"
    assert (await catalogue(api, **{"accept-language": ";;q=,garbage;q=x"}))["language"] == "en"


async def test_a_language_not_offered_falls_back_to_the_browsers_and_english_has_no_texts_to_replace(api):
    assert (await catalogue(api, "?lang=xx", **{"accept-language": "it"}))["language"] == "it"
    assert (await catalogue(api, "?lang=" + "x" * 5000))["language"] == "en"
    english = await catalogue(api, "?lang=en", **{"accept-language": "de"})
    assert english["language"] == "en" and english["messages"] == {}


async def test_polish_plural_forms_are_mapped_to_the_browsers_plural_categories(api):
    body = await catalogue(api, "?lang=pl")
    assert body["plural"]["one"] == 0 and body["plural"]["few"] == 1 and body["plural"]["many"] == 2
    forms = body["messages"]["Please give {hours} hour's notice to cancel."]
    assert len(forms) == 3 and len(set(forms)) == 3
