"""The request's DataLoaders, one typed loader a purpose (a module each
here), built once per request so their caches never cross tenants or users.
Their batch reads are the use cases' own (tenant-scoped, keyed by clinic)."""

from __future__ import annotations

from functools import cached_property

from resolvers.core.clinic_cache import ClinicCache
from schema.loaders.clinic import ClinicLoader
from schema.loaders.consent_status import ConsentStatusLoader
from schema.loaders.loyalty import LoyaltyDiscountLoader
from schema.loaders.memberships import CoveringMembershipLoader
from schema.loaders.offerings import PractitionersByTreatmentLoader, TreatmentsByPractitionerLoader
from schema.loaders.payments import PaymentsByAppointmentLoader, RefundsByPaymentLoader
from schema.loaders.rescheduled import RescheduledToLoader
from schema.loaders.rows import ClientLoader, ConsentFormLoader, PractitionerLoader, SeriesLoader, TreatmentLoader


class Loaders:
    """Each loader is built on first use: a websocket's context, open all
    day, holds none it never used. With the runtime's clinic cache
    (`cache`), clinics, practitioners and treatments come from it; without
    (a live event's rendering), from the database."""

    def __init__(self, cache: ClinicCache | None = None) -> None:
        self.cache = cache

    @cached_property
    def clinic(self) -> ClinicLoader:
        return ClinicLoader(self.cache)

    @cached_property
    def practitioner(self) -> PractitionerLoader:
        return PractitionerLoader(self.cache)

    @cached_property
    def treatment(self) -> TreatmentLoader:
        return TreatmentLoader(self.cache)

    @cached_property
    def client(self) -> ClientLoader:
        return ClientLoader()

    @cached_property
    def consent_form(self) -> ConsentFormLoader:
        return ConsentFormLoader()

    @cached_property
    def practitioners_by_treatment(self) -> PractitionersByTreatmentLoader:
        return PractitionersByTreatmentLoader(self._kept)

    @cached_property
    def treatments_by_practitioner(self) -> TreatmentsByPractitionerLoader:
        return TreatmentsByPractitionerLoader(self._kept)

    @cached_property
    def _kept(self) -> ClinicCache:
        return self.cache or ClinicCache()  # a live event's rendering: kept for that event only

    @cached_property
    def consent_status(self) -> ConsentStatusLoader:
        return ConsentStatusLoader()

    @cached_property
    def covering_membership(self) -> CoveringMembershipLoader:
        return CoveringMembershipLoader()

    @cached_property
    def payments_by_appointment(self) -> PaymentsByAppointmentLoader:
        return PaymentsByAppointmentLoader()

    @cached_property
    def refunds_by_payment(self) -> RefundsByPaymentLoader:
        return RefundsByPaymentLoader()

    @cached_property
    def rescheduled_to(self) -> RescheduledToLoader:
        return RescheduledToLoader()

    @cached_property
    def loyalty_discount(self) -> LoyaltyDiscountLoader:
        return LoyaltyDiscountLoader()

    @cached_property
    def series(self) -> SeriesLoader:
        return SeriesLoader()
