"""A waitlist offer (SMS, or e-mail for a client without a phone) and a
series' one confirmation reach the client in their language, with the
times written that language's way in the clinic's time zone, and a series'
count in the language's plural."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton

from models import Client, Clinic, CredentialKind
from resolvers.account import credentials
from tests.booking.test_series import _block, _series
from tests.booking.test_waitlist import _booked_then_cancelled, _join
from tests.conftest import staff_token
from tests.support.mailbox import deliver, mailbox, queued  # noqa: F401  (fixture)
from tests.support.outbox import sms_rows
from tests.support.series import instant, series_input, weeks_after

LONDON = ZoneInfo("Europe/London")


async def _waiting(demo, language: str, *, phone: str | None) -> tuple[Client, str]:
    """A client of the demo clinic in `language`, with a portal session."""
    client = await Client.create(clinic_id=demo["demo"].clinic.id, full_name="Wanda Waiting", email="wanda@example.com",
                                 phone=phone, language=language)  # fmt: skip
    token, _ = await credentials.issue(CredentialKind.CLIENT_SESSION, demo["demo"].clinic.id,
                                       client_id=client.id, lifetime=timedelta(hours=1))  # fmt: skip
    return client, token


async def test_a_german_clients_waitlist_offer_sms_is_german_with_the_clinics_time_and_the_link(api, demo):
    _client, token = await _waiting(demo, "de", phone="+447700900555")
    assert (await _join(api, demo, token))["userErrors"] == []
    freed = await _booked_then_cancelled(api, demo, await staff_token(api))
    [row] = await sms_rows(demo["demo"].clinic.id, "waitlist_offer")
    body = row.payload["body"]
    start = instant(freed["start"]).astimezone(LONDON)
    assert row.payload["to"] == "+447700900555"
    assert body.startswith(f"{demo['demo'].clinic.name}: Ein Termin für Facial bei Alex Morgan am ")
    assert format_date(start, "EEE", locale="de") in body and start.strftime("%H:%M") in body
    assert re.search(r"ist frei geworden\. Hier buchen: http://\S+/p/demo/waitlist\?token=\S+$", body), body


async def test_a_spanish_client_without_a_phone_reads_the_offer_by_e_mail_in_spanish(api, demo, mailbox, runtime):
    _client, token = await _waiting(demo, "es", phone=None)
    assert (await _join(api, demo, token))["userErrors"] == []
    await _booked_then_cancelled(api, demo, await staff_token(api))
    assert await sms_rows(demo["demo"].clinic.id, "waitlist_offer") == []
    [row] = [m for m in await queued() if m.payload.get("purpose") == "waitlist_offer"]
    await deliver([row], runtime.settings)
    [mail] = [m for m in mailbox.recorder.received() if m["rcptTos"] == ["wanda@example.com"]]
    name = demo["demo"].clinic.name
    assert mail["subject"] == f"{name}: ha quedado libre una hora"
    assert f"{name}: ha quedado libre una cita de Facial con Alex Morgan el " in mail["body"]
    assert "Resérvela aquí: " in mail["body"] and "/p/demo/waitlist?token=" in mail["body"]


async def _series_sms(demo) -> str:
    [row] = await sms_rows(demo["demo"].clinic.id, "series_confirmation")
    return row.payload["body"]


async def test_a_polish_clients_series_confirmation_counts_its_appointments_in_polish(api, demo):
    await Client.filter(id=demo["demo"].client.id).update(language="pl")
    variables = series_input(demo, count=5)
    made = await _series(api, await staff_token(api), variables)
    assert made["userErrors"] == [] and len(made["appointments"]) == 5
    body = await _series_sms(demo)
    first, last = (instant(made["appointments"][i]["start"]).astimezone(LONDON) for i in (0, -1))
    assert "Twoje 5 wizyt (Facial) jest zarezerwowanych, od " in body  # 5: the "many" form, not "wizyty"
    assert format_date(first, "MMM", locale="pl") in body and format_date(last, "MMM", locale="pl") in body
    assert "Odpisz STOP" in body


async def test_a_series_of_which_one_time_fits_confirms_that_one_appointment_written_the_clinics_countrys_way(api, demo):
    assert (await Clinic.get(id=demo["demo"].clinic.id)).country == "GB"
    token = await staff_token(api)
    variables = series_input(demo, count=2, mode="BOOK_WHAT_FITS")
    await _block(api, token, demo, weeks_after(variables["start"], 1))
    made = await _series(api, token, variables)
    assert made["userErrors"] == [] and len(made["appointments"]) == 1
    body = await _series_sms(demo)
    first = instant(made["appointments"][0]["start"]).astimezone(LONDON)
    assert body.startswith(f"{demo['demo'].clinic.name}: your Facial appointment of the series is booked for ")
    assert format_skeleton("yMMMEd", first, locale="en_GB") in body  # "Wed, 9 Jan 2030", not the US "Wed, Jan 9, 2030"
    assert "appointments" not in body
