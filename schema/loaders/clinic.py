"""Clinics by id."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from models import Clinic
from resolvers.core import tenant


class ClinicLoader(DataLoader[uuid.UUID, Clinic | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=tenant.clinics_by_id)
