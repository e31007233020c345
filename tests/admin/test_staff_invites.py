"""Staff users invited without a password choose it with a single-use link."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from models import StaffInvite, utcnow
from tests.support.admin import USER_ERRORS, codes
from tests.conftest import staff_token

CREATE = (
    "mutation($input: StaffUserInput!) { createStaffUser(input: $input) {"
    f" staffUser {{ id email }} invite {{ token url expiresAt }} {USER_ERRORS} }} }}"
)
REINVITE = f"mutation($id: ID!) {{ reinviteStaffUser(id: $id) {{ invite {{ token }} {USER_ERRORS} }} }}"
ACCEPT = (
    "mutation($t: String!, $p: String!) { acceptStaffInvite(token: $t, password: $p) {"
    f" session {{ token }} {USER_ERRORS} }} }}"
)
SIGN_IN = 'mutation($p: String!) { staffSignIn(email: "new@demo.clinic", password: $p) { session { token } userErrors { code } } }'


async def _invite(api) -> tuple[str, dict]:
    owner = await staff_token(api)
    created = (await api.data(CREATE, {"input": {"email": "new@demo.clinic", "fullName": "New Admin"}}, owner))["createStaffUser"]
    assert created["userErrors"] == [] and created["invite"]["url"].endswith(created["invite"]["token"])
    return owner, created


async def test_an_invited_user_sets_a_password_once_and_is_signed_in(api, demo):
    _, created = await _invite(api)
    token = created["invite"]["token"]
    stored = await StaffInvite.get(staff_id=created["staffUser"]["id"])
    assert stored.token_hash != token and len(token) >= 43
    # Before accepting, no password signs in.
    assert (await api.data(SIGN_IN, {"p": "!invited"}))["staffSignIn"]["userErrors"] == [{"code": "INVALID_CREDENTIALS"}]
    accepted = (await api.data(ACCEPT, {"t": token, "p": "my-own-password"}))["acceptStaffInvite"]
    assert accepted["userErrors"] == []
    assert (await api.data("{ staffUsers { email } }", None, accepted["session"]["token"]))["staffUsers"]
    again = (await api.data(ACCEPT, {"t": token, "p": "another-password"}))["acceptStaffInvite"]
    assert codes(again) == ["TOKEN_ALREADY_USED"]
    assert (await api.data(SIGN_IN, {"p": "my-own-password"}))["staffSignIn"]["userErrors"] == []


async def test_concurrent_acceptances_of_one_invitation_let_exactly_one_through(api, demo):
    _, created = await _invite(api)
    token = created["invite"]["token"]
    results = await asyncio.gather(*(api.data(ACCEPT, {"t": token, "p": f"password-number-{n}"}) for n in range(4)))
    outcomes = sorted(codes(r["acceptStaffInvite"]) for r in results)
    assert outcomes == [[], ["TOKEN_ALREADY_USED"], ["TOKEN_ALREADY_USED"], ["TOKEN_ALREADY_USED"]]


async def test_unknown_expired_and_replaced_invitations_are_refused(api, demo):
    owner, created = await _invite(api)
    assert codes((await api.data(ACCEPT, {"t": "not-a-token", "p": "long-enough-1"}))["acceptStaffInvite"]) == ["TOKEN_INVALID"]
    first = created["invite"]["token"]
    second = (await api.data(REINVITE, {"id": created["staffUser"]["id"]}, owner))["reinviteStaffUser"]["invite"]["token"]
    assert codes((await api.data(ACCEPT, {"t": first, "p": "long-enough-1"}))["acceptStaffInvite"]) == ["TOKEN_ALREADY_USED"]
    await StaffInvite.filter(used_at=None).update(expires_at=utcnow() - timedelta(minutes=1))
    assert codes((await api.data(ACCEPT, {"t": second, "p": "long-enough-1"}))["acceptStaffInvite"]) == ["TOKEN_EXPIRED"]
    short = (await api.data(ACCEPT, {"t": second, "p": "short"}))["acceptStaffInvite"]
    assert codes(short) == ["INVALID_INPUT"]


async def test_another_clinic_cannot_reinvite_this_clinics_staff(api, demo):
    _, created = await _invite(api)
    northside = await staff_token(api, "northside")
    assert codes((await api.data(REINVITE, {"id": created["staffUser"]["id"]}, northside))["reinviteStaffUser"]) == ["NOT_FOUND"]
