"""Client records as the clinic's staff keep them: search, create, edit,
and merge a duplicate into the record that stays."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from models import (
    Appointment,
    Client,
    Clinic,
    ConsentRequest,
    Credential,
    GiftCard,
    LegalAcceptance,
    LedgerEntry,
    LoyaltyCard,
    Membership,
    OutboxMessage,
    OutboxStatus,
    PasswordResetToken,
    PrefillToken,
)
from models.db import write_transaction
from resolvers.account import credentials
from resolvers.core.runtime import Runtime
from resolvers.core import access
from resolvers.core import ids
from resolvers.core import tenant
from resolvers.core.contact import language_code, normalize_email, normalize_phone, phone_number
from resolvers.core.errors import input_field, invalid
from resolvers.core.principal import Principal, Scope

MAX_PAGE = 100


@dataclass(frozen=True)
class ClientPage:
    items: list[Client]
    total: int
    has_next: bool
    has_previous: bool
    offset: int


def cursor_at(offset: int) -> str:
    return base64.urlsafe_b64encode(f"client:{offset}".encode()).decode()


def _offset(after: str | None) -> int:
    if not after:
        return 0
    try:
        kind, _, raw = base64.urlsafe_b64decode(after.encode()).decode().partition(":")
        if kind == "client" and raw.isdigit():
            return int(raw) + 1
    except (ValueError, UnicodeDecodeError):
        pass
    raise invalid("This cursor is not one this list gave out.", ["after"])


async def search_clients(principal: Principal, text: str | None, first: int | None, after: str | None) -> ClientPage:
    """By any part of the name or e-mail, or the digits of the phone number;
    sorted by name."""
    clinic_id = access.require_client_records(principal, Scope.READ)
    first = 20 if first is None else first
    if not 1 <= first <= MAX_PAGE:
        raise invalid(f"`first` is 1 to {MAX_PAGE}.", ["first"])
    offset = _offset(after)
    query = Client.filter(clinic_id=clinic_id)
    text = (text or "").strip()
    if len(text) > 200:
        raise invalid("At most 200 characters.", ["search"])
    if text:
        match = Q(full_name__icontains=text) | Q(email__icontains=text)
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 3:
            match |= Q(phone__contains=digits)
            # Typed as the clinic's clients say it: 07700 900001 is +447700900001.
            country = await Clinic.filter(id=clinic_id).values_list("country", flat=True)
            if (number := phone_number(text, country[0] if country else None)) is not None:
                match |= Q(phone=number)
            if len(national := digits.lstrip("0")) >= 3 and national != digits:  # a trunk prefix, typed in part
                match |= Q(phone__contains=national)
        query = query.filter(match)
    total = await query.count()
    items = await query.order_by("full_name", "id").offset(offset).limit(first)
    return ClientPage(items, total, offset + len(items) < total, offset > 0, offset)


async def find_client(principal: Principal, raw_id: str) -> Client | None:
    clinic_id = access.require_client_records(principal, Scope.READ)
    ident = ids.parse_id(raw_id)
    return await Client.get_or_none(id=ident, clinic_id=clinic_id) if ident else None


async def _fields(rt: Runtime, clinic: Clinic, changes: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        field = input_field(name)
        if name == "full_name":
            text = (value or "").strip()
            if not 1 <= len(text) <= 200:
                raise invalid("Give 1 to 200 characters.", field)
            clean[name] = text
        elif name == "email":
            clean[name] = normalize_email(value, field) if value else None
        elif name == "phone":
            clean[name] = normalize_phone(value, field, clinic.country) if value else None
        elif name == "language":
            clean[name] = language_code(value, field, rt.settings.supported_languages)
        else:
            raise invalid(f"Unknown field {name}.", field)
    return clean


async def _refuse_taken(clinic_id, clean: dict[str, Any], other_than=None) -> None:
    """A clear error naming the field when another client of the clinic has
    this e-mail or phone (the unique constraints still decide races)."""
    for which in ("email", "phone"):
        if clean.get(which) is None:
            continue
        query = Client.filter(clinic_id=clinic_id, **{which: clean[which]})
        if other_than is not None:
            query = query.exclude(id=other_than)
        if await query.exists():
            raise invalid(f"Another client already has this {which}.", ["input", which])


def _duplicate() -> Exception:
    return invalid("Another client already has this e-mail or phone.", ["input"])


async def create_client(rt: Runtime, principal: Principal, fields: dict[str, Any]) -> Client:
    clinic_id = access.require_client_records(principal, Scope.BOOK)
    clinic = await Clinic.get(id=clinic_id)
    if fields.get("full_name") is None:
        raise invalid("This is needed.", ["input", "fullName"])
    clean = await _fields(rt, clinic, fields)
    try:
        async with write_transaction():
            await _refuse_taken(clinic_id, clean)
            return await Client.create(clinic_id=clinic_id, **clean)
    except IntegrityError:
        raise _duplicate() from None


async def update_client(rt: Runtime, principal: Principal, raw_id: str, changes: dict[str, Any]) -> Client:
    clinic_id = access.require_client_records(principal, Scope.BOOK)
    clinic = await Clinic.get(id=clinic_id)
    found = await tenant.client(clinic_id, raw_id, ["id"])
    clean = await _fields(rt, clinic, changes)
    try:
        async with write_transaction():
            await _refuse_taken(clinic_id, clean, other_than=found.id)
            if clean:
                await Client.filter(id=found.id, clinic_id=clinic_id).update(**clean)
    except IntegrityError:
        raise _duplicate() from None
    return await Client.get(id=found.id)


async def merge_clients(principal: Principal, raw_keep_id: str, raw_duplicate_id: str) -> Client:
    """Everything of the duplicate moves to the client kept, in one
    transaction: appointments (with their payments and what else hangs off
    them), memberships, gift cards, ledger rows, loyalty cards, consent
    requests, accepted documents and the pending SMS that name it; then the duplicate goes. The
    kept record takes the duplicate's e-mail, phone and password where it
    has none. The duplicate's sessions, pre-fill tokens and password-reset
    links end with it."""
    clinic_id = access.require_admin(principal)
    async with write_transaction():
        keep = await tenant.client(clinic_id, raw_keep_id, ["keepId"])
        duplicate = await tenant.client(clinic_id, raw_duplicate_id, ["duplicateId"])
        if keep.id == duplicate.id:
            raise invalid("A client cannot be merged into itself.", ["duplicateId"])
        await Appointment.filter(clinic_id=clinic_id, client_id=duplicate.id).update(client_id=keep.id)
        await _join_loyalty_cards(clinic_id, keep.id, duplicate.id)
        await _join_acceptances(clinic_id, keep.id, duplicate.id)
        for model in MERGE_MOVES:
            await model.filter(clinic_id=clinic_id, client_id=duplicate.id).update(client_id=keep.id)
        await _readdress_pending_sms(clinic_id, keep.id, duplicate.id)
        await PrefillToken.filter(clinic_id=clinic_id, client_id=duplicate.id).delete()
        await PasswordResetToken.filter(clinic_id=clinic_id, client_id=duplicate.id).delete()
        await credentials.revoke_where(Credential.filter(clinic_id=clinic_id, client_id=duplicate.id))
        await Credential.filter(clinic_id=clinic_id, client_id=duplicate.id).delete()
        taken = {
            name: getattr(duplicate, name)
            for name in ("email", "phone", "password_hash")
            if getattr(keep, name) is None and getattr(duplicate, name) is not None
        }
        await Client.filter(id=duplicate.id, clinic_id=clinic_id).delete()
        if taken:
            await Client.filter(id=keep.id, clinic_id=clinic_id).update(**taken)
    return await Client.get(id=keep.id)


async def _join_loyalty_cards(clinic_id, keep_id, duplicate_id) -> None:
    """A client holds one card per programme: where both hold one, the
    duplicate's points and cashback move onto the kept card (its ledger rows
    change card) and the duplicate's card goes; its other cards move with
    MERGE_MOVES."""
    kept = dict(
        await LoyaltyCard.filter(clinic_id=clinic_id, client_id=keep_id).values_list("programme_id", "id")
    )
    for card_id, programme_id in await LoyaltyCard.filter(clinic_id=clinic_id, client_id=duplicate_id).values_list(
        "id", "programme_id"
    ):
        if programme_id in kept:
            await LedgerEntry.filter(clinic_id=clinic_id, loyalty_card_id=card_id).update(
                loyalty_card_id=kept[programme_id], client_id=keep_id
            )
            await LoyaltyCard.filter(id=card_id, clinic_id=clinic_id).delete()


async def _join_acceptances(clinic_id, keep_id, duplicate_id) -> None:
    """The privacy policy and user agreement versions the duplicate accepted
    count for the kept client (one record a version: where both accepted it,
    the kept client's stays)."""
    accepted = await LegalAcceptance.filter(clinic_id=clinic_id, client_id=keep_id).values_list("document_id", flat=True)
    await LegalAcceptance.filter(clinic_id=clinic_id, client_id=duplicate_id, document_id__in=list(accepted)).delete()
    await LegalAcceptance.filter(clinic_id=clinic_id, client_id=duplicate_id).update(client_id=keep_id)


async def _readdress_pending_sms(clinic_id, keep_id, duplicate_id) -> None:
    """SMS not sent yet that name the duplicate name the kept client: the
    number stays, it is where the message was meant to go."""
    pending = await OutboxMessage.filter(clinic_id=clinic_id, kind="sms", status=OutboxStatus.PENDING)
    for message in pending:
        payload = message.payload if isinstance(message.payload, dict) else None
        if payload and payload.get("client_id") == str(duplicate_id):
            await OutboxMessage.filter(id=message.id).update(payload={**payload, "client_id": str(keep_id)})


# Tables that point at a client (`clinic_id`, `client_id` columns): a merge
# carries their rows across. Payments follow their appointments; SMS opt-outs
# and sign-in codes are kept by phone number, not by client.
MERGE_MOVES: list[type] = [Membership, GiftCard, LedgerEntry, LoyaltyCard, ConsentRequest]
