"""A clinic's practitioners, treatments, consent forms, clients and recurring
series by (clinic, id):
one by-(clinic, id) read per table, one query per clinic. Practitioners and
treatments come from what the process keeps of the clinic when the request
has the runtime's cache (resolvers/booking/catalogue.py)."""

from __future__ import annotations

from functools import partial

from strawberry.dataloader import DataLoader

from models import AppointmentSeries, Client, ConsentForm, Practitioner, Treatment
from resolvers.booking import catalogue
from resolvers.core import tenant
from resolvers.core.clinic_cache import ClinicCache


def _load(model: type, kind: str, cache: ClinicCache | None):
    return partial(catalogue.rows_by_key, cache, kind) if cache else partial(tenant.rows_by_key, model)


class PractitionerLoader(DataLoader[tenant.Key, Practitioner | None]):
    def __init__(self, cache: ClinicCache | None = None) -> None:
        super().__init__(load_fn=_load(Practitioner, "practitioners", cache))


class TreatmentLoader(DataLoader[tenant.Key, Treatment | None]):
    def __init__(self, cache: ClinicCache | None = None) -> None:
        super().__init__(load_fn=_load(Treatment, "treatments", cache))


class ConsentFormLoader(DataLoader[tenant.Key, ConsentForm | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=partial(tenant.rows_by_key, ConsentForm))


class ClientLoader(DataLoader[tenant.Key, Client | None]):
    """Whom appointments are for: a calendar's clients in one query."""

    def __init__(self) -> None:
        super().__init__(load_fn=partial(tenant.rows_by_key, Client))


class SeriesLoader(DataLoader[tenant.Key, AppointmentSeries | None]):
    """How the series of a diary's appointments repeat, in one query."""

    def __init__(self) -> None:
        super().__init__(load_fn=partial(tenant.rows_by_key, AppointmentSeries))
