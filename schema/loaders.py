"""DataLoaders, built once per request so their caches never cross tenants
or users. Every key carries the clinic, and every query filters by it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from functools import cached_property
from typing import Iterable

from strawberry.dataloader import DataLoader

from models import Clinic, ConsentForm, ConsentRequest, Practitioner, PractitionerTreatment, Treatment
from models.base import TenantModel
from resolvers.booking.consent import ConsentStatus, status_of
from resolvers.billing.payments import payments_by_appointment, refunds_by_payment

Key = tuple[uuid.UUID, uuid.UUID]  # (clinic id, object id)


def _by_clinic(keys: Iterable[Key]) -> dict[uuid.UUID, list[uuid.UUID]]:
    grouped: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for clinic_id, object_id in keys:
        grouped[clinic_id].append(object_id)
    return grouped


async def _clinics(ids: list[uuid.UUID]) -> list[Clinic | None]:
    found = {c.id: c for c in await Clinic.filter(id__in=ids)}
    return [found.get(i) for i in ids]


def _rows(model: type[TenantModel]):
    """Rows of one tenant table by (clinic, id): one query per clinic."""

    async def load(keys: list[Key]) -> list[TenantModel | None]:
        found = {}
        for clinic_id, ids in _by_clinic(keys).items():
            for row in await model.filter(clinic_id=clinic_id, id__in=ids):
                found[(clinic_id, row.id)] = row
        return [found.get(k) for k in keys]

    return load


async def _practitioners_by_treatment(keys: list[Key]) -> list[list[Practitioner]]:
    found: dict[Key, list[Practitioner]] = defaultdict(list)
    for clinic_id, ids in _by_clinic(keys).items():
        links = await PractitionerTreatment.filter(
            clinic_id=clinic_id, treatment_id__in=ids, practitioner__active=True
        ).prefetch_related("practitioner").order_by("practitioner__name")
        for link in links:
            found[(clinic_id, link.treatment_id)].append(link.practitioner)
    return [found.get(k, []) for k in keys]


async def _treatments_by_practitioner(keys: list[tuple[uuid.UUID, uuid.UUID, bool]]) -> list[list[Treatment]]:
    """Keys are (clinic, practitioner, online only)."""
    found: dict[tuple, list[Treatment]] = defaultdict(list)
    for clinic_id, ids in _by_clinic((c, p) for c, p, _ in keys).items():
        links = await PractitionerTreatment.filter(
            clinic_id=clinic_id, practitioner_id__in=ids, treatment__archived=False
        ).prefetch_related("treatment").order_by("treatment__name")
        for link in links:
            found[(clinic_id, link.practitioner_id, False)].append(link.treatment)
            if link.treatment.online_bookable:
                found[(clinic_id, link.practitioner_id, True)].append(link.treatment)
    return [found.get(k, []) for k in keys]


async def _consent_status(keys: list[Key]) -> list[ConsentStatus]:
    """Keys are (clinic, appointment): one query per clinic, however many
    appointments."""
    found: dict[Key, list[str]] = defaultdict(list)
    for clinic_id, ids in _by_clinic(keys).items():
        rows = await ConsentRequest.filter(clinic_id=clinic_id, appointment_id__in=ids).values_list(
            "appointment_id", "status"
        )
        for appointment_id, status in rows:
            found[(clinic_id, appointment_id)].append(status)
    return [status_of(found.get(k, [])) for k in keys]


class Loaders:
    """Each loader is built on first use: a websocket's context, open all
    day, holds none it never used."""

    @cached_property
    def clinic(self) -> DataLoader:
        return DataLoader(_clinics)

    @cached_property
    def practitioner(self) -> DataLoader:
        return DataLoader(_rows(Practitioner))

    @cached_property
    def treatment(self) -> DataLoader:
        return DataLoader(_rows(Treatment))

    @cached_property
    def consent_form(self) -> DataLoader:
        return DataLoader(_rows(ConsentForm))

    @cached_property
    def practitioners_by_treatment(self) -> DataLoader:
        return DataLoader(_practitioners_by_treatment)

    @cached_property
    def treatments_by_practitioner(self) -> DataLoader:
        return DataLoader(_treatments_by_practitioner)

    @cached_property
    def consent_status(self) -> DataLoader:
        return DataLoader(_consent_status)

    @cached_property
    def payments_by_appointment(self) -> DataLoader:
        return DataLoader(payments_by_appointment)

    @cached_property
    def refunds_by_payment(self) -> DataLoader:
        return DataLoader(refunds_by_payment)
