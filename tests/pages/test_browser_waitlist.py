"""The waitlist in a real Chromium: a client joins from a full day on the
booking page, a cancellation from another session frees a time, and the
link in the SMS (read at the Twilio stand-in) books it; both pages in the
language the client chose."""

from __future__ import annotations

import re

import httpx
from babel.dates import format_date

from tests.pages.test_browser import sign_in
from tests.pages.test_browser_languages import said
from tests.pages.test_browser_messages import DEMO_PHONE, eventually, messaging_site  # noqa: F401 (fixture)
from tests.support.booking import working_day
from tests.support.browser import chromium, new_page, shot, template  # noqa: F401 (fixtures used below)

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None

LINK = re.compile(r"(http://\S+/waitlist\?token=\S+)")
CLINIC = '{ clinic(slug: "demo") { treatments { id name } practitioners { id name } } }'
BOOK = ("mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) {"
        " appointment { id start } userErrors { code message } } }")  # fmt: skip


async def _fill_the_day(site, day) -> tuple[str, list[dict]]:
    """Staff book Alex's whole working day with consultations (30 minutes, no buffer):
    (the staff token, the appointments)."""
    staff = (await site.gql('mutation { staffSignIn(email: "owner@demo.clinic", password: "demo-owner-pass") { session { token } } }'))
    staff = staff["staffSignIn"]["session"]["token"]
    me = (await site.gql("{ me { id } }", token=await site.client_token()))["me"]["id"]
    clinic = (await site.gql(CLINIC))["clinic"]
    consultation = next(t["id"] for t in clinic["treatments"] if t["name"] == "Consultation")
    alex = next(p["id"] for p in clinic["practitioners"] if p["name"] == "Alex Morgan")
    booked = []
    for n in range(18):  # 09:00 to 18:00
        start = day.replace(hour=9 + n // 2, minute=30 * (n % 2)).isoformat()
        answer = await site.gql(BOOK, {"input": {"clinicSlug": "demo", "treatmentId": consultation, "start": start,
                                                 "practitionerId": alex, "clientId": me}}, staff)  # fmt: skip
        assert answer["bookAppointment"]["userErrors"] == [], answer
        booked.append(answer["bookAppointment"]["appointment"])
    return staff, booked


async def _offer_links(site) -> list[str]:
    """The claim links the Twilio stand-in has carried to the demo client."""
    async with httpx.AsyncClient() as http:
        messages = (await http.get(f"{site.twilio.url}/_sandbox/messages")).json()["messages"]
    return [LINK.search(m["body"]).group(1) for m in messages if m["to"] == DEMO_PHONE and LINK.search(m["body"])]


async def test_a_client_joins_the_waitlist_on_a_full_day_and_books_the_freed_time_from_the_sms(messaging_site, new_page):
    site = messaging_site
    day = working_day(10)
    staff, booked = await _fill_the_day(site, day)

    page = await new_page()
    await sign_in(page, site)
    await page.get_by_role("button", name="Book Now").click()
    await expect(page.get_by_label("Full name")).to_have_value("Jamie Client")
    consultation = page.locator("#treatment option", has_text="Consultation")
    await page.get_by_label("Treatment").select_option(await consultation.get_attribute("value"))
    await page.get_by_label("Practitioner").select_option(label="Alex Morgan")
    await page.get_by_label("Date").fill(day.date().isoformat())
    await page.get_by_label("Date").dispatch_event("change")
    await expect(page.locator("#times")).to_contain_text("No free times on this day")
    await page.get_by_role("button", name="Join the waitlist").click()
    await expect(page.locator("#message")).to_contain_text("You're on the waitlist for Consultation")
    await shot(page, "booking-waitlist-joined")

    freed = booked[5]  # 11:30, cancelled at the front desk
    cancelled = await site.gql("mutation($id: ID!) { cancelAppointment(id: $id) { userErrors { code } } }",
                               {"id": freed["id"]}, staff)  # fmt: skip
    assert cancelled["cancelAppointment"]["userErrors"] == []

    [link] = await eventually(lambda: _offer_links(site), "waitlist offer by SMS")
    offer = await new_page()
    await offer.goto(link)
    assert "token" not in offer.url  # out of the address bar at once
    await offer.get_by_role("button", name="Book this time").click()
    await expect(offer.get_by_role("heading", name="You're booked")).to_be_visible()
    await expect(offer.locator("#done-what")).to_contain_text("Consultation")
    await expect(offer.locator("#done-what")).to_contain_text("Alex Morgan")
    await shot(offer, "waitlist-offer-booked")

    await offer.goto(link)  # the link is single-use
    await offer.get_by_role("button", name="Book this time").click()
    await expect(offer.locator("#message")).to_contain_text("This link has already been used.")


async def test_the_booking_pages_waitlist_and_the_offer_page_read_in_the_clients_language(messaging_site, new_page):
    site = messaging_site
    day = working_day(10)
    staff, booked = await _fill_the_day(site, day)

    page = await new_page(locale="en-GB")
    await sign_in(page, site)
    await page.get_by_role("button", name="Book Now").click()
    await expect(page.get_by_label("Full name")).to_have_value("Jamie Client")
    await page.get_by_label("Language").select_option("de")  # the page is read again in German
    await expect(page.get_by_label(said("de", "Full name"))).to_have_value("Jamie Client")
    consultation = page.locator("#treatment option", has_text="Consultation")
    await page.locator("#treatment").select_option(await consultation.get_attribute("value"))
    await page.locator("#practitioner").select_option(label="Alex Morgan")
    await page.locator("#day").fill(day.date().isoformat())
    await page.locator("#day").dispatch_event("change")
    full = "No free times on this day. Please choose another date, or join the waitlist: we will text or e-mail you if a time comes free."
    await expect(page.locator("#times")).to_contain_text(said("de", full))
    await page.get_by_role("button", name=said("de", "Join the waitlist")).click()
    joined = said("de", "You're on the waitlist for {treatment} on {day}. We'll let you know if a time comes free.")
    await expect(page.locator("#message")).to_contain_text(joined.split("{treatment}")[0] + "Consultation")
    await expect(page.locator("#message")).to_contain_text(format_date(day, "EEEE", locale="de"))
    await expect(page.locator("#message")).to_contain_text(format_date(day, "MMMM", locale="de"))

    cancelled = await site.gql("mutation($id: ID!) { cancelAppointment(id: $id) { userErrors { code } } }",
                               {"id": booked[5]["id"]}, staff)  # fmt: skip
    assert cancelled["cancelAppointment"]["userErrors"] == []

    [link] = await eventually(lambda: _offer_links(site), "waitlist offer by SMS")
    offer = await new_page(locale="pl-PL")
    await offer.goto(link)
    await expect(offer.get_by_role("heading", name=said("pl", "Book the time from your waitlist message"))).to_be_visible()
    await expect(offer.get_by_label(said("pl", "Language"))).to_have_value("pl")
    await offer.get_by_label(said("pl", "Language")).select_option("nl")  # the tab keeps the link's token
    await offer.get_by_role("button", name=said("nl", "Book this time")).click()
    await expect(offer.get_by_role("heading", name=said("nl", "You're booked"))).to_be_visible()
    await expect(offer.locator("#done-what")).to_contain_text("Consultation")
    await expect(offer.locator("#done-what")).to_contain_text(format_date(day, "MMM", locale="nl").rstrip("."))

    await offer.goto(link)
    await offer.get_by_role("button", name=said("nl", "Book this time")).click()
    await expect(offer.locator("#message")).to_have_text(said("nl", "This link has already been used."))
