"""A clinic's practitioners, treatments, consent forms, clients and recurring
series by (clinic, id):
one by-(clinic, id) read per table, one query per clinic."""

from __future__ import annotations

from functools import partial

from strawberry.dataloader import DataLoader

from models import AppointmentSeries, Client, ConsentForm, Practitioner, Treatment
from resolvers.core import tenant


class PractitionerLoader(DataLoader[tenant.Key, Practitioner | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=partial(tenant.rows_by_key, Practitioner))


class TreatmentLoader(DataLoader[tenant.Key, Treatment | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=partial(tenant.rows_by_key, Treatment))


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
