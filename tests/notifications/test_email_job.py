"""The "email" job against a real SMTP server (aiosmtpd): what arrives, how
refusals and outages are reported, and the practitioner's e-mail for a
booking made through the API."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from jobs.context import JobContext
from jobs.email import compose, send_email
from jobs.registry import Permanent
from models import OutboxMessage
from resolvers.notifications.outbox import enqueue
from tests.support.booking import BOOK, at, book_input, errors
from tests.conftest import client_token
from tests.support.mailbox import deliver, mailbox, queued  # noqa: F401  (fixture)
from tests.support.servers import free_port


async def _row(demo, to: list[str], subject: str = "Hello", body: str = "Body text\n") -> OutboxMessage:
    return await enqueue(demo["demo"].clinic.id, "email", {"to": to, "subject": subject, "body": body, "purpose": "test"})


async def test_a_queued_email_arrives_as_plain_text_with_a_message_id_made_from_its_row(demo, mailbox, runtime):
    row = await _row(demo, ["alex@demo.clinic", "frontdesk@demo.clinic"], "Your diary", "Line one\nLine two\n")
    result = await send_email(row, JobContext(runtime.settings))
    [mail] = mailbox.recorder.received()
    assert sorted(mail["rcptTos"]) == ["alex@demo.clinic", "frontdesk@demo.clinic"]
    assert mail["subject"] == "Your diary"
    assert mail["body"] == "Line one\nLine two\n"
    assert mail["messageId"] == f"<{row.id}@clinicportal.localhost>" == result["messageId"]
    assert mail["from"] == "Demo Skin Clinic <no-reply@clinicportal.localhost>"
    assert result["refused"] == {}


async def test_sending_one_row_twice_carries_the_same_message_id_so_the_duplicate_is_recognisable(demo, mailbox, runtime):
    row = await _row(demo, ["alex@demo.clinic"])
    await send_email(row, JobContext(runtime.settings))
    await send_email(row, JobContext(runtime.settings))
    assert mailbox.recorder.duplicates() == {f"<{row.id}@clinicportal.localhost>": 2}


async def test_a_permanently_refused_recipient_dead_letters_the_email(demo, mailbox, runtime):
    mailbox.recorder.refuse_permanently.add("gone@demo.clinic")
    with pytest.raises(Permanent, match="550"):
        await send_email(await _row(demo, ["gone@demo.clinic"]), JobContext(runtime.settings))
    assert mailbox.recorder.received() == []


async def test_an_address_that_is_not_a_single_plain_one_dead_letters_the_email_unwritten(demo, runtime):
    # Rows (and stored addresses) from before addresses were checked as typed in.
    for bad in ("a,b@example.com", "<script>@x.com", "a;b@example.com", 'a"b@example.com', "Eve <eve@example.com>"):
        with pytest.raises(Permanent, match="single e-mail addresses"):
            compose(await _row(demo, ["alex@demo.clinic", bad]), demo["demo"].clinic, runtime.settings)
    assert compose(await _row(demo, ["alex@demo.clinic"]), demo["demo"].clinic, runtime.settings)["To"] == "alex@demo.clinic"


async def test_a_recipient_refused_for_now_is_retried_not_dead_lettered(demo, mailbox, runtime):
    mailbox.recorder.refuse_for_now.add("busy@demo.clinic")
    with pytest.raises(Exception) as raised:
        await send_email(await _row(demo, ["busy@demo.clinic"]), JobContext(runtime.settings))
    assert not isinstance(raised.value, Permanent)
    assert "450" in str(raised.value)


async def test_when_some_recipients_are_refused_the_others_get_it_and_it_is_not_retried(demo, mailbox, runtime):
    mailbox.recorder.refuse_permanently.add("gone@demo.clinic")
    result = await send_email(await _row(demo, ["alex@demo.clinic", "gone@demo.clinic"]), JobContext(runtime.settings))
    assert [m["rcptTos"] for m in mailbox.recorder.received()] == [["alex@demo.clinic"]]
    assert list(result["refused"]) == ["gone@demo.clinic"]


async def test_an_unreachable_mail_server_is_retried_not_dead_lettered(demo, mailbox, runtime):
    from dataclasses import replace

    runtime.settings = replace(runtime.settings, smtp_port=free_port(), smtp_timeout_seconds=2)
    with pytest.raises(Exception) as raised:
        await send_email(await _row(demo, ["alex@demo.clinic"]), JobContext(runtime.settings))
    assert not isinstance(raised.value, Permanent)


async def test_a_payload_without_recipients_is_dead_lettered_at_once(demo, mailbox, runtime):
    with pytest.raises(Permanent):
        await send_email(await _row(demo, []), JobContext(runtime.settings))


async def test_names_outside_ascii_arrive_intact(demo, mailbox, runtime):
    row = await _row(demo, ["alex@demo.clinic"], "Zoë Łukasz — 10:00", "Rendez-vous confirmé pour Zoë 🌿\n")
    await send_email(row, JobContext(runtime.settings))
    [mail] = mailbox.recorder.received()
    assert mail["subject"] == "Zoë Łukasz — 10:00"
    assert mail["body"] == "Rendez-vous confirmé pour Zoë 🌿\n"


async def test_a_subject_cannot_smuggle_in_a_header(demo, mailbox, runtime):
    await send_email(await _row(demo, ["alex@demo.clinic"], "Hi\r\nBcc: victim@example.com"), JobContext(runtime.settings))
    [mail] = mailbox.recorder.received()
    assert mail["rcptTos"] == ["alex@demo.clinic"]
    assert mail["subject"] == "Hi Bcc: victim@example.com"


async def test_a_booking_emails_the_practitioner_in_the_clinics_time_zone(api, demo, mailbox, runtime):
    start = at(5, 11, tz="America/New_York")
    practitioner = demo["northside"].practitioners["Jordan Lee"]
    booked = (
        await api.data(
            BOOK,
            {"input": book_input(demo, "northside", "Facial", start, practitionerId=str(practitioner.id))},
            await client_token(api, "northside"),
        )
    )["bookAppointment"]
    assert errors(booked) == []
    [row] = [r for r in await queued() if r.payload["purpose"] == "practitioner_new_appointment"]
    assert str(row.appointment_id) == booked["appointment"]["id"]
    await deliver([row], runtime.settings)
    [mail] = mailbox.recorder.received()
    assert mail["rcptTos"] == ["jordan@northside.clinic"]
    local = datetime.fromisoformat(start).astimezone(ZoneInfo("America/New_York"))  # 11:00 there, not 16:00 UTC
    when = f"{local:%A} {local.day} {local:%B %Y}, 11:00 {local.tzname()} (America/New_York)"
    assert local.tzname() in ("EST", "EDT")
    assert mail["subject"] == f"New booking: Facial with Riley Client, {when}"
    assert "Hello Jordan Lee," in mail["body"]
    assert "A new appointment is in your diary at Northside Salon." in mail["body"]
    assert f"When: {when} until " in mail["body"] and ", 12:00 " in mail["body"]
    assert "Mobile: +12025550101" in mail["body"] and "E-mail: client@northside.clinic" in mail["body"]
    assert "{" not in mail["body"]
