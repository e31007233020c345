"""The calendar and the client portal resume their live streams from the
last event's cursor, in a real Chromium against a real server: the server
goes away, a booking is made meanwhile through another server process (whose
events never reach the page), the server comes back on the same address,
and the booking shows without a reload and without the page re-reading its
data. A cursor the server cannot resume from (RESYNC_REQUIRED) makes the
page re-read and carry on from the fresh cursor."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from tests.pages.test_diary import BRITISH, LONDON, Demo, _next_tuesday, open_diary
from tests.support.browser import CLIENT, DESKTOP
from tests.support.browser import chromium, new_page, site, template  # noqa: F401 (fixtures used below)
from tests.support.servers import running_server

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None

CLIENT_BOOKS = "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { appointment { id } userErrors { code message } } }"
MOVE = "mutation($id: ID!, $start: DateTime!) { rescheduleAppointment(id: $id, start: $start) { appointment { id } userErrors { code message } } }"
CALENDAR_READ = '"operationName":"Calendar"'  # the calendar page's read of the days on screen


def watch_reads(page, marker: str, timeline: list) -> None:
    """Notes in `timeline` each GraphQL request of the page holding `marker`."""

    def record(request) -> None:
        if request.method == "POST" and request.url.endswith("/graphql") and marker in (request.post_data or ""):
            timeline.append(("read",))

    page.on("request", record)


async def test_the_calendar_resumes_from_its_cursor_after_a_dropped_connection_without_re_reading(site, new_page):
    demo = await Demo.open(site)
    day = _next_tuesday()
    page = await new_page(DESKTOP, **BRITISH)
    await open_diary(page, site, day)
    await page.evaluate("window.stillTheSamePage = true")
    reads: list = []
    watch_reads(page, CALENDAR_READ, reads)
    status = page.locator("#status")

    await site.stop()
    await expect(status).to_have_text("Reconnecting…")
    async with running_server(site.env) as other:
        made = await demo.book("Alex Morgan", day, time(15, 0), "Lee Offline", url=other.url)
    await site.start()
    await expect(status).to_have_text("Live", timeout=30_000)
    await expect(page.locator(f'#grid .entry[data-id="{made}"]')).to_contain_text("Lee Offline")
    assert reads == []  # replayed from the cursor, not re-read
    assert await page.evaluate("window.stillTheSamePage") is True

    # Live again: a booking now arrives as before, and a move elsewhere (two
    # events: the old appointment cancelled, the new one) shows as both,
    # still without a re-read.
    again = await demo.book("Sam Patel", day, time(16, 0), "Kim Later")
    await expect(page.locator(f'#grid .entry[data-id="{again}"]')).to_contain_text("Kim Later")
    moved = (await site.gql(MOVE, {"id": made, "start": datetime.combine(day, time(11, 0), tzinfo=LONDON).isoformat()}, demo.token))
    assert moved["rescheduleAppointment"]["userErrors"] == []
    await expect(page.locator(f'#grid .entry[data-id="{moved["rescheduleAppointment"]["appointment"]["id"]}"]')).to_contain_text("Lee Offline")
    await expect(page.locator(f'#grid .entry[data-id="{made}"]')).to_have_count(0)
    assert reads == []


async def test_a_cursor_the_server_cannot_resume_from_makes_the_calendar_re_read_and_carry_on(site, new_page):
    demo = await Demo.open(site)
    day = _next_tuesday()
    page = await new_page(DESKTOP, **BRITISH)
    timeline: list = []
    connections: list = []

    def spoil_the_first_resume(ws) -> None:
        """Passes messages both ways, except that the page's first
        subscription names a cursor the server never gave."""
        connections.append(ws)
        server = ws.connect_to_server()

        def to_server(message) -> None:
            data = json.loads(message)
            if data.get("type") == "subscribe":
                spoil = not any(step[0] == "subscribe" for step in timeline)
                timeline.append(("subscribe", "not-a-cursor" if spoil else data["payload"]["variables"]["after"]))
                if spoil:
                    data["payload"]["variables"]["after"] = "not-a-cursor"
                    message = json.dumps(data)
            server.send(message)

        ws.on_message(to_server)
        server.on_message(lambda message: ws.send(message))

    await page.route_web_socket("**/graphql", spoil_the_first_resume)
    watch_reads(page, CALENDAR_READ, timeline)
    await open_diary(page, site, day)
    made = await demo.book("Sam Patel", day, time(10, 0), "Pat Walker")
    await expect(page.locator(f'#grid .entry[data-id="{made}"]')).to_contain_text("Pat Walker")

    subscriptions = [i for i, step in enumerate(timeline) if step[0] == "subscribe"]
    assert len(subscriptions) == 2, timeline  # refused once, then carried on
    first, second = subscriptions
    assert ("read",) in timeline[first + 1 : second]  # re-read in between
    assert timeline[second][1] not in (None, "not-a-cursor")  # from the fresh cursor
    assert len(connections) == 1  # on the same connection


async def test_my_bookings_resume_from_their_cursor_after_a_dropped_connection(site, new_page):
    page = await new_page()
    await page.goto(f"{site.url}/p/demo/")
    await page.get_by_label("E-mail").fill(CLIENT[0])
    await page.get_by_label("Password").fill(CLIENT[1])
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("heading", name="Welcome, Jamie Client")).to_be_visible()
    upcoming = page.locator("#upcoming li")
    before = await upcoming.count()
    await page.evaluate("window.stillTheSamePage = true")
    token = await site.client_token()
    consultation = (await Demo.open(site)).treatments["Consultation"]

    def booking(days_ahead: int) -> dict:
        start = datetime.combine(_next_tuesday() + timedelta(days=days_ahead), time(12, 0), tzinfo=LONDON)
        return {"i": {"clinicSlug": "demo", "treatmentId": consultation, "start": start.isoformat()}}

    # The portal has no status badge: a booking arriving live says its stream is up.
    first = (await site.gql(CLIENT_BOOKS, booking(1), token))["bookAppointment"]
    assert first["userErrors"] == []
    await expect(page.locator(f'#upcoming li[data-id="{first["appointment"]["id"]}"]')).to_be_visible()

    await site.stop()
    async with running_server(site.env) as other:
        made = (await site.gql(CLIENT_BOOKS, booking(2), token, url=other.url))["bookAppointment"]
        assert made["userErrors"] == []
    await site.start()
    await expect(page.locator(f'#upcoming li[data-id="{made["appointment"]["id"]}"]')).to_be_visible(timeout=30_000)
    await expect(upcoming).to_have_count(before + 2)
    assert await page.evaluate("window.stillTheSamePage") is True
