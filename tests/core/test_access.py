"""Who may do what (resolvers/core/access.py), rule by rule, without a
database: the black-box tenant tests show the same rules over GraphQL."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from resolvers.core import access
from resolvers.core.errors import DomainError, ErrorCode
from resolvers.core.principal import ANONYMOUS, Principal, PrincipalKind, Scope

CLINIC, OTHER = uuid.uuid4(), uuid.uuid4()
CLIENT, STAFF, DIARY = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

client = Principal(kind=PrincipalKind.CLIENT, clinic_id=CLINIC, client_id=CLIENT)
booking = Principal(kind=PrincipalKind.BOOKING, clinic_id=CLINIC, client_id=CLIENT)
admin = Principal(kind=PrincipalKind.STAFF, clinic_id=CLINIC, staff_id=STAFF, staff_is_admin=True)
desk = Principal(kind=PrincipalKind.STAFF, clinic_id=CLINIC, staff_id=STAFF)
practitioner = Principal(kind=PrincipalKind.STAFF, clinic_id=CLINIC, staff_id=STAFF, practitioner_id=DIARY, own_diary_only=True)


def partner(*scopes: Scope) -> Principal:
    return Principal(kind=PrincipalKind.PARTNER, clinic_id=CLINIC, scopes=frozenset(s.value for s in scopes))


def appointment(clinic=CLINIC, client_id=CLIENT, practitioner_id=DIARY) -> SimpleNamespace:
    return SimpleNamespace(clinic_id=clinic, client_id=client_id, practitioner_id=practitioner_id)


def refused(check, *args) -> ErrorCode | None:
    try:
        check(*args)
    except DomainError as error:
        return error.code
    return None


def test_signing_in_is_needed_and_gives_the_credentials_clinic():
    assert refused(access.require_signed_in, ANONYMOUS) is ErrorCode.UNAUTHENTICATED
    assert access.require_signed_in(partner()) == CLINIC


def test_only_a_portal_session_acts_for_a_client_a_booking_session_only_books():
    assert access.require_client(client) == CLIENT
    for other in (booking, admin, partner(Scope.ADMIN), ANONYMOUS):
        assert refused(access.require_client, other) is ErrorCode.UNAUTHENTICATED


@pytest.mark.parametrize(
    ("principal", "scope", "allowed"),
    [
        (desk, Scope.ADMIN, True),  # staff may do what their role allows; admin checks are separate
        (partner(Scope.READ), Scope.READ, True),
        (partner(Scope.READ), Scope.BOOK, False),
        (partner(Scope.ADMIN), Scope.BOOK, True),  # admin implies every scope
        (client, Scope.READ, False),
    ],
)
def test_scopes_of_staff_and_partner_keys(principal, scope, allowed):
    assert (refused(access.require_scope, principal, scope) is None) is allowed


def test_administrators_are_admin_staff_and_admin_keys_only():
    assert access.is_admin(admin) and access.is_admin(partner(Scope.ADMIN))
    assert not any(access.is_admin(p) for p in (desk, practitioner, partner(Scope.BOOK, Scope.READ), client))
    assert refused(access.require_admin, desk) is ErrorCode.UNAUTHENTICATED
    assert refused(access.require_reports, practitioner) is ErrorCode.UNAUTHENTICATED
    assert access.require_refunds(partner(Scope.ADMIN)) == CLINIC


def test_any_staff_and_admin_keys_take_payments():
    assert access.require_payment_desk(practitioner) == CLINIC
    assert access.require_payment_desk(partner(Scope.ADMIN)) == CLINIC
    assert refused(access.require_payment_desk, partner(Scope.BOOK)) is ErrorCode.UNAUTHENTICATED
    assert refused(access.require_payment_desk, client) is ErrorCode.UNAUTHENTICATED


def test_which_appointments_each_principal_reads():
    assert access.appointment_rule(client) == {"clinic_id": CLINIC, "client_id": CLIENT}
    assert access.appointment_rule(practitioner) == {"clinic_id": CLINIC, "practitioner_id": DIARY}
    assert access.appointment_rule(desk) == {"clinic_id": CLINIC}
    assert access.appointment_rule(partner(Scope.CALENDAR)) == {"clinic_id": CLINIC}
    for nobody in (ANONYMOUS, booking, partner(Scope.BOOK)):
        assert access.appointment_rule(nobody) is None


def test_a_loaded_appointment_is_seen_by_the_same_rule():
    own, strangers, elsewhere = appointment(), appointment(client_id=uuid.uuid4()), appointment(clinic=OTHER)
    assert access.can_see(client, own) and not access.can_see(client, strangers)
    assert access.can_see(desk, strangers) and not access.can_see(desk, elsewhere)
    other_diary = appointment(practitioner_id=uuid.uuid4())
    assert access.can_see(practitioner, own) and not access.can_see(practitioner, other_diary)
    assert not access.can_see(booking, own) and not access.can_see(partner(Scope.BOOK), own)


def test_insiders_are_the_clinics_own_staff_and_keys():
    assert access.is_insider(desk, CLINIC) and access.is_insider(partner(), CLINIC)
    assert not access.is_insider(desk, OTHER) and not access.is_insider(client, CLINIC)
    assert access.insider_clinic_id(partner()) == CLINIC and access.insider_clinic_id(client) is None
    assert refused(access.require_insider, client, CLINIC) is ErrorCode.UNAUTHENTICATED


def test_the_portal_switch_holds_back_portal_callers_only():
    closed = SimpleNamespace(portal_enabled=False)
    for caller in (ANONYMOUS, client, booking):
        assert access.portal_refusal(closed, caller).code is ErrorCode.PORTAL_DISABLED
    assert access.portal_refusal(closed, desk) is None
    assert access.booking_refusal(closed, partner(Scope.BOOK)) is None
    assert access.booking_refusal(SimpleNamespace(portal_enabled=True), partner(Scope.READ)).code is ErrorCode.UNAUTHENTICATED


def test_balances_are_a_clients_own_or_its_clinics_admins():
    record = SimpleNamespace(id=CLIENT, clinic_id=CLINIC)
    assert access.balances_of(client, record) == {"clinic_id": CLINIC, "client_id": CLIENT}
    assert access.balances_of(admin, record) == {"clinic_id": CLINIC, "client_id": CLIENT}
    someone_else = Principal(kind=PrincipalKind.CLIENT, clinic_id=CLINIC, client_id=uuid.uuid4())
    other_admin = Principal(kind=PrincipalKind.STAFF, clinic_id=OTHER, staff_is_admin=True)
    for stranger in (someone_else, desk, other_admin):
        assert refused(access.balances_of, stranger, record) is ErrorCode.NOT_FOUND  # as if it did not exist
