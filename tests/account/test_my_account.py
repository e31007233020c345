"""The client's own corner: history newest first, the actions the portal may
offer on each appointment, repeating a past one, language, signing out."""

from datetime import UTC, datetime, timedelta

from models import Appointment, AppointmentSource, AppointmentStatus, Client, Treatment
from tests.support.booking import REPEAT, at, errors
from tests.conftest import client_token, staff_token

HISTORY = (
    "query($w: AppointmentWhen!, $a: String) { me { appointments(when: $w, first: 2, after: $a) {"
    " edges { node { id start status canCancel canReschedule canRepeat } cursor } pageInfo { hasNextPage endCursor } } } }"
)
SET_LANGUAGE = "mutation($l: String!) { setLanguage(language: $l) { account { language } userErrors { code field message } } }"


async def _past(demo, days_ago: int, status=AppointmentStatus.COMPLETED) -> Appointment:
    clinic = demo["demo"]
    facial = clinic.treatments["Facial"]
    start = (datetime.now(UTC) - timedelta(days=days_ago)).replace(hour=10, minute=0, second=0, microsecond=0)
    return await Appointment.create(
        clinic=clinic.clinic, practitioner=clinic.practitioners["Sam Patel"], treatment=facial, client=clinic.client,
        start_at=start, end_at=start + timedelta(hours=1), occupied_start=start, occupied_end=start + timedelta(hours=1),
        status=status, source=AppointmentSource.STAFF, price=facial.price, currency="GBP",
    )


async def test_past_appointments_come_newest_first_page_by_page(api, demo):
    token = await client_token(api)
    older, newer = await _past(demo, 30), await _past(demo, 2)
    first = (await api.data(HISTORY, {"w": "PAST"}, token=token))["me"]["appointments"]
    starts = [e["node"]["start"] for e in first["edges"]]
    assert starts == sorted(starts, reverse=True) and first["edges"][0]["node"]["id"] == str(newer.id)
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (await api.data(HISTORY, {"w": "PAST", "a": first["pageInfo"]["endCursor"]}, token=token))["me"]["appointments"]
    assert [e["node"]["id"] for e in rest["edges"]] == [str(older.id)] and rest["pageInfo"]["hasNextPage"] is False


async def test_the_portal_is_told_which_actions_each_appointment_allows(api, demo):
    token = await client_token(api)
    upcoming = (await api.data(HISTORY, {"w": "UPCOMING"}, token=token))["me"]["appointments"]["edges"][0]["node"]
    assert (upcoming["canCancel"], upcoming["canReschedule"], upcoming["canRepeat"]) == (True, True, False)
    past = (await api.data(HISTORY, {"w": "PAST"}, token=token))["me"]["appointments"]["edges"][0]["node"]
    assert (past["canCancel"], past["canReschedule"], past["canRepeat"]) == (False, False, True)
    await Treatment.filter(id=demo["demo"].treatments["Facial"].id).update(online_bookable=False)
    past = (await api.data(HISTORY, {"w": "PAST"}, token=token))["me"]["appointments"]["edges"][0]["node"]
    assert past["canRepeat"] is False


async def test_a_client_repeats_a_past_appointment(api, demo):
    token = await client_token(api)
    past = (await api.data(HISTORY, {"w": "PAST"}, token=token))["me"]["appointments"]["edges"][0]["node"]
    repeated = (await api.data(REPEAT, {"id": past["id"], "start": at(8, 15)}, token=token))["repeatAppointment"]
    assert errors(repeated) == [] and repeated["appointment"]["treatment"]["name"] == "Facial"
    upcoming = (await api.data(HISTORY, {"w": "UPCOMING"}, token=token))["me"]["appointments"]["edges"]
    assert repeated["appointment"]["id"] in [e["node"]["id"] for e in upcoming]


async def test_a_client_cannot_repeat_another_clients_appointment(api, demo):
    northside_past = await Appointment.filter(clinic_id=demo["northside"].clinic.id, status=AppointmentStatus.COMPLETED).first()
    answer = await api.data(REPEAT, {"id": str(northside_past.id), "start": at(8, 15)}, token=await client_token(api))
    assert errors(answer["repeatAppointment"]) == ["NOT_FOUND"]


async def test_a_client_sets_a_supported_language_and_nothing_else(api, demo):
    token = await client_token(api)
    done = (await api.data(SET_LANGUAGE, {"l": "FR"}, token=token))["setLanguage"]
    assert done == {"account": {"language": "fr"}, "userErrors": []}
    refused = (await api.data(SET_LANGUAGE, {"l": "klingon"}, token=token))["setLanguage"]
    assert refused["account"] is None and refused["userErrors"][0]["code"] == "INVALID_INPUT"
    assert refused["userErrors"][0]["field"] == ["language"]
    assert (await Client.get(id=demo["demo"].client.id)).language == "fr"


async def test_only_a_signed_in_client_sets_a_language(api):
    assert errors((await api.data(SET_LANGUAGE, {"l": "de"}))["setLanguage"]) == ["UNAUTHENTICATED"]
    staff = (await api.data(SET_LANGUAGE, {"l": "de"}, token=await staff_token(api)))["setLanguage"]
    assert errors(staff) == ["UNAUTHENTICATED"]


async def test_can_repeat_follows_the_booking_rules_for_partner_keys_and_staff(api, demo):
    from tests.support.admin import partner_key

    past = (await api.data(HISTORY, {"w": "PAST"}, token=await client_token(api)))["me"]["appointments"]["edges"][0]["node"]
    ask = "query($id: ID!) { appointment(id: $id) { canRepeat } }"
    partner, reader, staff = await partner_key("demo", ["read", "book"]), await partner_key("demo", ["read"]), await staff_token(api)
    flags = [(await api.data(ask, {"id": past["id"]}, token=t))["appointment"]["canRepeat"] for t in (partner, reader, staff)]
    assert flags == [True, False, True]
    await Treatment.filter(id=demo["demo"].treatments["Facial"].id).update(online_bookable=False)  # staff only now
    flags = [(await api.data(ask, {"id": past["id"]}, token=t))["appointment"]["canRepeat"] for t in (partner, staff)]
    assert flags == [False, True]
    refused = (await api.data(REPEAT, {"id": past["id"], "start": at(8, 15)}, token=partner))["repeatAppointment"]
    assert errors(refused) == ["TREATMENT_NOT_OFFERED"]  # what the flag said
