"""Merging a duplicate client carries everything it holds: balances,
loyalty points, consent requests, payments and the SMS still to send."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from models import (
    Actor,
    Appointment,
    AppointmentStatus,
    Client,
    ConsentRequest,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    LoyaltyCard,
    LoyaltyProgramme,
    OutboxMessage,
    PasswordResetToken,
    Payment,
    utcnow,
)
from resolvers.notifications.outbox import enqueue
from resolvers.demo.balances import POINTS_PER_VISIT
from tests.conftest import staff_token
from tests.billing.test_balances import HOLDINGS
from tests.admin.test_staff_desk import MERGE, _appointment


async def test_a_merge_adds_up_balances_and_loyalty_points_and_moves_consent_payments_and_pending_sms(api, demo):
    d = demo["demo"]
    clinic, duplicate = d.clinic, d.client
    now = utcnow().replace(second=0, microsecond=0)
    keep = await Client.create(clinic=clinic, full_name="Jo Bloggs", phone="+447700900555")
    glow = await LoyaltyProgramme.get(clinic_id=clinic.id, name="Glow Rewards")
    kept_card = await LoyaltyCard.create(clinic=clinic, programme=glow, client=keep)

    def entry(account, **fields) -> LedgerEntry:
        return LedgerEntry(clinic=clinic, client=keep, account=account, kind=LedgerKind.ADJUSTED, reason="Earlier", actor=Actor.SYSTEM, **fields)

    await entry(LedgerAccount.LOYALTY, loyalty_card=kept_card, units=30).save()
    await entry(LedgerAccount.ACCOUNT, amount=Decimal("5.50")).save()

    facial, alex = d.treatments["Facial"], d.practitioners["Alex Morgan"]
    past = await _appointment(clinic, duplicate, alex, facial, now - timedelta(days=20), AppointmentStatus.COMPLETED)
    paid = await Payment.create(
        clinic=clinic, appointment=past, amount=Decimal("40.00"), currency=clinic.currency, method="CARD",
        taken_at=past.start_at, recorded_by="STAFF",
    )
    coming = await _appointment(clinic, duplicate, alex, facial, now + timedelta(days=20))
    consent = await ConsentRequest.create(
        clinic=clinic, appointment=coming, client=duplicate, form_title="Peel consent", form_body="...",
        token_hash="c" * 64, expires_at=coming.start_at,
    )
    theirs = await enqueue(clinic.id, "sms", {"to": "+447700900001", "body": "Reminder", "client_id": str(duplicate.id), "purpose": "reminder"}, due_at=now + timedelta(days=19))
    someone_else = {"to": "+447700900999", "body": "Other", "client_id": None, "purpose": "sign_in_code"}
    other = await enqueue(clinic.id, "sms", someone_else, due_at=now + timedelta(days=1))
    await PasswordResetToken.create(clinic=clinic, client=duplicate, token_hash="r" * 64, expires_at=now + timedelta(hours=1))

    owner = await staff_token(api)
    merged = (await api.data(MERGE, {"k": str(keep.id), "d": str(duplicate.id)}, owner))["mergeClients"]
    assert merged["userErrors"] == []

    # The kept client took the duplicate's e-mail and password, so signs in with them.
    token = await api.sign_in("demo", "client@demo.clinic", "demo-client-pass")
    me = (await api.data(HOLDINGS, token=token))["me"]
    assert me["accountBalance"]["amount"] == "15.50"  # 10.00 welcome credit + 5.50
    # 120 by hand and a completed visit's points on the duplicate's card, + 30
    assert [(c["programme"], c["points"]) for c in me["loyaltyCards"]] == [("Glow Rewards", 120 + POINTS_PER_VISIT + 30)]
    assert [m["sessionsTotal"] for m in me["memberships"]] == [6]
    assert [g["remainingValue"]["amount"] for g in me["giftCards"]] == ["50.00"]
    assert await LoyaltyCard.filter(client_id=keep.id).values_list("id", flat=True) == [kept_card.id]
    assert await LedgerEntry.filter(client_id=duplicate.id).count() == 0

    assert (await ConsentRequest.get(id=consent.id)).client_id == keep.id
    assert (await Appointment.get(id=(await Payment.get(id=paid.id)).appointment_id)).client_id == keep.id
    assert (await OutboxMessage.get(id=theirs.id)).payload["client_id"] == str(keep.id)
    assert (await OutboxMessage.get(id=other.id)).payload == someone_else
    assert await PasswordResetToken.filter(client_id__in=[keep.id, duplicate.id]).count() == 0
    assert await Client.filter(id=duplicate.id).count() == 0


async def test_a_merge_moves_loyalty_cards_of_programmes_the_kept_client_has_no_card_in(api, demo):
    d = demo["demo"]
    keep = await Client.create(clinic=d.clinic, full_name="Keep Me")
    [card] = await LoyaltyCard.filter(client_id=d.client.id)
    owner = await staff_token(api)
    merged = (await api.data(MERGE, {"k": str(keep.id), "d": str(d.client.id)}, owner))["mergeClients"]
    assert merged["userErrors"] == []
    assert await LoyaltyCard.filter(client_id=keep.id).values_list("id", flat=True) == [card.id]
    rows = await LedgerEntry.filter(loyalty_card_id=card.id).order_by("created_at").values_list("units", flat=True)
    assert rows == [120, POINTS_PER_VISIT]
