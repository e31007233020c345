"""A clinic's public face: the clinic by slug, and its treatments and
practitioners as a given caller may see them."""

from __future__ import annotations

import uuid
from collections import defaultdict

from models import Clinic, Practitioner, PractitionerTreatment, Treatment
from resolvers.core import access
from resolvers.core import tenant
from resolvers.core.principal import Principal


async def clinic_by_slug(slug: str) -> Clinic | None:
    """Public: any caller may read any portal's face."""
    return await tenant.find_clinic_by_slug(slug)


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


async def practitioners_by_treatment(keys: list[tenant.Key]) -> list[list[Practitioner]]:
    """Who offers each (clinic, treatment): active practitioners by name."""
    found: dict[tenant.Key, list[Practitioner]] = defaultdict(list)
    for clinic_id, ids in tenant.by_clinic(keys).items():
        links = await PractitionerTreatment.filter(
            clinic_id=clinic_id, treatment_id__in=ids, practitioner__active=True
        ).prefetch_related("practitioner").order_by("practitioner__name")
        for link in links:
            found[(clinic_id, link.treatment_id)].append(link.practitioner)
    return [found.get(k, []) for k in keys]


async def treatments_by_practitioner(keys: list[tuple[uuid.UUID, uuid.UUID, bool]]) -> list[list[Treatment]]:
    """What each practitioner offers; keys are (clinic, practitioner,
    online-bookable only)."""
    found: dict[tuple, list[Treatment]] = defaultdict(list)
    for clinic_id, ids in tenant.by_clinic((c, p) for c, p, _ in keys).items():
        links = await PractitionerTreatment.filter(
            clinic_id=clinic_id, practitioner_id__in=ids, treatment__archived=False
        ).prefetch_related("treatment").order_by("treatment__name")
        for link in links:
            found[(clinic_id, link.practitioner_id, False)].append(link.treatment)
            if link.treatment.online_bookable:
                found[(clinic_id, link.practitioner_id, True)].append(link.treatment)
    return [found.get(k, []) for k in keys]
