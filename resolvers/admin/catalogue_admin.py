"""The catalogue as a clinic's administrators keep it: treatments, consent
forms, practitioners, and which practitioner offers which treatment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from models import ConsentForm, Practitioner, PractitionerTreatment, Treatment
from models.db import write_transaction
from resolvers.core import access
from resolvers.core import tenant
from resolvers.core.contact import normalize_email
from resolvers.core.errors import input_field, invalid
from resolvers.core.principal import Principal
from resolvers.core.money import two_places

MAX_PRICE = Decimal("99999999.99")


def _name(value: Any, field: list[str], limit: int = 200) -> str:
    text = (value or "").strip()
    if not 1 <= len(text) <= limit:
        raise invalid(f"Give 1 to {limit} characters.", field)
    return text


def _minutes(value: Any, field: list[str], low: int, high: int) -> int:
    if value is None or not low <= value <= high:
        raise invalid(f"Give a whole number of minutes from {low} to {high}.", field)
    return value


def _price(value: Any, field: list[str]) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    message = "Give a price from 0.00 with at most two decimals, such as 45.00."
    price = two_places(value, field, message)
    if price < 0 or price > MAX_PRICE:
        raise invalid(message, field)
    return price


async def _treatment_fields(clinic_id, changes: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        field = input_field(name)
        if name == "name":
            clean[name] = _name(value, field)
        elif name == "description":
            text = (value or "").strip()
            if len(text) > 5000:
                raise invalid("At most 5000 characters.", field)
            clean[name] = text or None
        elif name == "duration_minutes":
            clean[name] = _minutes(value, field, 5, 12 * 60)
        elif name in ("buffer_before_minutes", "buffer_after_minutes"):
            clean[name] = _minutes(value, field, 0, 240)
        elif name == "price":
            clean[name] = _price(value, field)
        elif name in ("online_bookable", "archived"):
            if value is None:
                raise invalid("Give true or false.", field)
            clean[name] = bool(value)
        elif name == "consent_form_id":
            clean[name] = (await tenant.consent_form(clinic_id, value, field)).id if value else None
        else:
            raise invalid(f"Unknown field {name}.", field)
    return clean


async def create_treatment(principal: Principal, fields: dict[str, Any]) -> Treatment:
    clinic_id = access.require_admin(principal)
    fields = {"buffer_before_minutes": 0, "buffer_after_minutes": 0, "online_bookable": True, **fields}
    for required, label in (("name", "name"), ("duration_minutes", "durationMinutes")):
        if fields.get(required) is None:
            raise invalid("This is needed.", ["input", label])
    clean = await _treatment_fields(clinic_id, fields)
    async with write_transaction():
        treatment = await Treatment.create(clinic_id=clinic_id, **clean)
    return treatment


async def update_treatment(principal: Principal, raw_id: str, changes: dict[str, Any]) -> Treatment:
    """Archiving (`archived: true`) takes it off the portal and out of new
    bookings; its past appointments keep it."""
    clinic_id = access.require_admin(principal)
    treatment = await tenant.any_treatment(clinic_id, raw_id, ["id"])
    clean = await _treatment_fields(clinic_id, changes)
    async with write_transaction():
        if clean:
            await Treatment.filter(id=treatment.id, clinic_id=clinic_id).update(**clean)
    return await Treatment.get(id=treatment.id)


async def set_treatment_practitioners(principal: Principal, raw_id: str, practitioner_ids: list[str]) -> Treatment:
    """Exactly these practitioners offer the treatment from now on."""
    clinic_id = access.require_admin(principal)
    treatment = await tenant.any_treatment(clinic_id, raw_id, ["treatmentId"])
    wanted = []
    for index, pid in enumerate(dict.fromkeys(practitioner_ids)):
        wanted.append((await tenant.any_practitioner(clinic_id, pid, ["practitionerIds", str(index)])).id)
    async with write_transaction():
        await PractitionerTreatment.filter(clinic_id=clinic_id, treatment_id=treatment.id).exclude(
            practitioner_id__in=wanted
        ).delete()
        have = set(
            await PractitionerTreatment.filter(clinic_id=clinic_id, treatment_id=treatment.id).values_list(
                "practitioner_id", flat=True
            )
        )
        for pid in wanted:
            if pid not in have:
                await PractitionerTreatment.create(clinic_id=clinic_id, treatment_id=treatment.id, practitioner_id=pid)
    return treatment


async def admin_treatments(principal: Principal) -> list[Treatment]:
    """Every treatment, archived ones included, for the administrators."""
    clinic_id = access.require_admin(principal)
    return await Treatment.filter(clinic_id=clinic_id).order_by("archived", "name")


# Practitioners (diaries)


async def _practitioner_fields(changes: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "name":
            clean[name] = _name(value, ["input", "name"])
        elif name == "contact_email":
            clean[name] = normalize_email(value, ["input", "contactEmail"]) if value else None
        elif name == "active":
            if value is None:
                raise invalid("Give true or false.", ["input", "active"])
            clean[name] = bool(value)
        else:
            raise invalid(f"Unknown field {name}.", ["input", name])
    return clean


async def create_practitioner(principal: Principal, fields: dict[str, Any]) -> Practitioner:
    clinic_id = access.require_admin(principal)
    if fields.get("name") is None:
        raise invalid("This is needed.", ["input", "name"])
    clean = await _practitioner_fields(fields)
    return await Practitioner.create(clinic_id=clinic_id, **clean)


async def update_practitioner(principal: Principal, raw_id: str, changes: dict[str, Any]) -> Practitioner:
    """`active: false` takes the diary off the portal and out of new bookings;
    appointments already in it stay."""
    clinic_id = access.require_admin(principal)
    practitioner = await tenant.any_practitioner(clinic_id, raw_id, ["id"])
    clean = await _practitioner_fields(changes)
    if clean:
        await Practitioner.filter(id=practitioner.id, clinic_id=clinic_id).update(**clean)
    return await Practitioner.get(id=practitioner.id)


async def admin_practitioners(principal: Principal) -> list[Practitioner]:
    clinic_id = access.require_admin(principal)
    return await Practitioner.filter(clinic_id=clinic_id).order_by("-active", "name")


# Consent forms


def _consent_fields(changes: dict[str, Any], prefix: tuple[str, ...] = ("input",)) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "title":
            clean[name] = _name(value, [*prefix, "title"])
        elif name == "body":
            clean[name] = _name(value, [*prefix, "body"], 50_000)
        else:
            raise invalid(f"Unknown field {name}.", [*prefix, name])
    return clean


async def create_consent_form(principal: Principal, title: str, body: str) -> ConsentForm:
    clinic_id = access.require_admin(principal)
    return await ConsentForm.create(clinic_id=clinic_id, **_consent_fields({"title": title, "body": body}, ()))


async def update_consent_form(principal: Principal, raw_id: str, changes: dict[str, Any]) -> ConsentForm:
    clinic_id = access.require_admin(principal)
    form = await tenant.consent_form(clinic_id, raw_id, ["id"])
    clean = _consent_fields(changes)
    if clean:
        await ConsentForm.filter(id=form.id, clinic_id=clinic_id).update(**clean)
    return await ConsentForm.get(id=form.id)


async def delete_consent_form(principal: Principal, raw_id: str) -> None:
    """Treatments that linked it no longer ask for a consent form."""
    clinic_id = access.require_admin(principal)
    form = await tenant.consent_form(clinic_id, raw_id, ["id"])
    async with write_transaction():
        await Treatment.filter(clinic_id=clinic_id, consent_form_id=form.id).update(consent_form_id=None)
        await ConsentForm.filter(id=form.id, clinic_id=clinic_id).delete()


async def consent_forms(principal: Principal) -> list[ConsentForm]:
    clinic_id = access.require_admin(principal)
    return await ConsentForm.filter(clinic_id=clinic_id).order_by("title")
