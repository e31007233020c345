"""What a clinic's set-up changes on its pages, in a real Chromium against a
real server process: its colour and logo, the portal access it allows, and
the one-time code that typed-in details of an existing client need on the
booking page (read from the Twilio stand-in)."""

from __future__ import annotations

import json
import re

import httpx

from tests.admin.test_portal_settings import png
from tests.pages.test_browser import pick_time, sign_in
from tests.pages.test_browser_messages import DEMO_PHONE, eventually, messaging_site  # noqa: F401 (fixture)
from tests.support.browser import OWNER, Site, shot
from tests.support.browser import chromium, new_page, site, template  # noqa: F401 (fixtures used below)

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None

BOOKING_CODE = re.compile(r"\b(\d{6}) is your code to confirm a booking at Demo Skin Clinic")
SETTINGS = "mutation($i: PortalSettingsInput!) { updatePortalSettings(input: $i) { userErrors { code field } } }"
DEFAULT_BACKGROUND = "rgb(238, 242, 245)"  # --brand in style.css


async def staff_token(site: Site) -> str:
    query = 'mutation { staffSignIn(email: "%s", password: "%s") { session { token } } }' % OWNER
    return (await site.gql(query))["staffSignIn"]["session"]["token"]


async def settings(site: Site, token: str, **changes) -> None:
    assert (await site.gql(SETTINGS, {"i": changes}, token=token))["updatePortalSettings"]["userErrors"] == []


async def upload_logo(site: Site, token: str, content: bytes) -> str:
    query = "mutation($file: Upload!) { uploadLogo(file: $file) { clinic { branding { logoUrl } } userErrors { code } } }"
    operations = json.dumps({"query": query, "variables": {"file": None}})
    async with httpx.AsyncClient(base_url=site.url) as http:
        answer = await http.post(
            "/graphql",
            data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
            files={"0": ("logo.png", content, "image/png")},
            headers={"authorization": f"Bearer {token}"},
        )
    payload = answer.json()["data"]["uploadLogo"]
    assert payload["userErrors"] == []
    return payload["clinic"]["branding"]["logoUrl"]


async def background(page) -> str:
    return await page.evaluate("getComputedStyle(document.body).backgroundColor")


async def test_the_portal_and_booking_pages_wear_the_clinics_colour_and_logo_until_they_are_removed(site, new_page):
    token = await staff_token(site)
    await settings(site, token, backgroundColor="#123456")
    logo_url = await upload_logo(site, token, png(24, 12))
    assert logo_url.startswith(f"{site.url}/media/")
    page = await new_page()
    for path in ("/p/demo/", "/p/demo/book"):
        await page.goto(site.url + path)
        logo = page.get_by_role("img", name="Demo Skin Clinic logo")
        await expect(logo).to_be_visible()
        assert await logo.get_attribute("src") == logo_url
        assert await logo.evaluate("img => img.complete && img.naturalWidth") == 24  # the stored image, loaded
        assert await background(page) == "rgb(18, 52, 86)"
    await shot(page, "branding-booking")

    removed = await site.gql("mutation { removeLogo { clinic { branding { logoUrl } } userErrors { code } } }", token=token)
    assert removed["removeLogo"] == {"clinic": {"branding": {"logoUrl": None}}, "userErrors": []}
    await settings(site, token, backgroundColor=None)
    for path in ("/p/demo/", "/p/demo/book"):
        await page.goto(site.url + path)
        await expect(page.locator("#clinic-name")).to_have_text("Demo Skin Clinic")
        await expect(page.locator("#clinic-logo")).to_be_hidden()
        assert await background(page) == DEFAULT_BACKGROUND
    async with httpx.AsyncClient() as http:
        assert (await http.get(logo_url)).status_code == 404  # the file went with it


async def test_a_clinic_that_takes_no_portal_bookings_or_changes_shows_neither_and_says_to_call(site, new_page):
    token = await staff_token(site)
    await settings(site, token, clientsCanBook=False, clientsCanCancel=False, clientsCanReschedule=False)
    page = await new_page()
    await sign_in(page, site)
    upcoming = page.locator("#upcoming li")
    await expect(upcoming).to_have_count(1)  # seeing appointments stays
    await expect(upcoming).to_contain_text("To move or cancel this appointment, please call the clinic.")
    await expect(page.get_by_role("button", name="Book Now")).to_be_hidden()
    await expect(page.locator("#upcoming button")).to_have_count(0)
    await expect(page.locator("#past button")).to_have_count(0)
    await shot(page, "portal-view-only")

    await page.goto(f"{site.url}/p/demo/book")
    await expect(page.locator("#message")).to_contain_text("not taking online bookings at the moment")
    await expect(page.locator("#booking")).to_be_hidden()

    await settings(site, token, clientsCanBook=True, clientsCanReschedule=True)
    await page.goto(f"{site.url}/p/demo/")  # still signed in
    await expect(page.get_by_role("heading", name="Welcome, Jamie Client")).to_be_visible()
    await expect(page.get_by_role("button", name="Book Now")).to_be_visible()
    await expect(page.locator("#upcoming li").get_by_role("button", name=re.compile("^Move "))).to_be_visible()
    await expect(page.locator("#upcoming li").get_by_role("button", name=re.compile("^Cancel "))).to_have_count(0)


async def test_typed_in_details_of_an_existing_client_book_with_the_code_texted_to_that_client(messaging_site, new_page):
    site = messaging_site
    page = await new_page()
    await page.goto(f"{site.url}/p/demo/book")
    time = await pick_time(page)
    await page.get_by_label("Full name").fill("Jamie Client")
    await page.get_by_label("E-mail").fill("client@demo.clinic")
    await page.get_by_label("Mobile number").fill("07700 900999")  # not the number on record
    await page.get_by_role("button", name="Confirm booking").click()
    code_box = page.get_by_label("Code we sent you")
    await expect(code_box).to_be_focused()
    await expect(page.locator("#message")).to_contain_text("ending in 01")

    async def texted_codes():
        async with httpx.AsyncClient() as http:
            messages = (await http.get(f"{site.twilio.url}/_sandbox/messages")).json()["messages"]
        return [BOOKING_CODE.search(m["body"]).group(1) for m in messages if BOOKING_CODE.search(m["body"])]

    [code] = await eventually(texted_codes, "booking code by SMS")
    async with httpx.AsyncClient() as http:
        messages = (await http.get(f"{site.twilio.url}/_sandbox/messages")).json()["messages"]
    assert {m["to"] for m in messages if BOOKING_CODE.search(m["body"])} == {DEMO_PHONE}

    await code_box.fill("000000" if code != "000000" else "111111")
    await page.get_by_role("button", name="Confirm booking").click()
    await expect(page.locator("#message")).to_contain_text("This code is wrong")
    await expect(code_box).to_be_focused()
    await code_box.fill(code)
    await shot(page, "booking-code")
    await page.get_by_role("button", name="Confirm booking").click()
    await expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    await expect(page.locator("#done-what")).to_contain_text(time)

    mine = await site.gql("{ me { appointments(when: UPCOMING) { edges { node { id } } } } }", token=await site.client_token())
    assert len(mine["me"]["appointments"]["edges"]) == 2  # the seeded one and this one, on the client's own record
