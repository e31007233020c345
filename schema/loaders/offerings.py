"""Who offers a treatment, and what a practitioner offers: from what the
process keeps of each clinic."""

from __future__ import annotations

import uuid
from functools import partial

from strawberry.dataloader import DataLoader

from models import Practitioner, Treatment
from resolvers.booking import catalogue
from resolvers.core import tenant
from resolvers.core.clinic_cache import ClinicCache


class PractitionersByTreatmentLoader(DataLoader[tenant.Key, list[Practitioner]]):
    """Keys are (clinic, treatment)."""

    def __init__(self, cache: ClinicCache) -> None:
        super().__init__(load_fn=partial(catalogue.practitioners_by_treatment, cache))


class TreatmentsByPractitionerLoader(DataLoader[tuple[uuid.UUID, uuid.UUID, bool], list[Treatment]]):
    """Keys are (clinic, practitioner, online-bookable only)."""

    def __init__(self, cache: ClinicCache) -> None:
        super().__init__(load_fn=partial(catalogue.treatments_by_practitioner, cache))
