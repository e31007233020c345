"""Levels of portal access: a clinic switches booking, cancelling and
rescheduling on or off for its clients; staff and partner keys are not
bound by the switches."""

from __future__ import annotations

from models import Appointment, AppointmentStatus, Clinic, PrefillToken
from tests.support.admin import USER_ERRORS, codes, partner_key
from tests.support.booking import BOOK, CANCEL, REPEAT, RESCHEDULE, at, book_input, errors
from tests.conftest import client_token, staff_token

SETTINGS = (
    "mutation($input: PortalSettingsInput!) { updatePortalSettings(input: $input) {"
    " clinic { clientsCanBook clientsCanCancel clientsCanReschedule verifyManualEntry } " + USER_ERRORS + " } }"
)
CLINIC = '{ clinic(slug: "demo") { canBook clientsCanBook clientsCanCancel clientsCanReschedule verifyManualEntry } }'
UPCOMING = "{ me { appointments(when: UPCOMING) { edges { node { id canCancel canReschedule } } } } }"
PAST = "{ me { appointments(when: PAST) { edges { node { id canRepeat } } } } }"
PREFILL = "mutation { createPrefillToken { token " + USER_ERRORS + " } }"
VISITOR = {"fullName": "New Person", "email": "new.person@example.com", "phone": "07700 900123"}


async def _switch(api, **changes) -> dict:
    answer = (await api.data(SETTINGS, {"input": changes}, await staff_token(api)))["updatePortalSettings"]
    assert answer["userErrors"] == []
    return answer["clinic"]


async def _upcoming(api, token: str) -> list[dict]:
    return [e["node"] for e in (await api.data(UPCOMING, token=token))["me"]["appointments"]["edges"]]


async def test_every_switch_is_on_by_default_and_each_reads_back_as_set(api):
    assert (await api.data(CLINIC))["clinic"] == {
        "canBook": True, "clientsCanBook": True, "clientsCanCancel": True, "clientsCanReschedule": True,
        "verifyManualEntry": True,
    }
    assert await _switch(api, clientsCanBook=False, clientsCanReschedule=False) == {
        "clientsCanBook": False, "clientsCanCancel": True, "clientsCanReschedule": False, "verifyManualEntry": True,
    }


async def test_with_booking_off_clients_and_visitors_are_refused_with_their_own_code_and_nothing_is_written(api, demo):
    await _switch(api, clientsCanBook=False)
    client = await client_token(api)
    before = await Appointment.all().count()
    for token, extra in ((client, {}), (None, {"client": VISITOR})):
        refused = (await api.data(BOOK, {"input": book_input(demo, **extra)}, token))["bookAppointment"]
        assert errors(refused) == ["PORTAL_ACCESS_DISABLED"]
        assert "booking" in refused["userErrors"][0]["message"]
    assert await Appointment.all().count() == before
    assert codes((await api.data(PREFILL, token=client))["createPrefillToken"]) == ["PORTAL_ACCESS_DISABLED"]
    assert not await PrefillToken.exists()
    past = (await api.data(PAST, token=client))["me"]["appointments"]["edges"]
    assert [e["node"]["canRepeat"] for e in past] == [False]
    repeated = (await api.data(REPEAT, {"id": past[0]["node"]["id"], "start": at(7, 15)}, client))["repeatAppointment"]
    assert errors(repeated) == ["PORTAL_ACCESS_DISABLED"]
    assert (await api.data(CLINIC, token=client))["clinic"]["canBook"] is False
    # Seeing their appointments stays.
    assert len(await _upcoming(api, client)) == 1


async def test_with_booking_off_staff_and_partner_keys_still_book(api, demo):
    await _switch(api, clientsCanBook=False)
    staff = await staff_token(api)
    key = await partner_key("demo", ["book", "read"])
    for n, token in enumerate((staff, key)):
        booked = (await api.data(BOOK, {"input": book_input(demo, start=at(5, 10 + n), clientId=str(demo["demo"].client.id))}, token))
        assert booked["bookAppointment"]["userErrors"] == []
        assert (await api.data(CLINIC, token=token))["clinic"]["canBook"] is True


