"""The portal in the client's language, in real Chromium against a real
server: the browser's Accept-Language on a first visit, the language
switcher (remembered in the browser, stored with a signed-in client's
account), a ?lang= link, and dates written the language's way."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from resolvers.core import i18n
from tests.support.browser import CLIENT
from tests.support.browser import chromium, new_page, site, template  # noqa: F401 (fixtures used below)

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None

ME = "{ me { language upcoming: appointments(when: UPCOMING) { edges { node { start treatment { name } } } } } }"


def said(language: str, text: str) -> str:
    """The text as the catalogue of `language` has it."""
    return i18n.catalogue(language, "portal").get(text, text) if language != "en" else text


async def test_a_first_visit_follows_accept_language_and_the_switchers_choice_outlives_a_reload(site, new_page):
    page = await new_page(locale="de-DE")
    await page.goto(f"{site.url}/p/demo/")
    await expect(page.get_by_role("heading", name=said("de", "Sign in"), exact=True)).to_be_visible()
    assert await page.evaluate("document.documentElement.lang") == "de"
    await expect(page.get_by_role("button", name=said("de", "Text me a code"))).to_be_visible()

    await page.get_by_label(said("de", "Language")).select_option("fr")
    await expect(page.get_by_role("heading", name=said("fr", "Sign in"), exact=True)).to_be_visible()
    await expect(page.get_by_label(said("fr", "Password"))).to_be_visible()
    assert await page.evaluate("localStorage.getItem('clinicportal:language')") == "fr"

    await page.reload()
    await expect(page.get_by_role("heading", name=said("fr", "Sign in"), exact=True)).to_be_visible()
    await page.goto(f"{site.url}/p/demo/book")  # every page, not only the portal
    await expect(page.get_by_role("heading", name=said("fr", "Book an appointment"), level=2)).to_be_visible()


async def test_a_lang_link_opens_the_portal_in_that_language_and_is_remembered(site, new_page):
    page = await new_page(locale="en-GB")
    await page.goto(f"{site.url}/p/demo/?lang=pl")
    await expect(page.get_by_role("heading", name=said("pl", "Sign in"), exact=True)).to_be_visible()
    await page.goto(f"{site.url}/p/demo/")
    await expect(page.get_by_role("heading", name=said("pl", "Sign in"), exact=True)).to_be_visible()
    # The server's error codes in the page's words.
    await page.get_by_label(said("pl", "E-mail")).fill(CLIENT[0])
    await page.get_by_label(said("pl", "Password"), exact=True).fill("not-the-password")
    await page.get_by_role("button", name=said("pl", "Sign in"), exact=True).click()
    await expect(page.locator("#message")).to_have_text(said("pl", "The e-mail or password is wrong."))


async def test_a_signed_in_clients_choice_is_stored_with_the_account_and_follows_them_to_another_browser(site, new_page):
    page = await new_page(locale="en-GB")
    await page.goto(f"{site.url}/p/demo/")
    await page.get_by_label("E-mail").fill(CLIENT[0])
    await page.get_by_label("Password").fill(CLIENT[1])
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("heading", name="Welcome, Jamie Client")).to_be_visible()

    await page.get_by_label("Language").select_option("de")
    greeting = said("de", "Welcome, {name}").replace("{name}", "Jamie Client")
    await expect(page.get_by_role("heading", name=greeting)).to_be_visible()
    me = (await site.gql(ME, token=await site.client_token()))["me"]
    assert me["language"] == "de"

    # The upcoming appointment's date, written in German in the clinic's zone.
    upcoming = me["upcoming"]["edges"][0]["node"]
    start = datetime.fromisoformat(upcoming["start"]).astimezone(ZoneInfo("Europe/London"))
    card = page.locator("#upcoming li", has_text=upcoming["treatment"]["name"]).first
    await expect(card).to_contain_text(format_date(start, "EEEE", locale="de"))
    await expect(card).to_contain_text(format_date(start, "MMMM", locale="de"))
    await expect(card.get_by_role("button", name=said("de", "Cancel"))).to_be_visible()

    # Another browser, nothing chosen in it, English by its Accept-Language:
    # once signed in, the client's own language.
    other = await new_page(locale="en-US")
    await other.goto(f"{site.url}/p/demo/")
    await expect(other.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    await other.get_by_label("E-mail").fill(CLIENT[0])
    await other.get_by_label("Password").fill(CLIENT[1])
    await other.get_by_role("button", name="Sign in", exact=True).click()
    await expect(other.get_by_role("heading", name=greeting)).to_be_visible()
