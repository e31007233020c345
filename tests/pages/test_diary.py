"""The calendar page as a diary, in a real Chromium against a real server:
a column per practitioner, bookings at their time, free working time shaded
from the roster and its exceptions, a cancellation giving its time back, and
staff moving an appointment by dragging it (refused moves snap back and say
why)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.support.browser import DESKTOP, OWNER, Site, shot
from tests.support.browser import chromium, new_page, site, template  # noqa: F401 (fixtures used below)

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None

LONDON = ZoneInfo("Europe/London")
TALL = {**DESKTOP, "height": 1600}  # the whole day on screen: a drag never scrolls the page
BRITISH = {"locale": "en-GB", "timezone_id": "Europe/London"}  # times read "14:00", as the tests write them
STAFF_SIGN_IN = 'mutation { staffSignIn(email: "%s", password: "%s") { session { token } } }' % OWNER
CLINIC = '{ clinic(slug: "demo") { treatments { id name } practitioners { id name } } }'
BOOK = "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { appointment { id start } userErrors { code message } } }"
CANCEL = "mutation($id: ID!) { cancelAppointment(id: $id) { userErrors { code message } } }"
APPOINTMENTS_OF = (
    "query($from: DateTime!, $to: DateTime!) { calendar(from: $from, to: $to) {"
    " id start status practitioner { name } client { fullName } } }"
)
ADD_EXCEPTION = (
    "mutation($p: ID!, $d: Date!, $s: String, $e: String) {"
    " addRosterException(practitionerId: $p, date: $d, kind: OFF, start: $s, end: $e) { userErrors { code message } } }"
)


def _next_tuesday() -> date:
    """A working day (Monday to Saturday in the demo) well ahead of now."""
    today = datetime.now(LONDON).date()
    return today + timedelta(days=(1 - today.weekday()) % 7 + 7)


class Demo:
    """The seeded demo clinic over the API, as the staff."""

    def __init__(self, site: Site, token: str, clinic: dict) -> None:
        self.site, self.token = site, token
        self.treatments = {t["name"]: t["id"] for t in clinic["treatments"]}
        self.practitioners = {p["name"]: p["id"] for p in clinic["practitioners"]}
        self.clients = 0

    @classmethod
    async def open(cls, site: Site) -> Demo:
        token = (await site.gql(STAFF_SIGN_IN))["staffSignIn"]["session"]["token"]
        return cls(site, token, (await site.gql(CLINIC))["clinic"])

    async def book(self, who: str, day: date, at: time, name: str, treatment: str = "Consultation", url: str | None = None) -> str:
        """Books as the staff (through another server at `url` if given)."""
        self.clients += 1  # a new client each time: e-mail and phone both differ
        client = {"fullName": name, "email": f"{name.split()[0].lower()}@example.com", "phone": f"+4477009001{self.clients:02d}"}
        start = datetime.combine(day, at, tzinfo=LONDON).isoformat()
        request = {"clinicSlug": "demo", "treatmentId": self.treatments[treatment], "start": start,
                   "practitionerId": self.practitioners[who], "client": client}
        made = (await self.site.gql(BOOK, {"i": request}, self.token, url=url))["bookAppointment"]
        assert made["userErrors"] == [], made
        return made["appointment"]["id"]

    async def day(self, day: date) -> list[dict]:
        window = {"from": datetime.combine(day, time(0), tzinfo=LONDON).isoformat(),
                  "to": datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON).isoformat()}
        return (await self.site.gql(APPOINTMENTS_OF, window, self.token))["calendar"]


async def open_diary(page, site: Site, day: date) -> None:
    await page.goto(f"{site.url}/calendar")
    await page.get_by_label("E-mail").fill(OWNER[0])
    await page.get_by_label("Password").fill(OWNER[1])
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#status")).to_have_text("Live")
    await page.get_by_label("Date").fill(day.isoformat())
    await page.get_by_role("button", name="Day", exact=True).click()
    await expect(page.locator(f'#grid[data-view="day"][data-from="{day.isoformat()}"]')).to_be_visible()


async def box_of(locator) -> dict:
    """Where an element is on screen; live updates redraw the grid, so an
    element may be between two drawings for a moment."""
    for _ in range(50):
        if box := await locator.bounding_box():
            return box
        await asyncio.sleep(0.1)
    raise AssertionError(f"{locator} is not on screen")


async def column_of(page, name: str) -> dict:
    """The box of a practitioner's column heading."""
    return await box_of(page.locator(".ec-col-head", has_text=name).last)


