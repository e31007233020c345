"""The pages that start from a message: the consent signing link (from the
e-mail a booking sends) and the phone sign-in code (from the text message).
Real Chromium, a real server process whose in-process job runner sends
through the Twilio stand-in and over SMTP to the mail sandbox."""

from __future__ import annotations

import asyncio
import re
import shutil
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from jobs.sandbox import start_twilio_sandbox
from jobs.sandbox_mail import start_mail_sandbox
from tests.support.browser import OWNER, Site, shot
from tests.support.browser import chromium, new_page, template  # noqa: F401 (fixtures used below)
from tests.conftest import FAST_HASH_ENV
from tests.support.mailbox import LINK
from tests.support.servers import free_port

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None

DEMO_PHONE = "+447700900001"
CODE = re.compile(r"\b(\d{4,8}) is your Demo Skin Clinic sign-in code")


@pytest.fixture
async def messaging_site(template, tmp_path):
    """The seeded demo on a server that sends its SMS to a Twilio stand-in
    and its e-mail to an SMTP sandbox."""
    twilio = await start_twilio_sandbox("127.0.0.1", free_port())
    mail = await asyncio.to_thread(start_mail_sandbox, "127.0.0.1", free_port())
    database = tmp_path / "portal.sqlite3"
    shutil.copy(template, database)
    port = free_port()
    env = {
        **FAST_HASH_ENV,
        "DATABASE_URL": f"sqlite://{database}",
        "PUBLIC_BOOKING_URL": f"http://127.0.0.1:{port}",
        "TWILIO_API_BASE": twilio.url,
        "SMTP_HOST": mail.host,
        "SMTP_PORT": str(mail.port),
    }
    site = Site(env, port)
    site.twilio, site.mail = twilio, mail
    await site.start()
    try:
        yield site
    finally:
        await site.stop()
        await asyncio.to_thread(mail.stop)
        await twilio.stop()


async def eventually(find, what: str, seconds: float = 20.0):
    """Polls `find()` until it returns something (the job runner sends
    within about a second)."""
    for _ in range(int(seconds / 0.2)):
        found = await find()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"no {what} within {seconds} s")


async def test_a_client_signs_the_consent_form_from_the_link_in_the_booking_email_and_a_second_visit_says_it_is_signed(
    messaging_site, new_page
):
    site = messaging_site
    page = await new_page()
    await page.goto(f"{site.url}/p/demo/book")
    peel = page.locator("#treatment option", has_text="Chemical Peel")
    await page.get_by_label("Treatment").select_option(await peel.get_attribute("value"))
    times = page.locator("#times label")
    await expect(times.first).to_be_visible()
    await times.first.click()
    time = (await times.first.text_content()).strip()
    await page.get_by_label("Full name").fill("Sam Rivers")
    await page.get_by_label("E-mail").fill("sam.rivers@example.com")
    await page.get_by_label("Mobile number").fill("+447700900456")
    await page.get_by_role("button", name="Confirm booking").click()
    await expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    practitioner = (await page.locator("#done-what").text_content()).split(", with ")[1].split(" · ")[0].rstrip(".")

    async def consent_mail():
        return [m for m in site.mail.recorder.received() if "sam.rivers@example.com" in m["rcptTos"] and "consent" in m["subject"]]

    mails = await eventually(consent_mail, "consent e-mail")
    assert len(mails) == 1
    link = LINK.search(mails[0]["body"]).group(0)
    assert link.startswith(f"{site.url}/p/demo/consent?token=")

    signing = await new_page()
    await signing.goto(link)
    await expect(signing.get_by_role("heading", name="Chemical peel consent")).to_be_visible()
    assert signing.url == f"{site.url}/p/demo/consent"  # the token is out of the address bar
    assert "Demo Skin Clinic" in await signing.title()
    await expect(signing.locator("#form-body")).to_have_text("I understand the risks of a chemical peel.")
    await expect(signing.locator("#treatment")).to_have_text("Chemical Peel")
    await expect(signing.locator("#practitioner")).to_have_text(practitioner)
    await expect(signing.locator("#start")).to_contain_text(time)

    sign = signing.get_by_role("button", name="Sign consent form")
    await signing.get_by_label("Your full name (your signature)").fill("Sam Rivers")
    await shot(signing, "consent")
    await sign.click()  # not yet agreed
    await expect(signing.locator("#message")).to_have_text("Tick the box to agree to the form before signing.")
    await expect(signing.get_by_label("I have read this form and I agree to it")).to_be_focused()
    await signing.keyboard.press("Space")
    await sign.click()
    await expect(signing.locator("#signed")).to_contain_text("Thank you. You signed this form by Sam Rivers.")
    await expect(sign).to_be_hidden()

    staff = (await site.gql('mutation { staffSignIn(email: "%s", password: "%s") { session { token } } }' % OWNER))[
        "staffSignIn"
    ]["session"]["token"]
    now = datetime.now(UTC)
    window = {"from": now.isoformat(), "to": (now + timedelta(days=60)).isoformat()}
    diary = await site.gql(
        "query($from: DateTime!, $to: DateTime!) { calendar(from: $from, to: $to) { consentStatus treatment { name } } }",
        window,
        token=staff,
    )
    assert [a["consentStatus"] for a in diary["calendar"] if a["treatment"]["name"] == "Chemical Peel"] == ["SIGNED"]

    again = await new_page()
    await again.goto(link)
    await expect(again.locator("#signed")).to_contain_text("This form has already been signed by Sam Rivers on ")
    await expect(again.get_by_role("button", name="Sign consent form")).to_be_hidden()
    await expect(again.get_by_role("heading", name="Chemical peel consent")).to_be_visible()


