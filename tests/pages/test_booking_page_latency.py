"""The booking page on a slow connection: an answer that arrives after the
client has moved on must not undo the client's choice. Real Chromium, a
real server process; the latency is added by Playwright in front of it."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.browser import OWNER, Site
from tests.support.browser import chromium, new_page, site, template  # noqa: F401 (fixtures used below)

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None

LATENCY_SECONDS = 1.5
SLOTS = """query($t: ID!, $from: Date!, $to: Date!) {
  availableSlots(clinicSlug: "demo", treatmentId: $t, from: $from, to: $to) { start } }"""
CALENDAR = "query($from: DateTime!, $to: DateTime!) { calendar(from: $from, to: $to) { id start } }"


class SlowFirstSlots:
    """Holds back the page's first `availableSlots` request (the search for
    the first day with free times) and counts those in flight."""

    def __init__(self) -> None:
        self.delayed = None
        self.held = asyncio.Event()
        self.answered = asyncio.Event()
        self.in_flight: set = set()

    async def attach(self, page) -> None:
        await page.route("**/graphql", self._route)
        page.on("request", lambda r: self._is_slots(r) and self.in_flight.add(r))
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._finished)

    @staticmethod
    def _is_slots(request) -> bool:
        return request.method == "POST" and '"operationName":"Slots"' in (request.post_data or "")

    async def _route(self, route) -> None:
        if self.delayed is None and self._is_slots(route.request):
            self.delayed = route.request
            self.held.set()
            await asyncio.sleep(LATENCY_SECONDS)
        await route.continue_()

    def _finished(self, request) -> None:
        self.in_flight.discard(request)
        if request is self.delayed:
            self.answered.set()

    async def settled(self, page) -> None:
        """The late answer has arrived, and whatever the page asked for
        because of it has been answered too."""
        await asyncio.wait_for(self.answered.wait(), 30)
        await page.wait_for_timeout(300)  # time for the page to act on it
        await asyncio.wait_for(self._none_in_flight(), 30)

    async def _none_in_flight(self) -> None:
        while self.in_flight:
            await asyncio.sleep(0.05)


async def first_and_later_day(site: Site) -> tuple[str, str, str]:
    """The page's first treatment, the first day with free times for it and
    a later one that has some too."""
    clinic = (await site.gql('{ clinic(slug: "demo") { timezone treatments { id } } }'))["clinic"]
    zone, treatment = ZoneInfo(clinic["timezone"]), clinic["treatments"][0]["id"]
    today = datetime.now(zone).date()
    slots = (await site.gql(SLOTS, {"t": treatment, "from": str(today), "to": str(today + timedelta(days=13))}))["availableSlots"]
    days = sorted({datetime.fromisoformat(s["start"]).astimezone(zone).date().isoformat() for s in slots})
    assert len(days) >= 3, days
    return clinic["timezone"], days[0], days[2]


async def booked_days(site: Site, token: str, timezone: str) -> dict[str, str]:
    now = datetime.now(ZoneInfo(timezone))
    window = {"from": (now - timedelta(days=1)).isoformat(), "to": (now + timedelta(days=30)).isoformat()}
    rows = (await site.gql(CALENDAR, window, token=token))["calendar"]
    return {r["id"]: datetime.fromisoformat(r["start"]).astimezone(ZoneInfo(timezone)).date().isoformat() for r in rows}


async def test_a_late_answer_for_the_first_free_day_does_not_undo_the_day_the_client_picked(site, new_page):
    timezone, first_day, picked_day = await first_and_later_day(site)
    staff = (await site.gql('mutation { staffSignIn(email: "%s", password: "%s") { session { token } } }' % OWNER))[
        "staffSignIn"
    ]["session"]["token"]
    before = await booked_days(site, staff, timezone)

    page = await new_page()
    slow = SlowFirstSlots()
    await slow.attach(page)
    await page.goto(f"{site.url}/p/demo/book")
    await expect(page.get_by_label("Date")).to_be_visible()
    await asyncio.wait_for(slow.held.wait(), 10)
    assert not slow.answered.is_set()  # the search for the first free day is still out
    await page.get_by_label("Date").fill(picked_day)
    await expect(page.locator("#times label").first).to_be_visible()

    await slow.settled(page)
    await expect(page.get_by_label("Date")).to_have_value(picked_day)
    await page.locator("#times label").first.click()
    await page.get_by_label("Full name").fill("Pat Walker")
    await page.get_by_label("E-mail").fill("pat.walker@example.com")
    await page.get_by_label("Mobile number").fill("+447700900123")
    await page.get_by_role("button", name="Confirm booking").click()
    await expect(page.get_by_role("heading", name="You're booked")).to_be_visible()

    after = await booked_days(site, staff, timezone)
    new = [day for id, day in after.items() if id not in before]
    assert new == [picked_day], f"picked {picked_day} (the first free day is {first_day}), booked {new}"