async def row_of(page, hhmm: str) -> float:
    """Where a time's row begins in the grid: its label's middle (labels
    are centred on the line their time starts at)."""
    box = await box_of(page.locator(".ec-sidebar").get_by_text(hhmm, exact=True).first)
    return box["y"] + box["height"] / 2


async def free_spans_holding(page, practitioner_id: str, day: date, at: str) -> int:
    """How many shaded free spans of one practitioner hold the time `at` (HH:MM)."""
    return await page.evaluate(
        """([who, moment]) => [...document.querySelectorAll(`.free[data-practitioner="${who}"]`)]
             .filter((e) => e.dataset.start <= moment && moment < e.dataset.end).length""",
        [practitioner_id, f"{day.isoformat()}T{at}:00"],
    )


async def test_a_booking_appears_in_its_practitioners_column_at_its_time_and_a_cancellation_reopens_it(site, new_page):
    demo = await Demo.open(site)
    day = _next_tuesday()
    sam = demo.practitioners["Sam Patel"]
    page = await new_page(DESKTOP, **BRITISH)
    await open_diary(page, site, day)
    assert await free_spans_holding(page, sam, day, "11:00") == 1

    made = await demo.book("Sam Patel", day, time(11, 0), "Pat Walker")  # from another client, while the page is open
    entry = page.locator(f'.ec-event:has([data-id="{made}"])')
    await expect(entry).to_contain_text("Pat Walker")
    await expect(entry).to_contain_text("11:00–11:30")
    box, column = await box_of(entry), await column_of(page, "Sam Patel")
    assert column["x"] <= box["x"] + box["width"] / 2 <= column["x"] + column["width"]
    assert abs(box["y"] - await row_of(page, "11:00")) < 4
    assert abs(box["y"] + box["height"] - (await row_of(page, "11:00") + await row_of(page, "12:00")) / 2) < 6
    assert await free_spans_holding(page, sam, day, "11:00") == 0
    assert await free_spans_holding(page, sam, day, "11:30") == 1
    assert await free_spans_holding(page, demo.practitioners["Alex Morgan"], day, "11:00") == 1
    await shot(page, "diary-booked")

    cancelled = (await site.gql(CANCEL, {"id": made}, demo.token))["cancelAppointment"]
    assert cancelled["userErrors"] == []
    await expect(entry).to_have_count(0)
    await expect(page.locator("#live-news")).to_contain_text("the time is free again")
    assert await free_spans_holding(page, sam, day, "11:00") == 1


async def test_working_hours_and_the_rosters_exceptions_shade_the_free_time(site, new_page):
    demo = await Demo.open(site)
    day = _next_tuesday()
    sam, alex = demo.practitioners["Sam Patel"], demo.practitioners["Alex Morgan"]
    blocked = {"p": sam, "d": day.isoformat(), "s": "13:00", "e": "15:00"}
    assert (await site.gql(ADD_EXCEPTION, blocked, demo.token))["addRosterException"]["userErrors"] == []
    day_off = {"p": alex, "d": (day + timedelta(days=1)).isoformat(), "s": None, "e": None}
    assert (await site.gql(ADD_EXCEPTION, day_off, demo.token))["addRosterException"]["userErrors"] == []
    page = await new_page(DESKTOP, **BRITISH)
    await open_diary(page, site, day)
    assert await free_spans_holding(page, sam, day, "12:45") == 1
    assert await free_spans_holding(page, sam, day, "13:00") == 0
    assert await free_spans_holding(page, sam, day, "14:45") == 0
    assert await free_spans_holding(page, sam, day, "15:00") == 1
    assert await free_spans_holding(page, sam, day, "08:45") == 0  # before the day's hours
    assert await free_spans_holding(page, sam, day, "17:45") == 1
    assert await free_spans_holding(page, sam, day, "18:00") == 0
    await page.get_by_role("button", name="Week", exact=True).click()
    await expect(page.locator('#grid[data-view="week"]')).to_be_visible()
    await expect(page.locator(".ec-col-head", has_text="Alex Morgan")).to_have_count(7)
    assert await free_spans_holding(page, alex, day, "10:00") == 1
    assert await free_spans_holding(page, alex, day + timedelta(days=1), "10:00") == 0  # the day off
    assert await free_spans_holding(page, sam, day + timedelta(days=1), "10:00") == 1
    assert await free_spans_holding(page, sam, day + timedelta(days=5), "10:00") == 0  # Sunday: nobody works
    await shot(page, "diary-week")

    await page.get_by_label("Practitioner").select_option(label="Sam Patel")  # one practitioner's diary
    await expect(page.locator(".ec-col-head", has_text="Alex Morgan")).to_have_count(0)
    await expect(page.locator(".ec-col-head")).to_have_count(7)  # a column a day: the diary is the one chosen
    assert await free_spans_holding(page, alex, day, "10:00") == 0
    assert await free_spans_holding(page, sam, day, "12:45") == 1


