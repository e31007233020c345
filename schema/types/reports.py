"""The seven reports, as staff and partner integrations read them. A
`Reports` object names the range; each report is worked out only when its
field is asked for."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import strawberry

from models import AppointmentSource as AppointmentSourceValues
from resolvers import reports as report_range
from resolvers.reports import bookings, cancellations, payments, popularity, retention, revenue, staff
from schema.context import Info
from schema.types.catalogue import Practitioner, Treatment
from schema.types.common import Money
from schema.types.payments import PaymentMethod

AppointmentSource = strawberry.enum(AppointmentSourceValues, name="AppointmentSource")


class CancelledByValues(StrEnum):
    CLIENT = "CLIENT"
    STAFF = "STAFF"
    PARTNER = "PARTNER"


CancelledBy = strawberry.enum(CancelledByValues, name="CancelledBy")


async def _treatment(info: Info, clinic_id, treatment_id) -> Treatment:
    return Treatment(model=await info.context.loaders.treatment.load((clinic_id, treatment_id)))


async def _practitioner(info: Info, clinic_id, practitioner_id) -> Practitioner:
    return Practitioner(model=await info.context.loaders.practitioner.load((clinic_id, practitioner_id)))


@strawberry.type
class DayRevenue:
    day: date
    appointments: int
    amount: Money


@strawberry.type
class TreatmentRevenue:
    line: strawberry.Private[revenue.NamedRevenue]
    clinic_id: strawberry.Private[object]
    appointments: int
    amount: Money

    @strawberry.field
    async def treatment(self, info: Info) -> Treatment:
        return await _treatment(info, self.clinic_id, self.line.id)


@strawberry.type
class PractitionerRevenue:
    line: strawberry.Private[revenue.NamedRevenue]
    clinic_id: strawberry.Private[object]
    appointments: int
    amount: Money

    @strawberry.field
    async def practitioner(self, info: Info) -> Practitioner:
        return await _practitioner(info, self.clinic_id, self.line.id)


@strawberry.type(description="Price of the appointments completed in the range, dated by their start.")
class RevenueReport:
    total: Money
    appointments: int
    by_day: list[DayRevenue] = strawberry.field(description="Only days with revenue, in order.")
    by_treatment: list[TreatmentRevenue]
    by_practitioner: list[PractitionerRevenue]

    @classmethod
    def of(cls, r: report_range.ReportRange, found: revenue.Revenue) -> RevenueReport:
        money = lambda amount: Money.of(amount, r.currency)  # noqa: E731
        return cls(
            total=money(found.total.amount),
            appointments=found.total.appointments,
            by_day=[DayRevenue(day=d.day, appointments=d.appointments, amount=money(d.amount)) for d in found.by_day],
            by_treatment=[
                TreatmentRevenue(line=t, clinic_id=r.clinic_id, appointments=t.appointments, amount=money(t.amount))
                for t in found.by_treatment
            ],
            by_practitioner=[
                PractitionerRevenue(line=p, clinic_id=r.clinic_id, appointments=p.appointments, amount=money(p.amount))
                for p in found.by_practitioner
            ],
        )


@strawberry.type
class BookingSourceCount:
    source: AppointmentSource
    bookings: int


@strawberry.type(description="Bookings made in the range (by when they were made); moves counted apart.")
class BookingsReport:
    total: int
    by_source: list[BookingSourceCount]
    rescheduled: int = strawberry.field(description="Appointments moved in the range.")


@strawberry.type
class PaymentTotal:
    method: PaymentMethod | None = strawberry.field(description="Null on the total of every method.")
    payments: int
    taken: Money
    refunds: int
    refunded: Money
    net: Money = strawberry.field(description="Taken less refunded.")

    @classmethod
    def of(cls, line: payments.MethodTotal, currency: str) -> PaymentTotal:
        return cls(
            method=line.method,
            payments=line.payments,
            taken=Money.of(line.taken, currency),
            refunds=line.refunds,
            refunded=Money.of(line.refunded, currency),
            net=Money.of(line.net, currency),
        )


@strawberry.type(description="Payments taken and refunds given in the range, by the payment's method.")
class PaymentsReport:
    total: PaymentTotal
    by_method: list[PaymentTotal]


@strawberry.type
class StaffPerformance:
    line: strawberry.Private[staff.StaffLine]
    clinic_id: strawberry.Private[object]
    appointments: int = strawberry.field(description="Not cancelled, starting in the range.")
    completed: int
    no_shows: int
    revenue: Money
    booked_minutes: int
    rostered_minutes: int
    utilisation: float | None = strawberry.field(description="Booked over rostered minutes; null when not rostered.")

    @strawberry.field
    async def practitioner(self, info: Info) -> Practitioner:
        return await _practitioner(info, self.clinic_id, self.line.practitioner_id)


@strawberry.type
class TreatmentPopularity:
    line: strawberry.Private[popularity.TreatmentCount]
    clinic_id: strawberry.Private[object]
    bookings: int
    share: float = strawberry.field(description="Of all the range's appointments, 0 to 1.")

    @strawberry.field
    async def treatment(self, info: Info) -> Treatment:
        return await _treatment(info, self.clinic_id, self.line.treatment_id)


@strawberry.type
class ClientRetentionReport:
    clients_seen: int
    new_clients: int = strawberry.field(description="Their first appointment ever is in the range.")
    returning_clients: int
    completed_clients: int = strawberry.field(description="Clients with a completed appointment in the range.")
    rebooked_clients: int = strawberry.field(description="Of those, who have another appointment after it.")
    rebooking_rate: float | None


@strawberry.type
class CancellationsBy:
    by: CancelledBy
    cancellations: int


@strawberry.type
class NoticeBucket:
    min_hours: int | None = strawberry.field(description="Inclusive; null: no lower bound (after the start).")
    max_hours: int | None = strawberry.field(description="Exclusive; null: no upper bound.")
    cancellations: int


@strawberry.type(description="Cancellations of appointments due to start in the range; moves counted apart.")
class CancellationsReport:
    appointments: int
    cancellations: int
    rate: float | None
    rescheduled: int
    slots_reopened: int = strawberry.field(description="Cancelled before the start: the time went back on sale.")
    within_notice_period: int = strawberry.field(description="Cancelled with less notice than the clinic asks.")
    average_notice_hours: float | None
    median_notice_hours: float | None
    by_whom: list[CancellationsBy]
    notice: list[NoticeBucket]


@strawberry.type(description="The reports over local dates `from`..`to` (inclusive) in the clinic's time zone.")
class Reports:
    range: strawberry.Private[report_range.ReportRange]

    @strawberry.field(name="from")
    def from_(self) -> date:
        return self.range.first

    @strawberry.field
    def to(self) -> date:
        return self.range.last

    @strawberry.field
    def timezone(self) -> str:
        return self.range.timezone

    @strawberry.field
    def currency(self) -> str:
        return self.range.currency

    @strawberry.field
    async def revenue(self) -> RevenueReport:
        return RevenueReport.of(self.range, await revenue.revenue(self.range))

    @strawberry.field
    async def bookings(self) -> BookingsReport:
        found = await bookings.bookings(self.range)
        by_source = [BookingSourceCount(source=s.source, bookings=s.bookings) for s in found.by_source]
        return BookingsReport(total=found.total, by_source=by_source, rescheduled=found.rescheduled)

    @strawberry.field
    async def payments(self) -> PaymentsReport:
        found = await payments.payments(self.range)
        currency = self.range.currency
        return PaymentsReport(
            total=PaymentTotal.of(found.total, currency),
            by_method=[PaymentTotal.of(m, currency) for m in found.by_method],
        )

    @strawberry.field
    async def staff_performance(self) -> list[StaffPerformance]:
        return [
            StaffPerformance(
                line=line,
                clinic_id=self.range.clinic_id,
                appointments=line.appointments,
                completed=line.completed,
                no_shows=line.no_shows,
                revenue=Money.of(line.revenue, self.range.currency),
                booked_minutes=line.booked_minutes,
                rostered_minutes=line.rostered_minutes,
                utilisation=line.utilisation,
            )
            for line in await staff.staff_performance(self.range)
        ]

    @strawberry.field
    async def treatment_popularity(self) -> list[TreatmentPopularity]:
        return [
            TreatmentPopularity(line=line, clinic_id=self.range.clinic_id, bookings=line.bookings, share=line.share)
            for line in await popularity.treatment_popularity(self.range)
        ]

    @strawberry.field
    async def client_retention(self) -> ClientRetentionReport:
        found = await retention.retention(self.range)
        return ClientRetentionReport(
            clients_seen=found.clients_seen,
            new_clients=found.new_clients,
            returning_clients=found.returning_clients,
            completed_clients=found.completed_clients,
            rebooked_clients=found.rebooked_clients,
            rebooking_rate=found.rebooking_rate,
        )

    @strawberry.field
    async def cancellations(self) -> CancellationsReport:
        found = await cancellations.cancellations(self.range)
        return CancellationsReport(
            appointments=found.appointments,
            cancellations=found.cancellations,
            rate=found.rate,
            rescheduled=found.rescheduled,
            slots_reopened=found.slots_reopened,
            within_notice_period=found.within_notice_period,
            average_notice_hours=found.average_notice_hours,
            median_notice_hours=found.median_notice_hours,
            by_whom=[CancellationsBy(by=CancelledByValues(k), cancellations=v) for k, v in found.by_whom.items()],
            notice=[NoticeBucket(min_hours=b.min_hours, max_hours=b.max_hours, cancellations=b.cancellations) for b in found.notice],
        )


@strawberry.type
class ReportsQuery:
    @strawberry.field(description="Admin staff and partner keys with the admin scope: the clinic's reports.")
    async def reports(
        self, info: Info, from_: Annotated[date, strawberry.argument(name="from")], to: date
    ) -> Reports:
        return Reports(range=await report_range.open_range(info.context.principal, from_, to))