async def test_a_made_up_consent_link_says_it_is_not_valid_and_offers_nothing_to_sign(messaging_site, new_page):
    page = await new_page()
    await page.goto(f"{messaging_site.url}/p/demo/consent?token=made-up-token")
    await expect(page.locator("#message")).to_contain_text("This consent link is not valid.")
    assert "token" not in page.url
    await expect(page.get_by_role("heading", name="Chemical peel consent")).to_have_count(0)
    await expect(page.get_by_role("button", name="Sign consent form")).to_be_hidden()


async def test_the_consent_link_of_a_cancelled_appointment_says_there_is_nothing_to_sign(messaging_site, new_page):
    site = messaging_site
    token = await site.client_token()
    treatments = (await site.gql('{ clinic(slug: "demo") { treatments { id name } } }'))["clinic"]["treatments"]
    peel = next(t["id"] for t in treatments if t["name"] == "Chemical Peel")
    today = datetime.now(UTC).date()
    slots = await site.gql(
        "query($t: ID!, $f: Date!, $to: Date!) { availableSlots(clinicSlug: \"demo\", treatmentId: $t, from: $f, to: $to) { start } }",
        {"t": peel, "f": (today + timedelta(days=2)).isoformat(), "to": (today + timedelta(days=9)).isoformat()},
    )
    booked = await site.gql(
        "mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) { appointment { id } userErrors { code } } }",
        {"i": {"clinicSlug": "demo", "treatmentId": peel, "start": slots["availableSlots"][0]["start"]}},
        token=token,
    )
    assert booked["bookAppointment"]["userErrors"] == []

    async def consent_mail():
        return [m for m in site.mail.recorder.received() if "consent" in m["subject"]]

    link = LINK.search((await eventually(consent_mail, "consent e-mail"))[0]["body"]).group(0)
    cancelled = await site.gql(
        "mutation($id: ID!) { cancelAppointment(id: $id) { userErrors { code } } }",
        {"id": booked["bookAppointment"]["appointment"]["id"]},
        token=token,
    )
    assert cancelled["cancelAppointment"]["userErrors"] == []

    page = await new_page()
    await page.goto(link)
    await expect(page.locator("#message")).to_have_text("The appointment was cancelled; nothing to sign.")
    await expect(page.get_by_role("button", name="Sign consent form")).to_be_hidden()


