"""The catalogue and the diaries, kept by the clinic's administrators:
treatments, consent forms, who offers what, weekly hours and exceptions,
and staff users with their roles."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models import StaffUser
from tests.support.admin import USER_ERRORS, codes, partner_key, practitioner_token, top_level_code
from tests.support.booking import BOOK, SLOTS, at, book_input, working_day
from tests.conftest import staff_token

TREATMENT_FIELDS = (
    "id name description durationMinutes bufferBeforeMinutes bufferAfterMinutes onlineBookable archived"
    " price { amount currency } consentForm { title } practitioners { name }"
)
CREATE_TREATMENT = (
    "mutation($input: TreatmentInput!) { createTreatment(input: $input) {"
    f" treatment {{ {TREATMENT_FIELDS} }} {USER_ERRORS} }} }}"
)
UPDATE_TREATMENT = (
    "mutation($id: ID!, $input: TreatmentInput!) { updateTreatment(id: $id, input: $input) {"
    f" treatment {{ {TREATMENT_FIELDS} }} {USER_ERRORS} }} }}"
)
OFFER = (
    "mutation($t: ID!, $p: [ID!]!) { setTreatmentPractitioners(treatmentId: $t, practitionerIds: $p) {"
    f" treatment {{ practitioners {{ name }} }} {USER_ERRORS} }} }}"
)
CREATE_CONSENT = (
    "mutation($t: String!, $b: String!) { createConsentForm(title: $t, body: $b) {"
    f" consentForm {{ id title body }} {USER_ERRORS} }} }}"
)
DELETE_CONSENT = f"mutation($id: ID!) {{ deleteConsentForm(id: $id) {{ deletedId {USER_ERRORS} }} }}"
PUBLIC_TREATMENTS = '{ clinic(slug: "demo") { treatments { name } } }'
CREATE_PRACTITIONER = (
    "mutation($input: PractitionerInput!) { createPractitioner(input: $input) {"
    f" practitioner {{ id name active contactEmail }} {USER_ERRORS} }} }}"
)
UPDATE_PRACTITIONER = (
    "mutation($id: ID!, $input: PractitionerInput!) { updatePractitioner(id: $id, input: $input) {"
    f" practitioner {{ id active }} {USER_ERRORS} }} }}"
)
SET_HOURS = (
    "mutation($p: ID!, $h: [WorkingHoursInput!]!) { setWeeklyHours(practitionerId: $p, hours: $h) {"
    f" weeklyHours {{ weekday start end }} {USER_ERRORS} }} }}"
)
ADD_EXCEPTION = (
    "mutation($p: ID!, $d: Date!, $k: RosterExceptionKind!, $s: String, $e: String) {"
    " addRosterException(practitionerId: $p, date: $d, kind: $k, start: $s, end: $e, note: \"Training\") {"
    f" rosterException {{ id date kind start end note }} {USER_ERRORS} }} }}"
)
CREATE_STAFF = (
    "mutation($input: StaffUserInput!) { createStaffUser(input: $input) {"
    f" staffUser {{ id email fullName role active practitionerId }} {USER_ERRORS} }} }}"
)
UPDATE_STAFF = (
    "mutation($id: ID!, $input: StaffUserInput!) { updateStaffUser(id: $id, input: $input) {"
    f" staffUser {{ id role active }} {USER_ERRORS} }} }}"
)
CALENDAR = (
    "query($from: DateTime!, $to: DateTime!, $p: [ID!]) { calendar(from: $from, to: $to, practitionerIds: $p)"
    " { id practitioner { name } } }"
)


def local_times(slots: list[dict]) -> list[str]:
    zone = ZoneInfo("Europe/London")
    return [datetime.fromisoformat(s["start"]).astimezone(zone).strftime("%H:%M") for s in slots]


async def test_an_admin_creates_edits_and_archives_a_treatment(api, demo):
    owner = await staff_token(api)
    consent = (await api.data(CREATE_CONSENT, {"t": "Laser consent", "b": "I accept the risks."}, owner))[
        "createConsentForm"
    ]["consentForm"]
    created = (
        await api.data(
            CREATE_TREATMENT,
            {
                "input": {
                    "name": " Laser ",
                    "durationMinutes": 40,
                    "bufferAfterMinutes": 10,
                    "price": "120.5",
                    "consentFormId": consent["id"],
                }
            },
            owner,
        )
    )["createTreatment"]
    assert created["userErrors"] == []
    treatment = created["treatment"]
    assert treatment["name"] == "Laser" and treatment["durationMinutes"] == 40
    assert treatment["bufferBeforeMinutes"] == 0 and treatment["bufferAfterMinutes"] == 10
    assert treatment["price"] == {"amount": "120.50", "currency": "GBP"}
    assert treatment["consentForm"] == {"title": "Laser consent"} and treatment["onlineBookable"] is True
    assert treatment["practitioners"] == []
    offered = (await api.data(OFFER, {"t": treatment["id"], "p": [str(demo["demo"].practitioners["Sam Patel"].id)]}, owner))
    assert offered["setTreatmentPractitioners"]["treatment"]["practitioners"] == [{"name": "Sam Patel"}]
    assert "Laser" in [t["name"] for t in (await api.data(PUBLIC_TREATMENTS))["clinic"]["treatments"]]

    edited = (await api.data(UPDATE_TREATMENT, {"id": treatment["id"], "input": {"price": None, "description": "New"}}, owner))
    assert edited["updateTreatment"]["treatment"]["price"] is None
    assert edited["updateTreatment"]["treatment"]["description"] == "New"
    assert edited["updateTreatment"]["treatment"]["durationMinutes"] == 40
    archived = (await api.data(UPDATE_TREATMENT, {"id": treatment["id"], "input": {"archived": True}}, owner))
    assert archived["updateTreatment"]["treatment"]["archived"] is True
    assert "Laser" not in [t["name"] for t in (await api.data(PUBLIC_TREATMENTS))["clinic"]["treatments"]]
    booking = (await api.data(BOOK, {"input": book_input(demo, start=at(5, 11)) | {"treatmentId": treatment["id"]}}, owner))
    assert codes(booking["bookAppointment"]) == ["NOT_FOUND"]
    # Deleting the consent form unlinks it.
    await api.data(DELETE_CONSENT, {"id": consent["id"]}, owner)
    restored = (await api.data(UPDATE_TREATMENT, {"id": treatment["id"], "input": {"archived": False}}, owner))
    assert restored["updateTreatment"]["treatment"]["consentForm"] is None


async def test_treatment_values_out_of_range_are_refused(api):
    owner = await staff_token(api)
    untitled = (await api.data(CREATE_CONSENT, {"t": " ", "b": "Body"}, owner))["createConsentForm"]
    assert codes(untitled) == ["INVALID_INPUT"] and untitled["userErrors"][0]["field"] == ["title"]
    for bad, field in (
        ({"name": "X", "durationMinutes": 0}, "durationMinutes"),
        ({"name": "X", "durationMinutes": 30, "bufferBeforeMinutes": -5}, "bufferBeforeMinutes"),
        ({"name": "X", "durationMinutes": 30, "price": "-1"}, "price"),
        ({"name": "X", "durationMinutes": 30, "price": "12.345"}, "price"),
        ({"name": "X", "durationMinutes": 30, "price": "NaN"}, "price"),
        ({"name": "", "durationMinutes": 30}, "name"),
        ({"durationMinutes": 30}, "name"),
    ):
        result = (await api.data(CREATE_TREATMENT, {"input": bad}, owner))["createTreatment"]
        assert codes(result) == ["INVALID_INPUT"] and result["userErrors"][0]["field"] == ["input", field], bad
    assert len((await api.data("{ allTreatments { id } }", None, owner))["allTreatments"]) == 3


async def test_another_clinics_treatment_practitioner_and_consent_form_are_not_found(api, demo):
    northside = demo["northside"]
    owner = await staff_token(api)
    treatment = str(northside.treatments["Facial"].id)
    practitioner = str(northside.practitioners["Casey Brooks"].id)
    result = (await api.data(UPDATE_TREATMENT, {"id": treatment, "input": {"archived": True}}, owner))["updateTreatment"]
    assert codes(result) == ["NOT_FOUND"]
    result = (await api.data(UPDATE_PRACTITIONER, {"id": practitioner, "input": {"active": False}}, owner))
    assert codes(result["updatePractitioner"]) == ["NOT_FOUND"]
    mine = str(demo["demo"].treatments["Facial"].id)
    result = (await api.data(OFFER, {"t": mine, "p": [practitioner]}, owner))["setTreatmentPractitioners"]
    assert codes(result) == ["NOT_FOUND"]
    result = (await api.data(UPDATE_TREATMENT, {"id": mine, "input": {"consentFormId": treatment}}, owner))
    assert codes(result["updateTreatment"]) == ["NOT_FOUND"]
    from models import PractitionerTreatment, Treatment

    assert (await Treatment.get(id=northside.treatments["Facial"].id)).archived is False
    assert await PractitionerTreatment.filter(treatment_id=demo["demo"].treatments["Facial"].id).count() == 2


async def test_a_new_practitioner_with_weekly_hours_gets_slots_and_exceptions_take_them_away(api, demo):
    owner = await staff_token(api)
    created = (await api.data(CREATE_PRACTITIONER, {"input": {"name": "Robin Hale", "contactEmail": "Robin@Demo.Clinic"}}, owner))
    robin = created["createPractitioner"]["practitioner"]
    assert robin["contactEmail"] == "robin@demo.clinic" and robin["active"] is True
    facial = str(demo["demo"].treatments["Facial"].id)
    await api.data(OFFER, {"t": facial, "p": [robin["id"]]}, owner)
    day = working_day(10).date()
    hours = [{"weekday": day.weekday(), "start": "13:00", "end": "15:00"}]
    result = (await api.data(SET_HOURS, {"p": robin["id"], "h": hours}, owner))["setWeeklyHours"]
    assert result["weeklyHours"] == [{"weekday": day.weekday(), "start": "13:00", "end": "15:00"}]
    variables = {"c": "demo", "t": facial, "f": day.isoformat(), "l": day.isoformat(), "p": robin["id"]}
    slots = (await api.data(SLOTS, variables))["availableSlots"]
    # A 60-minute facial on a 15-minute grid, from 13:00 to 15:00.
    assert local_times(slots) == ["13:00", "13:15", "13:30", "13:45", "14:00"]
    off = {"p": robin["id"], "d": day.isoformat(), "k": "OFF", "s": "13:00", "e": "14:00"}
    exception = (await api.data(ADD_EXCEPTION, off, owner))["addRosterException"]["rosterException"]
    assert exception["start"] == "13:00" and exception["kind"] == "OFF" and exception["note"] == "Training"
    assert local_times((await api.data(SLOTS, variables))["availableSlots"]) == ["14:00"]
    removed = await api.data(
        f"mutation($id: ID!) {{ removeRosterException(id: $id) {{ deletedId {USER_ERRORS} }} }}", {"id": exception["id"]}, owner
    )
    assert removed["removeRosterException"]["deletedId"] == exception["id"]
    assert len((await api.data(SLOTS, variables))["availableSlots"]) == 5
    # Off the portal when deactivated.
    await api.data(UPDATE_PRACTITIONER, {"id": robin["id"], "input": {"active": False}}, owner)
    assert top_level_code(await api.post(SLOTS, variables)) == "NOT_FOUND"
    # Robin was the only one offering facials (setTreatmentPractitioners replaces the list).
    assert top_level_code(await api.post(SLOTS, {**variables, "p": None})) == "TREATMENT_NOT_OFFERED"


async def test_bad_hours_are_refused_and_the_old_ones_stay(api, demo):
    owner = await staff_token(api)
    alex = str(demo["demo"].practitioners["Alex Morgan"].id)
    for hours in (
        [{"weekday": 7, "start": "09:00", "end": "10:00"}],
        [{"weekday": 0, "start": "10:00", "end": "09:00"}],
        [{"weekday": 0, "start": "9am", "end": "10:00"}],
        [{"weekday": 0, "start": "09:00", "end": "24:30"}],
        [{"weekday": 0, "start": "09:00", "end": "12:00"}, {"weekday": 0, "start": "11:00", "end": "13:00"}],
    ):
        result = (await api.data(SET_HOURS, {"p": alex, "h": hours}, owner))["setWeeklyHours"]
        assert codes(result) == ["INVALID_INPUT"], hours
    from models import RosterEntry

    assert await RosterEntry.filter(practitioner_id=demo["demo"].practitioners["Alex Morgan"].id).count() == 6


async def test_a_new_practitioner_role_user_signs_in_and_sees_only_their_own_diary(api, demo):
    owner = await staff_token(api)
    sam = demo["demo"].practitioners["Sam Patel"]
    alex = demo["demo"].practitioners["Alex Morgan"]
    new_user = {
        "email": "Sam@Demo.Clinic",
        "fullName": "Sam Patel",
        "role": "PRACTITIONER",
        "practitionerId": str(sam.id),
        "password": "sam-password-1",
    }
    created = (await api.data(CREATE_STAFF, {"input": new_user}, owner))["createStaffUser"]
    assert created["userErrors"] == [] and created["staffUser"]["email"] == "sam@demo.clinic"
    assert created["staffUser"]["practitionerId"] == str(sam.id)
    sam_token = await api.staff_sign_in("sam@demo.clinic", "sam-password-1")
    # Book one appointment in each diary.
    client = str(demo["demo"].client.id)
    for who, hour in ((alex, 10), (sam, 12)):
        booked = await api.data(BOOK, {"input": book_input(demo, start=at(4, hour), practitionerId=str(who.id), clientId=client)}, owner)
        assert booked["bookAppointment"]["userErrors"] == []
    window = {"from": working_day(4).isoformat(), "to": (working_day(4) + timedelta(days=1)).isoformat()}
    seen = (await api.data(CALENDAR, window, sam_token))["calendar"]
    assert [a["practitioner"]["name"] for a in seen] == ["Sam Patel"]
    other = (await api.data(CALENDAR, {**window, "p": [str(alex.id)]}, sam_token))["calendar"]
    assert other == []
    # Until the clinic lets practitioners see every diary.
    see_all = "mutation($v: Boolean) { updatePortalSettings(input: {practitionersSeeAllDiaries: $v}) { userErrors { code } } }"
    await api.data(see_all, {"v": True}, owner)
    assert len((await api.data(CALENDAR, {**window, "p": [str(alex.id)]}, sam_token))["calendar"]) == 1
    await api.data(see_all, {"v": False}, owner)
    assert (await api.data(CALENDAR, {**window, "p": [str(alex.id)]}, sam_token))["calendar"] == []
    # Not an admin: cannot change settings or staff.
    result = (await api.data(UPDATE_STAFF, {"id": created["staffUser"]["id"], "input": {"role": "ADMIN"}}, sam_token))
    assert codes(result["updateStaffUser"]) == ["UNAUTHENTICATED"]
    body = await api.post("{ staffUsers { email } }", token=sam_token)
    assert top_level_code(body) == "UNAUTHENTICATED"
    # Deactivated: the session stops working at once.
    await api.data(UPDATE_STAFF, {"id": created["staffUser"]["id"], "input": {"active": False}}, owner)
    body = await api.post(CALENDAR, window, token=sam_token)
    assert top_level_code(body) == "UNAUTHENTICATED"


async def test_staff_users_need_a_unique_email_a_long_password_and_a_diary_for_practitioners(api, demo):
    owner = await staff_token(api)
    base = {"email": "new@demo.clinic", "fullName": "New Person", "password": "long-enough-1"}
    for bad, field in (
        ({**base, "email": "owner@northside.clinic"}, "email"),
        ({**base, "password": "short"}, "password"),
        ({**base, "role": "PRACTITIONER"}, "practitionerId"),
        ({**base, "role": "PRACTITIONER", "practitionerId": str(demo["northside"].practitioners["Casey Brooks"].id)}, "practitionerId"),
    ):
        result = (await api.data(CREATE_STAFF, {"input": bad}, owner))["createStaffUser"]
        assert codes(result)[0] in ("INVALID_INPUT", "NOT_FOUND") and result["userErrors"][0]["field"] == ["input", field], bad


async def test_the_last_active_admin_cannot_be_demoted_or_deactivated(api, demo):
    owner = await staff_token(api)
    owner_id = str(demo["demo"].owner.id)
    for change in ({"active": False}, {"role": "PRACTITIONER", "practitionerId": str(demo["demo"].practitioners["Sam Patel"].id)}):
        result = (await api.data(UPDATE_STAFF, {"id": owner_id, "input": change}, owner))["updateStaffUser"]
        assert codes(result) == ["INVALID_INPUT"], change
    other = (await api.data(CREATE_STAFF, {"input": {"email": "second@demo.clinic", "fullName": "Second", "password": "long-enough-1"}}, owner))
    assert other["createStaffUser"]["staffUser"]["role"] == "ADMIN"
    result = (await api.data(UPDATE_STAFF, {"id": owner_id, "input": {"active": False}}, owner))["updateStaffUser"]
    assert result["userErrors"] == [] and result["staffUser"]["active"] is False


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(api, demo):
    owner = await staff_token(api)
    second = {"email": "second@demo.clinic", "fullName": "Second", "password": "long-enough-1"}
    second_id = (await api.data(CREATE_STAFF, {"input": second}, owner))["createStaffUser"]["staffUser"]["id"]
    second_token = await api.staff_sign_in("second@demo.clinic", "long-enough-1")
    for _ in range(3):
        results = await asyncio.gather(
            api.data(UPDATE_STAFF, {"id": second_id, "input": {"active": False}}, owner),
            api.data(UPDATE_STAFF, {"id": str(demo["demo"].owner.id), "input": {"active": False}}, second_token),
        )
        outcomes = sorted(codes(r["updateStaffUser"]) for r in results)
        assert outcomes == [[], ["INVALID_INPUT"]]  # exactly one of them won
        assert await StaffUser.filter(clinic_id=demo["demo"].clinic.id, role="ADMIN", active=True).count() == 1
        await StaffUser.filter(clinic_id=demo["demo"].clinic.id).update(active=True)  # again, from two admins
        owner = await staff_token(api)
        second_token = await api.staff_sign_in("second@demo.clinic", "long-enough-1")


async def test_another_clinics_staff_user_is_not_found(api, demo):
    owner = await staff_token(api, "northside")
    result = (await api.data(UPDATE_STAFF, {"id": str(demo["demo"].owner.id), "input": {"active": False}}, owner))
    assert codes(result["updateStaffUser"]) == ["NOT_FOUND"]
    key = await partner_key("northside", ["admin"])
    result = (await api.data(UPDATE_STAFF, {"id": str(demo["demo"].owner.id), "input": {"active": False}}, key))
    assert codes(result["updateStaffUser"]) == ["NOT_FOUND"]
