"""What the portal and the calendar say besides the bookings themselves, in
a real Chromium against a real server: why Move and Cancel are missing
inside the notice period, the clinic's time zone when the browser is in
another, what a membership covers, whom each calendar entry is for, and
the week the calendar opens on."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.pages.test_browser import sign_in
from tests.support.browser import CLIENT, DESKTOP, OWNER, Site, shot
from tests.support.browser import chromium, new_page, site, template  # noqa: F401 (fixtures used below)

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None

LONDON = ZoneInfo("Europe/London")
NOTICE = "Changes within 24 hours of the appointment: please call the clinic."
STAFF_SIGN_IN = 'mutation { staffSignIn(email: "%s", password: "%s") { session { token } } }' % OWNER
BOOK = "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { appointment { id start } userErrors { code message } } }"


async def _staff_token(site: Site) -> str:
    return (await site.gql(STAFF_SIGN_IN))["staffSignIn"]["session"]["token"]


async def _treatment(site: Site, name: str) -> str:
    treatments = (await site.gql('{ clinic(slug: "demo") { treatments { id name } } }'))["clinic"]["treatments"]
    return next(t["id"] for t in treatments if t["name"] == name)


async def _book(site: Site, token: str, treatment: str, start: datetime, **who) -> dict:
    data = await site.gql(BOOK, {"i": {"clinicSlug": "demo", "treatmentId": await _treatment(site, treatment), "start": start.isoformat(), **who}}, token)
    assert data["bookAppointment"]["userErrors"] == [], data
    return data["bookAppointment"]["appointment"]


async def test_inside_the_notice_period_the_card_says_why_it_cannot_be_moved_or_cancelled(site, new_page):
    staff = await _staff_token(site)
    client_id = (await site.gql("{ me { id } }", token=await site.client_token()))["me"]["id"]
    soon = (datetime.now(UTC) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    await _book(site, staff, "Consultation", soon, clientId=client_id)

    page = await new_page()
    await sign_in(page, site)
    soon_card = page.locator("#upcoming li", has_text="Consultation")
    await expect(soon_card).to_contain_text(NOTICE)
    await expect(soon_card.get_by_role("button")).to_have_count(0)
    later_card = page.locator("#upcoming li", has_text="Facial")
    await expect(later_card.get_by_role("button", name="Cancel")).to_be_visible()
    await expect(later_card).not_to_contain_text(NOTICE)
    await shot(page, "portal-notice-period")


async def test_times_name_the_clinics_time_zone_only_when_the_browser_is_in_another(site, new_page):
    away = await new_page(timezone_id="America/New_York")
    await sign_in(away, site)
    facial = away.locator("#upcoming li", has_text="Facial")
    await expect(facial.locator("span").first).to_contain_text("(London time)")
    await expect(away.locator("#zone-note")).to_have_text("Times are in London time, the clinic's time zone.")
    await facial.get_by_role("button", name="Move").click()
    dialog = away.get_by_role("dialog", name="Move Facial")
    await expect(dialog).to_contain_text("(London time)")  # the time now, and the free times' legend
    await expect(dialog.locator("legend")).to_have_text("Free times (London time)")
    await shot(away, "portal-time-zone")

    home = await new_page(timezone_id="Europe/London")
    await sign_in(home, site)
    await expect(home.locator("#upcoming li", has_text="Facial")).to_be_visible()
    await expect(home.locator("#upcoming")).not_to_contain_text("London time")
    await expect(home.locator("#zone-note")).to_be_hidden()


async def test_a_treatment_a_membership_covers_shows_as_covered_instead_of_a_price(site, new_page):
    page = await new_page()
    await sign_in(page, site)
    facial = page.locator("#upcoming li", has_text="Facial")
    await expect(facial).to_contain_text("Covered by Course of six facials")  # the seed's upcoming facial holds a session
    await expect(facial).not_to_contain_text("£")
    past = page.locator("#past li", has_text="Facial")
    await expect(past).to_contain_text("£")  # paid for, not covered
    await expect(past).not_to_contain_text("Covered")

    await past.get_by_role("button", name="Repeat").click()
    dialog = page.get_by_role("dialog", name="Book Facial again")
    await expect(dialog).to_contain_text("Covered by Course of six facials (5 sessions left).")
    await dialog.get_by_role("button", name="Close").click()
    await facial.get_by_role("button", name="Move").click()
    await expect(page.get_by_role("dialog", name="Move Facial")).to_contain_text("Still covered by Course of six facials.")
    await shot(page, "portal-covered")


async def _open_calendar(page, site: Site) -> None:
    await page.goto(f"{site.url}/calendar")
    await page.get_by_label("E-mail").fill(OWNER[0])
    await page.get_by_label("Password").fill(OWNER[1])
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#status")).to_have_text("Live")


async def test_the_calendar_shows_whom_each_appointment_is_for_also_when_it_arrives_live(site, new_page):
    upcoming = (await site.gql("{ me { appointments(when: UPCOMING) { edges { node { start } } } } }", token=await site.client_token()))
    day = datetime.fromisoformat(upcoming["me"]["appointments"]["edges"][0]["node"]["start"]).astimezone(LONDON).date()
    calendar = await new_page(DESKTOP)
    await _open_calendar(calendar, site)
    await calendar.get_by_label("Date").fill(day.isoformat())
    await calendar.get_by_role("button", name="Day", exact=True).click()
    await expect(calendar.locator("#grid .entry", has_text="Facial")).to_contain_text("Jamie Client")

    visitor = {"fullName": "Pat Walker", "email": "pat.walker@example.com", "phone": "+447700900123"}
    start = datetime.combine(day, time(15, 0), tzinfo=LONDON)
    made = await _book(site, await _staff_token(site), "Consultation", start, client=visitor)
    arrived = calendar.locator(f'#grid .entry[data-id="{made["id"]}"]')
    await expect(arrived).to_contain_text("Pat Walker")
    await expect(calendar.locator("#live-news")).to_contain_text("for Pat Walker")
    await shot(calendar, "calendar-clients")


def _next(weekday: int) -> date:
    """The next date (after today) that falls on `weekday` (Monday is 0)."""
    today = datetime.now(LONDON).date()
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


async def _opens_on(new_page, site: Site, at: datetime) -> str:
    page = await new_page(DESKTOP, timezone_id="Europe/London")
    await page.clock.set_fixed_time(at)
    await _open_calendar(page, site)
    await expect(page.locator('#grid[data-view="week"]')).to_be_visible()
    return await page.get_by_label("Date").input_value()


async def test_the_calendar_opens_on_the_current_working_week_or_the_next_once_this_ones_work_is_over(site, new_page):
    sunday, wednesday, saturday = _next(6), _next(2), _next(5)
    monday_after = lambda day: (day + timedelta(days=7 - day.weekday())).isoformat()  # noqa: E731
    assert await _opens_on(new_page, site, datetime.combine(sunday, time(12, 0), tzinfo=LONDON)) == monday_after(sunday)
    assert await _opens_on(new_page, site, datetime.combine(saturday, time(19, 0), tzinfo=LONDON)) == monday_after(saturday)
    assert await _opens_on(new_page, site, datetime.combine(saturday, time(10, 0), tzinfo=LONDON)) == saturday.isoformat()
    assert await _opens_on(new_page, site, datetime.combine(wednesday, time(20, 0), tzinfo=LONDON)) == wednesday.isoformat()


async def test_signing_in_while_the_page_still_loads_keeps_each_entry_in_its_own_field(site, new_page):
    """The page asks whether SMS sign-in is on after showing the form; when
    that answer comes late, focus stays where the visitor is typing."""
    page = await new_page()

    async def late_sms_answer(route):
        if '"operationName":"SmsEnabled"' in (route.request.post_data or ""):
            await asyncio.sleep(1.5)
        await route.continue_()

    await page.route("**/graphql", late_sms_answer)
    await page.goto(f"{site.url}/p/demo/")
    await page.get_by_label("E-mail").fill(CLIENT[0])
    await page.get_by_label("Password").click()
    await asyncio.sleep(2)  # the late answer has arrived
    await page.keyboard.type(CLIENT[1])
    await expect(page.get_by_label("E-mail")).to_have_value(CLIENT[0])
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("heading", name="Welcome, Jamie Client")).to_be_visible()
