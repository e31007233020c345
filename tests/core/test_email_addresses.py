"""E-mail addresses are checked and normalised by email-validator wherever
they are typed in: anything but a single plain address (which later goes
into a `To:` header) is refused with INVALID_INPUT on its field."""

from models import Client, PractitionerEmailSettings, StaffUser
from tests.conftest import staff_token
from tests.support.booking import BOOK, at, book_input

# Each was accepted before, and would add a recipient, a header or markup
# where the address is written out.
BAD = [
    "a,b@example.com",
    "<script>@x.com",
    "a;b@example.com",
    'a"b@example.com',
    "ada@example.com>",
    "ada@[127.0.0.1]",
    "(boss)ada@example.com",
]
PERSON = {"fullName": "New Person", "phone": "07700 900123"}
CREATE_STAFF = (
    "mutation($input: StaffUserInput!) { createStaffUser(input: $input) {"
    " staffUser { id email } userErrors { code message field } } }"
)
EXTRAS = (
    "mutation($i: PractitionerEmailSettingsInput!) { updatePractitionerEmailSettings(input: $i) {"
    " settings { extraNewAppointmentRecipients } userErrors { code message field } } }"
)


def _refused(payload: dict, field: list[str], address: str) -> None:
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("INVALID_INPUT", field)], address
    assert payload["userErrors"][0]["message"].startswith("Enter a valid e-mail address"), address


async def _book(api, demo, email: str, start: str | None = None, phone: str = PERSON["phone"]) -> dict:
    details = {**PERSON, "email": email, "phone": phone}
    return (await api.data(BOOK, {"input": book_input(demo, start=start, client=details)}))["bookAppointment"]


async def test_booking_refuses_each_bad_address_on_its_field(api, demo):
    clients = await Client.all().count()
    for address in BAD:
        booked = await _book(api, demo, address)
        assert booked["appointment"] is None, address
        _refused(booked, ["input", "client", "email"], address)
    assert await Client.all().count() == clients


async def test_staff_administration_refuses_each_bad_address_on_its_field(api, demo):
    owner = await staff_token(api)
    staff = await StaffUser.all().count()
    extras_before = (await PractitionerEmailSettings.get(clinic_id=demo["demo"].clinic.id)).extra_new_appointment_recipients
    for address in BAD:
        created = (await api.data(CREATE_STAFF, {"input": {"email": address, "fullName": "New Admin"}}, owner))
        _refused(created["createStaffUser"], ["input", "email"], address)
        extras = (await api.data(EXTRAS, {"i": {"extraNewAppointmentRecipients": ["ok@demo.clinic", address]}}, owner))
        _refused(extras["updatePractitionerEmailSettings"], ["input", "extraNewAppointmentRecipients", "1"], address)
    assert await StaffUser.all().count() == staff
    extras_after = (await PractitionerEmailSettings.get(clinic_id=demo["demo"].clinic.id)).extra_new_appointment_recipients
    assert extras_after == extras_before


async def test_addresses_are_stored_normalised(api, demo):
    # Spaces around, capitals, and a decomposed "ë" (e + combining diaeresis).
    booked = await _book(api, demo, "  Zoe\u0308.Ng@EXAMPLE.com ")
    assert booked["userErrors"] == [], booked
    assert await Client.exists(clinic_id=demo["demo"].clinic.id, email="zo\u00eb.ng@example.com")
    owner = await staff_token(api)
    created = (await api.data(CREATE_STAFF, {"input": {"email": "New.Admin@Demo.Clinic", "fullName": "New Admin"}}, owner))
    assert created["createStaffUser"]["staffUser"]["email"] == "new.admin@demo.clinic"


async def test_test_and_demo_domains_need_no_dns(api, demo):
    for i, address in enumerate(["someone@riverside.example", "someone@demo.clinic", "someone@example.com"]):
        # A phone of their own each: a second booking with the first's would need its code.
        booked = await _book(api, demo, address, start=at(5, 10 + i), phone=f"07700 90013{i}")
        assert booked["userErrors"] == [], (address, booked)


async def test_an_overlong_address_is_refused_without_being_echoed(api, demo):
    booked = await _book(api, demo, "a" * 10_000 + "@example.com")
    _refused(booked, ["input", "client", "email"], "overlong")
    assert len(booked["userErrors"][0]["message"]) < 200
