"""A clinic's public face: the clinic by slug, and its treatments and
practitioners as a given caller may see them."""

from __future__ import annotations

from models import Clinic, Practitioner, Treatment
from resolvers.core import access
from resolvers.core import tenant
from resolvers.core.principal import Principal


async def clinic_by_slug(slug: str) -> Clinic | None:
    """Public: any caller may read any portal's face."""
    return await Clinic.get_or_none(slug=slug)


async def insider_clinic(principal: Principal) -> Clinic | None:
    """The clinic of a staff session or partner key (the calendar page's
    time zone and practitioners); None for anyone else."""
    clinic_id = access.insider_clinic_id(principal)
    return await Clinic.get_or_none(id=clinic_id) if clinic_id else None


async def treatments(principal: Principal, clinic: Clinic) -> list[Treatment]:
    """Online-bookable treatments; all of them for the clinic's own staff
    and partners."""
    query = tenant.treatments(clinic.id)
    if not access.is_insider(principal, clinic.id):
        query = query.filter(online_bookable=True)
    return await query.order_by("name")


async def practitioners(clinic: Clinic) -> list[Practitioner]:
    return await tenant.practitioners(clinic.id).order_by("name")