async def drag(page, entry, column: dict, hhmm: str) -> None:
    """Drag an appointment by its top edge onto a column at a time."""
    box = await box_of(entry)
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 4)
    await page.mouse.down()
    await page.mouse.move(column["x"] + column["width"] / 2, await row_of(page, hhmm) + 4, steps=12)
    await page.mouse.up()


async def test_staff_move_an_appointment_by_dragging_it_and_the_api_shows_the_new_time(site, new_page):
    demo = await Demo.open(site)
    day = _next_tuesday()
    await demo.book("Sam Patel", day, time(11, 0), "Pat Walker")
    page = await new_page(TALL, **BRITISH)
    await open_diary(page, site, day)
    entry = page.locator(".ec-event.appointment", has_text="Pat Walker")
    await expect(entry).to_contain_text("11:00–11:30")

    await drag(page, entry, await column_of(page, "Alex Morgan"), "14:00")
    await expect(page.locator("#message")).to_have_text("Moved: Consultation for Pat Walker to 14:00 with Alex Morgan.")
    await expect(page.locator("#live-news")).to_contain_text("Moved: Consultation for Pat Walker at 14:00")  # heard live too
    await expect(entry).to_contain_text("14:00–14:30")
    box, column = await box_of(entry), await column_of(page, "Alex Morgan")
    assert column["x"] <= box["x"] + box["width"] / 2 <= column["x"] + column["width"]
    assert abs(box["y"] - await row_of(page, "14:00")) < 4
    assert await free_spans_holding(page, demo.practitioners["Sam Patel"], day, "11:00") == 1  # given back
    rows = {(r["status"], datetime.fromisoformat(r["start"]).astimezone(LONDON).strftime("%H:%M"), r["practitioner"]["name"])
            for r in await demo.day(day) if r["client"]["fullName"] == "Pat Walker"}
    assert rows == {("CANCELLED", "11:00", "Sam Patel"), ("BOOKED", "14:00", "Alex Morgan")}
    await shot(page, "diary-moved")


async def test_a_refused_drag_snaps_back_and_says_why(site, new_page):
    demo = await Demo.open(site)
    day = _next_tuesday()
    await demo.book("Sam Patel", day, time(11, 0), "Pat Walker")
    await demo.book("Sam Patel", day, time(14, 0), "Lee Taken")
    page = await new_page(TALL, **BRITISH)
    await open_diary(page, site, day)
    entry = page.locator(".ec-event.appointment", has_text="Pat Walker")
    await expect(entry).to_contain_text("11:00–11:30")

    await drag(page, entry, await column_of(page, "Sam Patel"), "14:00")  # Lee has that time
    await expect(page.locator("#message")).to_have_text("Not moved: That time has just been taken. Please pick another.")
    await expect(entry).to_contain_text("11:00–11:30")
    assert abs((await box_of(entry))["y"] - await row_of(page, "11:00")) < 4
    assert await free_spans_holding(page, demo.practitioners["Sam Patel"], day, "11:00") == 0
    rows = [r for r in await demo.day(day) if r["client"]["fullName"] == "Pat Walker"]
    assert [(r["status"], datetime.fromisoformat(r["start"]).astimezone(LONDON).hour) for r in rows] == [("BOOKED", 11)]
    await shot(page, "diary-refused")
