"""A page holding a token the server no longer takes (it expired, or was
signed out in another tab) drops it and offers to sign in again, rather
than failing on every action. Real Chromium against a real server."""

from __future__ import annotations

import json

from tests.support.browser import CLIENT, DESKTOP, OWNER, Site
from tests.support.browser import chromium, new_page, site, template  # noqa: F401 (fixtures used below)

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None

SIGN_OUT = "mutation { signOut { ok } }"
ENDED = "Your session has ended. Please sign in again."


async def stored_token(page, key: str) -> str:
    return json.loads(await page.evaluate(f"sessionStorage.getItem('clinicportal:{key}')"))["token"]


async def sign_out_elsewhere(site: Site, page, key: str) -> None:
    assert (await site.gql(SIGN_OUT, token=await stored_token(page, key)))["signOut"]["ok"]


async def test_the_portal_offers_sign_in_when_its_session_was_signed_out_elsewhere(site, new_page):
    page = await new_page()
    await page.goto(f"{site.url}/p/demo/")
    await page.get_by_label("E-mail").fill(CLIENT[0])
    await page.get_by_label("Password").fill(CLIENT[1])
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("heading", name="Welcome, Jamie Client")).to_be_visible()
    await sign_out_elsewhere(site, page, "portal:demo")

    await page.locator("#upcoming li", has_text="Facial").get_by_role("button", name="Cancel").click()
    await page.get_by_role("dialog").get_by_role("button", name="Cancel appointment").click()
    await expect(page.locator("#message")).to_have_text(ENDED)
    await expect(page.get_by_role("dialog")).to_be_hidden()
    await expect(page.get_by_label("E-mail")).to_be_visible()
    await expect(page.locator("#account")).to_be_hidden()
    assert await page.evaluate("sessionStorage.getItem('clinicportal:portal:demo')") is None

    await page.get_by_label("E-mail").fill(CLIENT[0])
    await page.get_by_label("Password").fill(CLIENT[1])
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.locator("#upcoming li", has_text="Facial")).to_be_visible()  # nothing was cancelled


async def test_the_calendar_offers_sign_in_when_opened_with_a_session_signed_out_elsewhere(site, new_page):
    signed_in = await site.gql('mutation { staffSignIn(email: "%s", password: "%s") { session { token expiresAt } } }' % OWNER)
    session = signed_in["staffSignIn"]["session"]
    assert (await site.gql(SIGN_OUT, token=session["token"]))["signOut"]["ok"]
    page = await new_page(DESKTOP)
    await page.goto(f"{site.url}/calendar")
    await expect(page.get_by_label("E-mail")).to_be_visible()
    # The tab still holds the session, as it would after a sign-out in another one.
    await page.evaluate("session => sessionStorage.setItem('clinicportal:calendar:staff', JSON.stringify(session))", session)

    await page.reload()
    await expect(page.locator("#message")).to_have_text(ENDED)
    await expect(page.get_by_label("E-mail")).to_be_visible()
    await expect(page.locator("#diary")).to_be_hidden()
    assert await page.evaluate("sessionStorage.getItem('clinicportal:calendar:staff')") is None


async def test_the_booking_page_books_with_typed_in_details_when_its_booking_session_has_ended(site, new_page):
    token = await site.client_token()
    link = (await site.gql("mutation { createPrefillToken { bookingUrl } }", token=token))["createPrefillToken"]["bookingUrl"]
    page = await new_page()
    await page.goto(link)
    await expect(page.get_by_label("Full name")).to_have_value("Jamie Client")
    await sign_out_elsewhere(site, page, "booking:demo")

    times = page.locator("#times label")
    await expect(times.first).to_be_visible()
    await times.nth(1).click()
    await page.get_by_role("button", name="Confirm booking").click()
    await expect(page.locator("#message")).to_contain_text("Your booking link has run out.")
    name = page.get_by_label("Full name")
    await expect(name).to_be_editable()
    await expect(name).to_be_focused()
    await name.fill("Pat Walker")
    await page.get_by_label("E-mail").fill("pat.walker@example.com")
    await page.get_by_label("Mobile number").fill("+447700900123")
    await page.get_by_role("button", name="Confirm booking").click()
    await expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
