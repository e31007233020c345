"""The booking page's free times in a real Chromium stay current without a
reload (`availableSlotsChanged`): a time another visitor picks (and so
holds) goes from a page already showing it, and comes back when they pick
another."""

from __future__ import annotations

from tests.pages.test_browser import pick_time, sign_in
from tests.pages.test_browser_holds import _choose
from tests.support.browser import chromium, new_page, site, template  # noqa: F401 (fixtures used below)

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None


async def test_a_time_taken_elsewhere_leaves_an_open_page_at_once_and_comes_back_when_given_up(site, new_page):
    client = await new_page()
    await sign_in(client, site)
    await client.get_by_role("button", name="Book Now").click()
    await _choose(client, "Alex Morgan")
    day = await client.get_by_label("Date").input_value()

    stranger = await new_page()  # another browser, not signed in, already looking at that day
    await stranger.goto(f"{site.url}/p/demo/book")
    await expect(stranger.get_by_label("Full name")).to_be_editable()
    await _choose(stranger, "Alex Morgan", day)
    time = await client.locator("#times label").nth(2).inner_text()
    await expect(stranger.locator("#times label", has_text=time)).to_have_count(1)

    assert await pick_time(client, 2) == time  # held for the client now
    await expect(client.locator("#held-until")).to_be_visible()
    await expect(stranger.locator("#times label", has_text=time)).to_have_count(0)  # gone without a reload

    await pick_time(client, 12)  # the client changes their mind: the first time is given back
    await expect(stranger.locator("#times label", has_text=time)).to_have_count(1)
