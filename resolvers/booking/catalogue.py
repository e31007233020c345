"""A clinic's public face: the clinic by slug, and its treatments and
practitioners as a given caller may see them, from what the process keeps
of the clinic (resolvers/core/clinic_cache.py): no statement but the
request's one check that nothing changed."""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Sequence

from models import Clinic, Practitioner, Treatment
from resolvers.core import access
from resolvers.core import tenant
from resolvers.core.clinic_cache import ClinicCache, ClinicFacts
from resolvers.core.principal import Principal


async def clinic_by_slug(cache: ClinicCache, slug: str) -> Clinic | None:
    """Public: any caller may read any portal's face."""
    facts = await cache.facts_by_slug(slug)
    return facts.clinic if facts else None


async def insider_clinic(principal: Principal) -> Clinic | None:
    """The clinic of a staff session or partner key (the calendar page's
    time zone and practitioners); None for anyone else."""
    clinic_id = access.insider_clinic_id(principal)
    return await Clinic.get_or_none(id=clinic_id) if clinic_id else None


async def treatments(cache: ClinicCache, principal: Principal, clinic: Clinic) -> list[Treatment]:
    """Online-bookable treatments; all of them for the clinic's own staff
    and partners (archived ones never), by name."""
    facts = await cache.facts(clinic.id)
    insider = access.is_insider(principal, clinic.id)
    return [t for t in facts.treatments.values() if not t.archived and (insider or t.online_bookable)] if facts else []


async def practitioners(cache: ClinicCache, clinic: Clinic) -> list[Practitioner]:
    """Active practitioners, by name."""
    facts = await cache.facts(clinic.id)
    return [facts.practitioners[pid] for pid in facts.active_practitioners] if facts else []


async def _per_clinic(cache: ClinicCache, keys: Sequence[tuple]) -> dict[uuid.UUID, ClinicFacts | None]:
    return {clinic_id: await cache.facts(clinic_id) for clinic_id in dict.fromkeys(k[0] for k in keys)}


async def practitioners_by_treatment(cache: ClinicCache, keys: list[tenant.Key]) -> list[list[Practitioner]]:
    """Who offers each (clinic, treatment): active practitioners by name."""
    kept = await _per_clinic(cache, keys)
    return [
        [kept[c].practitioners[p] for p in kept[c].offering.get(t, ())] if kept[c] else [] for c, t in keys
    ]


async def treatments_by_practitioner(cache: ClinicCache, keys: list[tuple[uuid.UUID, uuid.UUID, bool]]) -> list[list[Treatment]]:
    """What each practitioner offers (archived treatments left out); keys
    are (clinic, practitioner, online-bookable only)."""
    kept = await _per_clinic(cache, keys)
    found = []
    for clinic_id, practitioner_id, online_only in keys:
        facts = kept[clinic_id]
        offered = [facts.treatments[t] for t in facts.offered_by.get(practitioner_id, ())] if facts else []
        found.append([t for t in offered if t.online_bookable or not online_only])
    return found


async def rows_by_key(cache: ClinicCache, kind: str, keys: list[tenant.Key]) -> list[Hashable | None]:
    """Treatments or practitioners (`kind`) by (clinic, id), archived and
    inactive ones included, as the tenant read by key gives them."""
    kept = await _per_clinic(cache, keys)
    return [getattr(kept[c], kind).get(i) if kept[c] else None for c, i in keys]


async def clinics_by_id(cache: ClinicCache, ids: list[uuid.UUID]) -> list[Clinic | None]:
    kept = await _per_clinic(cache, [(i,) for i in ids])
    return [kept[i].clinic if kept[i] else None for i in ids]
