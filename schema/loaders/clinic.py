"""Clinics by id: from what the process keeps of each clinic when the
request has the runtime's cache, else one query."""

from __future__ import annotations

import uuid
from functools import partial

from strawberry.dataloader import DataLoader

from models import Clinic
from resolvers.booking import catalogue
from resolvers.core import tenant
from resolvers.core.clinic_cache import ClinicCache


class ClinicLoader(DataLoader[uuid.UUID, Clinic | None]):
    def __init__(self, cache: ClinicCache | None = None) -> None:
        super().__init__(load_fn=partial(catalogue.clinics_by_id, cache) if cache else tenant.clinics_by_id)
