"""Cancelling and moving an occurrence of a recurring series: alone (THIS)
or with the later ones (THIS_AND_FOLLOWING), in one transaction, all or
none."""

from datetime import timedelta

from models import Appointment, AppointmentStatus
from tests.conftest import client_token, staff_token
from tests.support.booking import BOOK, book_input, errors
from tests.support.admin import practitioner_token
from tests.support.outbox import sms_rows
from tests.support.series import BOOK_SERIES, CANCEL_SCOPED, MOVE_SCOPED, SERIES, instant, series_input


async def _four(api, token, demo, **extra) -> list[dict]:
    made = (await api.data(BOOK_SERIES, {"input": series_input(demo, **extra)}, token))["bookSeries"]
    assert made["userErrors"] == [] and len(made["appointments"]) == 4, made
    return made["appointments"]


async def _statuses(occurrences: list[dict]) -> list[AppointmentStatus]:
    return [(await Appointment.get(id=o["id"])).status for o in occurrences]


async def test_cancelling_this_leaves_the_others_booked(api, demo):
    token = await staff_token(api)
    occurrences = await _four(api, token, demo)
    done = (await api.data(CANCEL_SCOPED, {"id": occurrences[1]["id"], "scope": "THIS"}, token))["cancelAppointment"]
    assert done["userErrors"] == [] and [a["id"] for a in done["appointments"]] == [occurrences[1]["id"]]
    B, C = AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED
    assert await _statuses(occurrences) == [B, C, B, B]


async def test_cancelling_this_and_following_cancels_the_later_ones_only(api, demo):
    token = await staff_token(api)
    occurrences = await _four(api, token, demo)
    await api.data(CANCEL_SCOPED, {"id": occurrences[3]["id"], "scope": "THIS"}, token)  # already cancelled: left as is
    done = (await api.data(CANCEL_SCOPED, {"id": occurrences[1]["id"], "scope": "THIS_AND_FOLLOWING"}, token))["cancelAppointment"]
    assert done["userErrors"] == [], done
    assert done["appointment"]["id"] == occurrences[1]["id"]
    assert [a["id"] for a in done["appointments"]] == [occurrences[1]["id"], occurrences[2]["id"]]
    assert {a["status"] for a in done["appointments"]} == {"CANCELLED"}
    B, C = AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED
    assert await _statuses(occurrences) == [B, C, C, C]
    # each cancelled occurrence got its own notice
    notices = await sms_rows(demo["demo"].clinic.id, "cancellation")
    assert sorted(str(n.appointment_id) for n in notices) == sorted(o["id"] for o in occurrences[1:])


async def test_this_and_following_on_a_single_booking_cancels_just_it(api, demo):
    token = await staff_token(api)
    occurrences = await _four(api, token, demo)
    single = (await api.data(BOOK, {"input": book_input(demo, clientId=str(demo["demo"].client.id))}, token))["bookAppointment"]
    done = (await api.data(CANCEL_SCOPED, {"id": single["appointment"]["id"], "scope": "THIS_AND_FOLLOWING"}, token))
    assert [a["id"] for a in done["cancelAppointment"]["appointments"]] == [single["appointment"]["id"]]
    assert set(await _statuses(occurrences)) == {AppointmentStatus.BOOKED}


async def test_moving_this_and_following_shifts_each_by_the_same_offset_and_keeps_the_series(api, demo):
    token = await staff_token(api)
    occurrences = await _four(api, token, demo)
    new_start = instant(occurrences[1]["start"]) + timedelta(hours=2, minutes=15)
    moved = (
        await api.data(MOVE_SCOPED, {"id": occurrences[1]["id"], "start": new_start.isoformat(), "scope": "THIS_AND_FOLLOWING"}, token)
    )["rescheduleAppointment"]
    assert moved["userErrors"] == [], moved
    new = moved["appointments"]
    assert [n["rescheduledFromId"] for n in new] == [o["id"] for o in occurrences[1:]]
    assert [instant(n["start"]) for n in new] == [instant(o["start"]) + timedelta(hours=2, minutes=15) for o in occurrences[1:]]
    assert {n["series"]["id"] for n in new} == {occurrences[0]["series"]["id"]}
    assert moved["appointment"]["id"] == new[0]["id"]
    B, C = AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED
    assert await _statuses(occurrences) == [B, C, C, C]
    series = (await api.data(SERIES, {"id": occurrences[0]["series"]["id"]}, token))["series"]
    booked = [a["id"] for a in series["appointments"] if a["status"] == "BOOKED"]
    assert booked == [occurrences[0]["id"], *(n["id"] for n in new)]


