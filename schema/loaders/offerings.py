"""Who offers a treatment, and what a practitioner offers."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from models import Practitioner, Treatment
from resolvers.booking import catalogue
from resolvers.core import tenant


class PractitionersByTreatmentLoader(DataLoader[tenant.Key, list[Practitioner]]):
    """Keys are (clinic, treatment)."""

    def __init__(self) -> None:
        super().__init__(load_fn=catalogue.practitioners_by_treatment)


class TreatmentsByPractitionerLoader(DataLoader[tuple[uuid.UUID, uuid.UUID, bool], list[Treatment]]):
    """Keys are (clinic, practitioner, online-bookable only)."""

    def __init__(self) -> None:
        super().__init__(load_fn=catalogue.treatments_by_practitioner)
