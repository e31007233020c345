"""The portal, booking page and calendar in a real Chromium against a real
server process (SQLite, seeded demo). Each test saves a screenshot of the
page it drives: under docs/screenshots/ (shown in the README) when run with
UPDATE_SCREENSHOTS=1, else in a temporary folder."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.browser import CLIENT, DESKTOP, OWNER, Site, shot
from tests.support.browser import chromium, new_page, site, template  # noqa: F401 (fixtures used below)
from tests.support.servers import running_server

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None


async def sign_in(page, site: Site) -> None:
    await page.goto(f"{site.url}/p/demo/")
    await page.get_by_label("E-mail").fill(CLIENT[0])
    await page.get_by_label("Password").fill(CLIENT[1])
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("heading", name="Welcome, Jamie Client")).to_be_visible()


async def pick_time(page, index: int = 1) -> str:
    times = page.locator("#times label")
    await expect(times.first).to_be_visible()
    chosen = times.nth(index)
    await chosen.click()
    return (await chosen.text_content()).strip()


async def test_a_client_books_from_book_now_with_read_only_details_and_finds_it_in_my_bookings(site, new_page):
    page = await new_page()
    await sign_in(page, site)
    assert "Demo Skin Clinic" in await page.title()
    stored = await page.evaluate("Object.keys(sessionStorage)")
    assert stored == ["clinicportal:portal:demo"]
    await expect(page.locator("#upcoming li")).to_have_count(1)
    await shot(page, "portal")

    await page.get_by_role("button", name="Book Now").click()
    await expect(page.get_by_label("Full name")).to_have_value("Jamie Client")
    assert page.url == f"{site.url}/p/demo/book"  # the pre-fill token is out of the address bar
    for label, value in (("Full name", "Jamie Client"), ("E-mail", CLIENT[0]), ("Mobile number", "+447700900001")):
        await expect(page.get_by_label(label)).to_have_value(value)
        await expect(page.get_by_label(label)).not_to_be_editable()
    await expect(page.get_by_text("Arrive five minutes early")).to_be_visible()
    await expect(page.get_by_text("By booking you accept our cancellation policy.")).to_be_visible()
    consultation = page.locator("#treatment option", has_text="Consultation")
    assert "£25.00" in await consultation.text_content()  # the clinic shows prices
    await page.get_by_label("Treatment").select_option(await consultation.get_attribute("value"))
    time = await pick_time(page)
    await expect(page.locator("#summary")).to_contain_text("Consultation")
    await shot(page, "booking")

    await page.get_by_role("button", name="Confirm booking").dblclick()
    await expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    await expect(page.locator("#done-what")).to_contain_text(f"Consultation")
    await expect(page.locator("#done-what")).to_contain_text(time)

    await page.get_by_role("link", name="See my bookings").click()
    await expect(page.get_by_role("heading", name="Welcome, Jamie Client")).to_be_visible()
    await expect(page.locator("#upcoming li")).to_have_count(2)  # booked once despite the double click
    await expect(page.locator("#upcoming li", has_text="Consultation")).to_contain_text(time)


async def test_a_used_booking_link_says_so_and_the_page_books_with_typed_in_details(site, new_page):
    token = await site.client_token()
    link = (await site.gql("mutation { createPrefillToken { bookingUrl } }", token=token))["createPrefillToken"]["bookingUrl"]
    spent = link.split("token=")[1]
    redeemed = await site.gql("mutation($t: String!) { redeemPrefillToken(token: $t) { userErrors { code } } }", {"t": spent})
    assert redeemed["redeemPrefillToken"]["userErrors"] == []

    page = await new_page()
    await page.goto(link)
    await expect(page.locator("#message")).to_contain_text("This booking link has already been used.")
    assert "token" not in page.url
    name = page.get_by_label("Full name")
    await expect(name).to_be_editable()
    await expect(name).to_have_value("")
    # By keyboard: arrow keys move through the free times, Enter submits.
    times = page.locator("#times input")
    await times.first.focus()
    await page.keyboard.press("ArrowRight")
    await expect(times.nth(1)).to_be_checked()
    chosen = (await page.locator("#times label").nth(1).text_content()).strip()
    await expect(page.locator("#summary")).to_contain_text(chosen)
    await shot(page, "booking-link-used")

    await page.get_by_role("button", name="Confirm booking").click()
    await expect(page.locator("#message")).to_contain_text("Please fill in your name, e-mail and mobile number.")
    await expect(name).to_be_focused()
    await page.keyboard.type("Pat Walker")
    await page.keyboard.press("Tab")
    await page.keyboard.type("pat.walker@example.com")
    await page.keyboard.press("Tab")
    await page.keyboard.type("+447700900123")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    await expect(page.locator("#done-what")).to_contain_text(chosen)
    await expect(page.locator("#done")).to_be_focused()

    await page.goto(f"{site.url}/p/demo/book")
    await expect(page.locator("#message")).to_contain_text("without a booking link")


async def test_a_client_cancels_through_the_dialog_and_no_cancel_is_offered_inside_the_notice_period(site, new_page):
    staff = (await site.gql('mutation { staffSignIn(email: "%s", password: "%s") { session { token } } }' % OWNER))["staffSignIn"]["session"]["token"]
    client_id = (await site.gql("{ me { id } }", token=await site.client_token()))["me"]["id"]
    treatment = next(
        t["id"] for t in (await site.gql('{ clinic(slug: "demo") { treatments { id name } } }'))["clinic"]["treatments"] if t["name"] == "Consultation"
    )
    soon = (datetime.now(UTC) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    booked = await site.gql(
        "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { appointment { canCancel } userErrors { code message } } }",
        {"i": {"clinicSlug": "demo", "treatmentId": treatment, "start": soon.isoformat(), "clientId": client_id}},
        token=staff,
    )
    assert booked["bookAppointment"]["userErrors"] == []

    page = await new_page()
    await sign_in(page, site)
    within_notice = page.locator("#upcoming li", has_text="Consultation")
    await expect(within_notice).to_be_visible()
    await expect(within_notice.get_by_role("button", name="Cancel")).to_have_count(0)
    facial = page.locator("#upcoming li", has_text="Facial")
    when = (await facial.locator("span").first.text_content()).strip()

    cancel = facial.get_by_role("button", name="Cancel")
    await cancel.click()
    dialog = page.get_by_role("dialog", name="Cancel this appointment?")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text(f"Facial, {when}")
    await expect(dialog.get_by_role("button", name="Keep it")).to_be_focused()
    await shot(page, "cancel-dialog")
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(cancel).to_be_focused()  # focus goes back where it was

    await cancel.click()
    await dialog.get_by_role("button", name="Cancel appointment").click()
    await expect(page.locator("#message")).to_have_text(f"Cancelled: Facial, {when}.")
    await expect(page.locator("#upcoming li", has_text="Facial")).to_have_count(0)
    await expect(page.locator("#upcoming li")).to_have_count(1)


async def _entries(page) -> int:
    return await page.locator("#grid .entry").count()


async def test_the_calendar_shows_a_booking_from_another_browser_live_and_catches_up_after_a_reconnect(site, new_page):
    calendar = await new_page(DESKTOP)
    await calendar.goto(f"{site.url}/calendar")
    await calendar.get_by_label("E-mail").fill(OWNER[0])
    await calendar.get_by_label("Password").fill(OWNER[1])
    await calendar.get_by_role("button", name="Sign in").click()
    status = calendar.locator("#status")
    await expect(status).to_have_text("Live")
    assert "Demo Skin Clinic" in await calendar.title()

    booking = await new_page()
    await booking.goto(f"{site.url}/p/demo/book")
    time = await pick_time(booking, 2)
    day = await booking.get_by_label("Date").input_value()
    await calendar.get_by_label("Date").fill(day)
    await calendar.get_by_role("button", name="Day", exact=True).click()
    await expect(calendar.locator(f'#grid[data-view="day"][data-from="{day}"]')).to_be_visible()
    before = await _entries(calendar)
    await calendar.evaluate("window.stillTheSamePage = true")

    await booking.get_by_label("Full name").fill("Pat Walker")
    await booking.get_by_label("E-mail").fill("pat.walker@example.com")
    await booking.get_by_label("Mobile number").fill("+447700900123")
    await booking.get_by_role("button", name="Confirm booking").click()
    await expect(booking.get_by_role("heading", name="You're booked")).to_be_visible()

    await expect(calendar.locator("#grid .entry")).to_have_count(before + 1)
    await expect(calendar.locator("#grid .entry", has_text=time)).to_have_count(1)
    assert await calendar.evaluate("window.stillTheSamePage") is True  # no reload
    await calendar.get_by_role("button", name="Week", exact=True).click()
    await expect(calendar.locator('#grid[data-view="week"]')).to_be_visible()
    await expect(calendar.locator("#grid .entry", has_text=time)).to_have_count(1)
    await shot(calendar, "calendar")
    await calendar.get_by_role("button", name="Day", exact=True).click()
    await expect(calendar.locator("#grid .entry")).to_have_count(before + 1)

    # The server goes away; a booking is made through another process (whose
    # events never reach this page); the server comes back on the same address.
    await site.stop()
    await expect(status).to_have_text("Reconnecting…")
    async with running_server(site.env) as other:
        treatments = (await site.gql('{ clinic(slug: "demo") { treatments { id name } } }', url=other.url))["clinic"]["treatments"]
        peel = next(t["id"] for t in treatments if t["name"] == "Chemical Peel")
        slots = (
            await site.gql(
                "query($t: ID!, $d: Date!) { availableSlots(clinicSlug: \"demo\", treatmentId: $t, from: $d, to: $d) { start practitioner { id } } }",
                {"t": peel, "d": day},
                url=other.url,
            )
        )["availableSlots"]
        slot = slots[-1]
        made = await site.gql(
            "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { appointment { id } userErrors { code } } }",
            {
                "i": {
                    "clinicSlug": "demo",
                    "treatmentId": peel,
                    "start": slot["start"],
                    "practitionerId": slot["practitioner"]["id"],
                    "client": {"fullName": "Lee Offline", "email": "lee@example.com", "phone": "+447700900124"},
                    "idempotencyKey": uuid.uuid4().hex,
                }
            },
            url=other.url,
        )
        assert made["bookAppointment"]["userErrors"] == []
    await site.start()
    await expect(status).to_have_text("Live", timeout=30_000)
    await expect(calendar.locator("#grid .entry")).to_have_count(before + 2)
    await expect(calendar.locator(f'#grid .entry[data-id="{made["bookAppointment"]["appointment"]["id"]}"]')).to_contain_text("Chemical Peel")
    assert await calendar.evaluate("window.stillTheSamePage") is True


async def test_a_client_moves_an_upcoming_appointment_and_repeats_a_past_one_from_a_time_dialog(site, new_page):
    facial = next(
        t["id"] for t in (await site.gql('{ clinic(slug: "demo") { treatments { id name } } }'))["clinic"]["treatments"] if t["name"] == "Facial"
    )
    today = datetime.now(ZoneInfo("Europe/London")).date()
    ahead = (
        await site.gql(
            'query($t: ID!, $f: Date!, $l: Date!) { availableSlots(clinicSlug: "demo", treatmentId: $t, from: $f, to: $l) { start } }',
            {"t": facial, "f": today.isoformat(), "l": (today + timedelta(days=13)).isoformat()},
        )
    )["availableSlots"]
    free_day = datetime.fromisoformat(ahead[0]["start"]).astimezone(ZoneInfo("Europe/London")).date().isoformat()

    page = await new_page()
    await sign_in(page, site)
    upcoming = page.locator("#upcoming li", has_text="Facial")
    was = (await upcoming.locator("span").first.text_content()).strip()
    await upcoming.get_by_role("button", name="Move").click()
    dialog = page.get_by_role("dialog", name="Move Facial")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_label("Date")).to_be_focused()
    moved_to = (await dialog.locator("#time-times label").last.text_content()).strip()
    await expect(dialog).to_contain_text(f"Now: {was}")
    await dialog.locator("#time-times label").last.click()
    await dialog.evaluate("dialog => dialog.scrollTo(0, 0)")
    await shot(page, "move-dialog")
    await dialog.get_by_role("button", name="Move to this time").click()
    await expect(page.locator("#message")).to_contain_text(f"Moved: Facial, now")
    await expect(page.locator("#message")).to_contain_text(moved_to)
    await expect(page.locator("#upcoming li")).to_have_count(1)
    await expect(page.locator("#upcoming li").first).not_to_contain_text(was)

    await page.locator("#past li", has_text="Facial").get_by_role("button", name="Repeat").click()
    dialog = page.get_by_role("dialog", name="Book Facial again")
    await dialog.get_by_label("Date").fill(free_day)
    await dialog.locator("#time-times label").first.click()
    await dialog.get_by_role("button", name="Book this time").click()
    await expect(page.locator("#message")).to_contain_text("Booked: Facial,")
    await expect(page.locator("#upcoming li")).to_have_count(2)


async def test_an_unknown_portal_and_a_wrong_password_are_said_plainly(site, new_page):
    page = await new_page()
    await page.goto(f"{site.url}/p/no-such-clinic/")
    await expect(page.get_by_role("status")).to_have_text("There is no clinic portal at this address.")
    await expect(page.locator("#sign-in")).to_be_hidden()

    await page.goto(f"{site.url}/p/demo/")
    await page.get_by_label("E-mail").fill(CLIENT[0])
    await page.get_by_label("Password").fill("not-the-password")
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("password")
    await expect(page.locator("#account")).to_be_hidden()
    assert await page.evaluate("sessionStorage.length") == 0