async def test_the_demo_client_signs_in_with_a_code_texted_through_twilio_and_sees_balances_and_repeat(
    messaging_site, new_page
):
    site = messaging_site
    page = await new_page()
    await page.goto(f"{site.url}/p/demo/")
    await page.get_by_label("Mobile number").fill(DEMO_PHONE)
    await page.get_by_label("I accept the Privacy Policy and the User Agreement").check()
    await page.get_by_role("button", name="Text me a code").click()
    code_box = page.get_by_label("The code we sent you")
    await expect(code_box).to_be_focused()

    async def texted_codes():
        async with httpx.AsyncClient() as http:
            messages = (await http.get(f"{site.twilio.url}/_sandbox/messages")).json()["messages"]
        return [CODE.search(m["body"]).group(1) for m in messages if m["to"] == DEMO_PHONE and CODE.search(m["body"])]

    codes = await eventually(texted_codes, "sign-in code by SMS")
    assert len(codes) == 1
    await shot(page, "phone-sign-in")

    await code_box.fill("000000" if codes[0] != "000000" else "111111")
    await page.get_by_role("button", name="Sign in with this code").click()
    await expect(page.locator("#message")).to_contain_text("This code is wrong or has expired.")
    await code_box.fill(codes[0])
    await page.get_by_role("button", name="Sign in with this code").click()
    await expect(page.get_by_role("heading", name="Welcome, Jamie Client")).to_be_visible()
    await expect(page.get_by_role("heading", name="My bookings")).to_be_visible()

    balances = page.locator("#balances")
    await expect(balances).to_be_visible()
    await expect(balances.locator("li", has_text="Course of six facials")).to_have_count(1)
    await expect(balances.get_by_role("heading", name="Gift cards")).to_be_visible()
    await expect(balances.locator("h4:text-is('Gift cards') + ul li")).to_have_count(1)
    await expect(balances.locator("li", has_text="Glow Rewards")).to_contain_text("points")

    past = page.locator("#past li", has_text="Facial")
    await expect(past).to_have_count(1)
    repeat = past.get_by_role("button", name="Repeat")
    await expect(repeat).to_be_visible()
    await shot(page, "balances")
    await repeat.click()
    dialog = page.get_by_role("dialog", name="Book Facial again")
    await expect(dialog).to_contain_text("Last time: ")
    day = datetime.now(ZoneInfo("Europe/London")).date() + timedelta(days=2)
    day += timedelta(days=1) if day.weekday() == 6 else timedelta()  # the demo is closed on Sundays
    await dialog.get_by_label("Date").fill(day.isoformat())
    times = dialog.locator("#time-times label")
    await expect(times.first).to_be_visible()
    await times.first.click()
    await dialog.get_by_role("button", name="Book this time").click()
    await expect(page.locator("#message")).to_contain_text("Booked: Facial, ")
    await expect(page.locator("#upcoming li", has_text="Facial")).to_have_count(2)


async def test_the_emailed_reset_link_sets_a_new_password_and_signs_the_client_in(messaging_site, new_page):
    site = messaging_site
    async with httpx.AsyncClient() as http:
        asked = await http.post(
            f"{site.url}/graphql",
            json={"query": 'mutation { requestPasswordReset(clinicSlug: "demo", email: "client@demo.clinic") { sent userErrors { code } } }'},
        )
    assert asked.json()["data"]["requestPasswordReset"] == {"sent": True, "userErrors": []}

    async def reset_mail():
        return [m for m in site.mail.recorder.received() if m["rcptTos"] == ["client@demo.clinic"] and "password" in m["subject"]]

    [mail] = await eventually(reset_mail, "password-reset e-mail")
    link = re.search(r"http://\S+/reset-password\?token=\S+", mail["body"]).group(0)
    page = await new_page()
    await page.goto(link)
    # (level 2: the masthead shows the same words until the clinic's name has come)
    await expect(page.get_by_role("heading", name="Choose a new password", level=2)).to_be_visible()
    assert "token" not in page.url
    await page.get_by_label("New password (at least 10 characters)").fill("a-brand-new-password")
    await page.get_by_label("The same password again").fill("not-the-same-password")
    await page.get_by_role("button", name="Set password and sign in").click()
    await expect(page.locator("#message")).to_contain_text("not the same")
    await page.get_by_label("The same password again").fill("a-brand-new-password")
    await page.get_by_role("button", name="Set password and sign in").click()
    await expect(page.get_by_role("heading", name="Welcome, Jamie Client")).to_be_visible()

    await page.goto(link)  # the link was spent
    await page.get_by_label("New password (at least 10 characters)").fill("another-new-password")
    await page.get_by_label("The same password again").fill("another-new-password")
    await page.get_by_role("button", name="Set password and sign in").click()
    await expect(page.locator("#message")).to_be_visible()
    await expect(page.get_by_role("heading", name="Welcome, Jamie Client")).to_have_count(0)
