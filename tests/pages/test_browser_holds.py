"""Slot holds in a real Chromium: a time picked on one booking page is gone
from another browser's free times until it is booked."""

from __future__ import annotations

from tests.pages.test_browser import pick_time, sign_in
from tests.support.browser import chromium, new_page, site, template  # noqa: F401 (fixtures used below)
from tests.support.browser import shot

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None


async def _choose(page, practitioner: str, day: str | None = None) -> None:
    await page.get_by_label("Practitioner").select_option(label=practitioner)
    if day is not None:
        await page.get_by_label("Date").fill(day)
        await page.get_by_label("Date").dispatch_event("change")
    await expect(page.locator("#times label").first).to_be_visible()


async def test_a_picked_time_is_held_from_another_browser_until_it_is_booked(site, new_page):
    client = await new_page()
    await sign_in(client, site)
    await client.get_by_role("button", name="Book Now").click()
    await expect(client.get_by_label("Full name")).to_have_value("Jamie Client")
    await _choose(client, "Alex Morgan")
    day = await client.get_by_label("Date").input_value()
    time = await pick_time(client, 2)
    await expect(client.locator("#held-until")).to_contain_text("Held for you until")

    stranger = await new_page()  # another browser, not signed in
    await stranger.goto(f"{site.url}/p/demo/book")
    await expect(stranger.get_by_label("Full name")).to_be_editable()
    await _choose(stranger, "Alex Morgan", day)
    await expect(stranger.locator("#times label", has_text=time)).to_have_count(0)
    await shot(stranger, "booking-held-elsewhere")

    await client.get_by_role("button", name="Confirm booking").click()
    await expect(client.get_by_role("heading", name="You're booked")).to_be_visible()
    await expect(client.locator("#done-what")).to_contain_text(time)
    await stranger.reload()
    await _choose(stranger, "Alex Morgan", day)
    await expect(stranger.locator("#times label", has_text=time)).to_have_count(0)  # now booked


async def test_picking_another_time_gives_the_first_back(site, new_page):
    client = await new_page()
    await sign_in(client, site)
    await client.get_by_role("button", name="Book Now").click()
    await _choose(client, "Alex Morgan")
    day = await client.get_by_label("Date").input_value()
    first = await pick_time(client, 2)
    await expect(client.locator("#held-until")).to_be_visible()
    await pick_time(client, 12)  # hours later: the first time is clear of it
    await expect(client.locator("#held-until")).to_be_visible()

    stranger = await new_page()
    await stranger.goto(f"{site.url}/p/demo/book")
    await _choose(stranger, "Alex Morgan", day)
    await expect(stranger.locator("#times label", has_text=first)).to_have_count(1)
