"""A clinic's staff users, kept by its administrators: roles, the diary a
practitioner-role user is linked to, passwords, deactivation."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError

from models import Clinic, Credential, StaffRole, StaffUser
from models.db import write_transaction
from resolvers.account import credentials
from resolvers.core import access
from resolvers.core import tenant
from resolvers.account.auth import staff_password_hash
from resolvers.core.runtime import Runtime
from resolvers.core.contact import normalize_email
from resolvers.core.errors import input_field, invalid
from resolvers.core.principal import Principal
from resolvers.admin.staff_invites import NO_PASSWORD, Invite, issue_invite

async def _fields(rt: Runtime, clinic_id, changes: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        field = input_field(name)
        if name == "email":
            clean[name] = normalize_email(value or "", field)
        elif name == "full_name":
            text = (value or "").strip()
            if not 1 <= len(text) <= 200:
                raise invalid("Give 1 to 200 characters.", field)
            clean[name] = text
        elif name == "role":
            if value is None:
                raise invalid("Give a role.", field)
            clean[name] = StaffRole(value)
        elif name == "practitioner_id":
            clean[name] = (await tenant.any_practitioner(clinic_id, value, field)).id if value else None
        elif name == "active":
            if value is None:
                raise invalid("Give true or false.", field)
            clean[name] = bool(value)
        elif name == "password":
            clean["password_hash"] = await staff_password_hash(rt, value, field)
        else:
            raise invalid(f"Unknown field {name}.", field)
    return clean


def _role_needs_diary(role: StaffRole, practitioner_id) -> None:
    if role is StaffRole.PRACTITIONER and practitioner_id is None:
        raise invalid("A practitioner-role user is linked to a practitioner's diary.", ["input", "practitionerId"])


async def create_staff_user(rt: Runtime, principal: Principal, fields: dict[str, Any]) -> tuple[StaffUser, Invite | None]:
    """With a password the user can sign in at once; without one they get
    an invitation to choose it (returned once, to be passed on)."""
    clinic_id = access.require_admin(principal)
    for required, label in (("email", "email"), ("full_name", "fullName")):
        if fields.get(required) is None:
            raise invalid("This is needed.", ["input", label])
    fields = {k: v for k, v in fields.items() if not (k == "password" and v is None)}
    clean = await _fields(rt, clinic_id, {"role": StaffRole.ADMIN, **fields})
    _role_needs_diary(clean["role"], clean.get("practitioner_id"))
    invited = "password_hash" not in clean
    if invited:
        clean["password_hash"] = NO_PASSWORD
    try:
        async with write_transaction():
            user = await StaffUser.create(clinic_id=clinic_id, **clean)
            invite = await issue_invite(rt, clinic_id, user.id) if invited else None
    except IntegrityError:
        raise invalid("A staff user with this e-mail already exists.", ["input", "email"]) from None
    return user, invite


async def update_staff_user(rt: Runtime, principal: Principal, raw_id: str, changes: dict[str, Any]) -> StaffUser:
    """A deactivated user's sessions stop working at once; a new password
    signs out their other sessions."""
    clinic_id = access.require_admin(principal)
    user = await tenant.staff_user(clinic_id, raw_id, ["id"])
    clean = await _fields(rt, clinic_id, changes)
    role = clean.get("role", user.role)
    _role_needs_diary(role, clean.get("practitioner_id", user.practitioner_id))
    try:
        async with write_transaction():
            # Changes to a clinic's staff take turns: two admins demoting each
            # other at once would each still count the other.
            await Clinic.select_for_update().get(id=clinic_id)
            locked = await StaffUser.select_for_update().get(id=user.id)
            if locked.role is StaffRole.ADMIN and locked.active and (role is not StaffRole.ADMIN or not clean.get("active", True)):
                others = await StaffUser.filter(
                    clinic_id=clinic_id, role=StaffRole.ADMIN, active=True
                ).exclude(id=user.id).count()
                if others == 0:
                    raise invalid("The clinic's last active administrator stays an active administrator.", ["id"])
            if clean:
                await StaffUser.filter(id=user.id, clinic_id=clinic_id).update(**clean)
            if "password_hash" in clean or clean.get("active") is False:
                keep = principal.credential_id if principal.staff_id == user.id else None
                await credentials.revoke_where(Credential.filter(staff_id=user.id).exclude(id=keep))
    except IntegrityError:
        raise invalid("A staff user with this e-mail already exists.", ["input", "email"]) from None
    return await StaffUser.get(id=user.id)


async def staff_users(principal: Principal) -> list[StaffUser]:
    clinic_id = access.require_admin(principal)
    return await StaffUser.filter(clinic_id=clinic_id).order_by("-active", "full_name")