async def test_with_cancelling_off_clients_cannot_cancel_but_may_still_move(api, demo):
    await _switch(api, clientsCanCancel=False)
    client = await client_token(api)
    [shown] = await _upcoming(api, client)
    assert (shown["canCancel"], shown["canReschedule"]) == (False, True)
    refused = (await api.data(CANCEL, {"id": shown["id"]}, client))["cancelAppointment"]
    assert errors(refused) == ["PORTAL_ACCESS_DISABLED"] and "cancellations" in refused["userErrors"][0]["message"]
    assert (await Appointment.get(id=shown["id"])).status is AppointmentStatus.BOOKED
    moved = (await api.data(RESCHEDULE, {"id": shown["id"], "start": at(8, 16)}, client))["rescheduleAppointment"]
    assert errors(moved) == []


async def test_with_rescheduling_off_clients_cannot_move_but_may_still_cancel(api, demo):
    await _switch(api, clientsCanReschedule=False)
    client = await client_token(api)
    [shown] = await _upcoming(api, client)
    assert (shown["canCancel"], shown["canReschedule"]) == (True, False)
    refused = (await api.data(RESCHEDULE, {"id": shown["id"], "start": at(8, 16)}, client))["rescheduleAppointment"]
    assert errors(refused) == ["PORTAL_ACCESS_DISABLED"]
    assert await Appointment.filter(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED).count() == 1
    assert errors((await api.data(CANCEL, {"id": shown["id"]}, client))["cancelAppointment"]) == []


async def test_staff_cancel_and_move_whatever_the_switches(api, demo):
    await _switch(api, clientsCanCancel=False, clientsCanReschedule=False)
    staff = await staff_token(api)
    upcoming = await Appointment.get(client_id=demo["demo"].client.id, status=AppointmentStatus.BOOKED)
    shown = (await api.data("query($id: ID!) { appointment(id: $id) { canCancel canReschedule } }", {"id": str(upcoming.id)}, staff))
    assert shown["appointment"] == {"canCancel": True, "canReschedule": True}
    moved = (await api.data(RESCHEDULE, {"id": str(upcoming.id), "start": at(8, 16)}, staff))["rescheduleAppointment"]
    assert errors(moved) == []
    assert errors((await api.data(CANCEL, {"id": moved["appointment"]["id"]}, staff))["cancelAppointment"]) == []


async def test_the_switches_are_one_clinics_own(api, demo):
    await _switch(api, clientsCanBook=False, clientsCanCancel=False)
    northside = await Clinic.get(slug="northside")
    assert (northside.clients_can_book, northside.clients_can_cancel) == (True, True)
    client = await client_token(api, "northside")
    booked = (await api.data(BOOK, {"input": book_input(demo, "northside", start=at(5, 11, tz="America/New_York"))}, client))
    assert booked["bookAppointment"]["userErrors"] == []


async def test_a_switch_sent_as_null_is_refused_by_field_and_nothing_changes(api):
    staff = await staff_token(api)
    for name in ("clientsCanBook", "clientsCanCancel", "clientsCanReschedule", "verifyManualEntry"):
        refused = (await api.data(SETTINGS, {"input": {"clientsCanCancel": False, name: None}}, staff))["updatePortalSettings"]
        assert codes(refused) == ["INVALID_INPUT"] and refused["userErrors"][0]["field"] == ["input", name]
    assert (await api.data(CLINIC))["clinic"]["clientsCanCancel"] is True


async def test_only_the_clinics_administrators_change_the_switches(api):
    client = await client_token(api)
    for token in (client, None):
        refused = (await api.data(SETTINGS, {"input": {"clientsCanBook": False}}, token))["updatePortalSettings"]
        assert codes(refused) == ["UNAUTHENTICATED"]
    assert (await Clinic.get(slug="demo")).clients_can_book is True