async def test_moving_this_only_keeps_the_others_and_the_series(api, demo):
    token = await staff_token(api)
    occurrences = await _four(api, token, demo)
    new_start = instant(occurrences[2]["start"]) + timedelta(days=1)
    moved = (await api.data(MOVE_SCOPED, {"id": occurrences[2]["id"], "start": new_start.isoformat(), "scope": "THIS"}, token))
    new = moved["rescheduleAppointment"]["appointments"]
    assert len(new) == 1 and new[0]["series"]["id"] == occurrences[0]["series"]["id"]
    B, C = AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED
    assert await _statuses(occurrences) == [B, B, C, B]


async def test_a_move_that_one_later_occurrence_cannot_take_moves_none_and_says_which(api, demo):
    token = await staff_token(api)
    occurrences = await _four(api, token, demo)
    offset = timedelta(hours=2)
    details = {"fullName": "Someone Else", "email": "someone@example.com", "phone": "+447700900777"}
    blocked_at = instant(occurrences[3]["start"]) + offset
    alex = str(demo["demo"].practitioners["Alex Morgan"].id)
    blocker = await api.data(BOOK, {"input": book_input(demo, start=blocked_at.isoformat(), practitionerId=alex, client=details)}, token)
    assert blocker["bookAppointment"]["userErrors"] == []
    before = await Appointment.all().count()
    new_start = instant(occurrences[1]["start"]) + offset
    refused = (
        await api.data(MOVE_SCOPED, {"id": occurrences[1]["id"], "start": new_start.isoformat(), "scope": "THIS_AND_FOLLOWING"}, token)
    )["rescheduleAppointment"]
    assert errors(refused) == ["SLOT_UNAVAILABLE"] and refused["appointments"] == []
    assert "The appointment of " in refused["userErrors"][0]["message"]
    assert set(await _statuses(occurrences)) == {AppointmentStatus.BOOKED}
    assert await Appointment.all().count() == before


async def test_a_client_cancels_their_own_series_from_one_occurrence(api, demo):
    occurrences = await _four(api, await staff_token(api), demo)
    client = await client_token(api)
    done = (await api.data(CANCEL_SCOPED, {"id": occurrences[2]["id"], "scope": "THIS_AND_FOLLOWING"}, client))["cancelAppointment"]
    assert done["userErrors"] == [] and len(done["appointments"]) == 2
    read = (await api.data(SERIES, {"id": occurrences[0]["series"]["id"]}, client))["series"]
    assert [a["status"] for a in read["appointments"]] == ["BOOKED", "BOOKED", "CANCELLED", "CANCELLED"]


async def test_another_clinic_cannot_cancel_or_move_an_occurrence_and_nothing_changes(api, demo):
    occurrences = await _four(api, await staff_token(api), demo)
    northside = await staff_token(api, "northside")
    cancel = (await api.data(CANCEL_SCOPED, {"id": occurrences[0]["id"], "scope": "THIS_AND_FOLLOWING"}, northside))
    assert errors(cancel["cancelAppointment"]) == ["NOT_FOUND"]
    start = (instant(occurrences[0]["start"]) + timedelta(hours=1)).isoformat()
    move = await api.data(MOVE_SCOPED, {"id": occurrences[0]["id"], "start": start, "scope": "THIS_AND_FOLLOWING"}, northside)
    assert errors(move["rescheduleAppointment"]) == ["NOT_FOUND"]
    other_client = await client_token(api, "northside")
    assert (await api.data(SERIES, {"id": occurrences[0]["series"]["id"]}, other_client))["series"] is None
    assert set(await _statuses(occurrences)) == {AppointmentStatus.BOOKED}


async def test_a_practitioner_cancels_only_the_occurrences_in_their_own_diary(api, demo):
    owner = await staff_token(api)
    made = (await api.data(BOOK_SERIES, {"input": series_input(demo, practitionerId=None, count=3)}, owner))["bookSeries"]
    sam = str(demo["demo"].practitioners["Sam Patel"].id)
    # Move the middle one to Sam: Alex's diary then holds the first and the last.
    middle = made["appointments"][1]
    moved = await api.data(
        "mutation($id: ID!, $start: DateTime!, $p: ID) { rescheduleAppointment(id: $id, start: $start, practitionerId: $p) {"
        " appointment { id } userErrors { code } } }",
        {"id": middle["id"], "start": middle["start"], "p": sam},
        owner,
    )
    assert moved["rescheduleAppointment"]["userErrors"] == []
    alex = await practitioner_token(api)
    done = (await api.data(CANCEL_SCOPED, {"id": made["appointments"][0]["id"], "scope": "THIS_AND_FOLLOWING"}, alex))
    cancelled = [a["id"] for a in done["cancelAppointment"]["appointments"]]
    assert cancelled == [made["appointments"][0]["id"], made["appointments"][2]["id"]]
    assert (await Appointment.get(id=moved["rescheduleAppointment"]["appointment"]["id"])).status is AppointmentStatus.BOOKED
