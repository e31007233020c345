"""The seven reports, as staff and partner integrations read them. A
`Reports` object names the range; each report is worked out only when its
field is asked for. Each type's description is the report's definition."""

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


@strawberry.type(description="One local day of the revenue report.")
class DayRevenue:
    day: date
    appointments: int = strawberry.field(description="Visits completed that day (by their start).")
    amount: Money = strawberry.field(description="List value: the price of the visits completed that day.")
    money_taken: Money = strawberry.field(description="Payments taken that day less refunds given that day.")


@strawberry.type(description="List value of one treatment's visits completed in the range.")
class TreatmentRevenue:
    line: strawberry.Private[revenue.NamedRevenue]
    clinic_id: strawberry.Private[object]
    appointments: int = strawberry.field(description="Visits of this treatment completed in the range.")
    amount: Money = strawberry.field(description="Their price (list value).")

    @strawberry.field
    async def treatment(self, info: Info) -> Treatment:
        return await _treatment(info, self.clinic_id, self.line.id)


@strawberry.type(description="List value of one practitioner's visits completed in the range.")
class PractitionerRevenue:
    line: strawberry.Private[revenue.NamedRevenue]
    clinic_id: strawberry.Private[object]
    appointments: int = strawberry.field(description="Visits with this practitioner completed in the range.")
    amount: Money = strawberry.field(description="Their price (list value).")

    @strawberry.field
    async def practitioner(self, info: Info) -> Practitioner:
        return await _practitioner(info, self.clinic_id, self.line.id)


@strawberry.type(
    description=(
        "Revenue, two figures side by side. Money taken (`moneyTaken`, `byMethod`): payments taken in the range"
        " less refunds given in it, each dated by when the money moved, in the clinic's time zone; what the"
        " clinic has. List value (`listValue`, `appointments`, `byTreatment`, `byPractitioner`): the price of"
        " the visits completed in the range (appointments starting in it with status COMPLETED), paid for or"
        " not; no-shows, cancellations and visits still to come are not in it."
    )
)
class RevenueReport:
    money_taken: Money = strawberry.field(description="Payments taken in the range less refunds given in it.")
    by_method: list[PaymentTotal] = strawberry.field(
        description="Money taken by the payment's method: taken, refunded and net; every method, zeros included."
    )
    list_value: Money = strawberry.field(description="Price of the visits completed in the range.")
    appointments: int = strawberry.field(description="Visits completed in the range.")
    total: Money = strawberry.field(
        description="List value of the visits completed in the range.",
        deprecation_reason="Use `listValue` (the same figure), beside `moneyTaken`.",
    )
    by_day: list[DayRevenue] = strawberry.field(
        description="Local days on which a visit was completed or money moved, in order."
    )
    by_treatment: list[TreatmentRevenue] = strawberry.field(description="List value by treatment, largest first.")
    by_practitioner: list[PractitionerRevenue] = strawberry.field(
        description="List value by practitioner, largest first."
    )

    @classmethod
    def of(cls, r: report_range.ReportRange, found: revenue.Revenue) -> RevenueReport:
        money = lambda amount: Money.of(amount, r.currency)  # noqa: E731
        return cls(
            money_taken=money(found.taken.total.net),
            by_method=[PaymentTotal.of(m, r.currency) for m in found.taken.by_method],
            list_value=money(found.total.amount),
            total=money(found.total.amount),
            appointments=found.total.appointments,
            by_day=[
                DayRevenue(day=d.day, appointments=d.appointments, amount=money(d.amount), money_taken=money(d.taken))
                for d in found.by_day
            ],
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


@strawberry.type(
    description=(
        "Bookings made in the range, dated by when they were made (in the clinic's time zone), by where they"
        " came from. A booking later cancelled still counts; a move is not a new booking and is counted apart."
    )
)
class BookingsReport:
    total: int = strawberry.field(description="Bookings made in the range, moves left out.")
    by_source: list[BookingSourceCount] = strawberry.field(description="Every source, zeros included.")
    rescheduled: int = strawberry.field(description="Appointments moved in the range.")


@strawberry.type(description="Money taken and given back with one payment method (or all of them).")
class PaymentTotal:
    method: PaymentMethod | None = strawberry.field(description="Null on the total of every method.")
    payments: int = strawberry.field(description="Payments taken in the range.")
    taken: Money = strawberry.field(description="Their sum.")
    refunds: int = strawberry.field(description="Refunds given in the range (of payments taken then or before).")
    refunded: Money = strawberry.field(description="Their sum.")
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


@strawberry.type(
    description=(
        "Payments taken in the range (dated by when they were taken) and refunds given in it (dated by when"
        " they were given), in the clinic's time zone, by the payment's method. Net is taken less refunded."
    )
)
class PaymentsReport:
    total: PaymentTotal = strawberry.field(description="Every method together.")
    by_method: list[PaymentTotal] = strawberry.field(description="Every method, zeros included.")


@strawberry.type(
    description=(
        "One practitioner over the range: appointments starting in it and not cancelled (completed, missed,"
        " or still to come), the list value of the completed ones, and booked minutes (the appointments' own"
        " length) over rostered minutes (weekly hours with their exceptions, in real minutes across clock"
        " changes). Active practitioners are listed even with nothing booked."
    )
)
class StaffPerformance:
    line: strawberry.Private[staff.StaffLine]
    clinic_id: strawberry.Private[object]
    appointments: int = strawberry.field(description="Not cancelled, starting in the range.")
    completed: int = strawberry.field(description="Of those, COMPLETED.")
    no_shows: int = strawberry.field(description="Of those, NO_SHOW.")
    revenue: Money = strawberry.field(description="Price of the completed ones (list value, as in the revenue report).")
    booked_minutes: int = strawberry.field(description="Length of the appointments, buffers left out.")
    rostered_minutes: int = strawberry.field(description="Working time on the roster over the range.")
    utilisation: float | None = strawberry.field(
        description="Booked over rostered minutes (may pass 1 with extra work); null when not rostered."
    )

    @strawberry.field
    async def practitioner(self, info: Info) -> Practitioner:
        return await _practitioner(info, self.clinic_id, self.line.practitioner_id)


@strawberry.type(
    description=(
        "One treatment's visits that took place in the range: appointments starting in it with status"
        " COMPLETED. No-shows, cancellations and bookings not yet attended are not counted. Most visits first."
    )
)
class TreatmentPopularity:
    line: strawberry.Private[popularity.TreatmentCount]
    clinic_id: strawberry.Private[object]
    visits: int = strawberry.field(description="Completed visits of this treatment in the range.")
    bookings: int = strawberry.field(
        description="The same as `visits`.", deprecation_reason="Use `visits`: only completed visits are counted."
    )
    share: float = strawberry.field(description="Of all the completed visits in the range, 0 to 1.")

    @strawberry.field
    async def treatment(self, info: Info) -> Treatment:
        return await _treatment(info, self.clinic_id, self.line.treatment_id)


@strawberry.type(
    description=(
        "Clients with an appointment in the range that was not cancelled (a no-show counts: they were"
        " expected), new or returning, and of those who completed a visit in the range, who booked again."
    )
)
class ClientRetentionReport:
    clients_seen: int = strawberry.field(description="Clients with an appointment in the range, not cancelled.")
    new_clients: int = strawberry.field(description="Their first appointment ever is in the range.")
    returning_clients: int = strawberry.field(description="They had an appointment before the range.")
    completed_clients: int = strawberry.field(description="Clients with a completed appointment in the range.")
    rebooked_clients: int = strawberry.field(
        description="Of those, who have another appointment, not cancelled, after their first completed one."
    )
    rebooking_rate: float | None = strawberry.field(description="Rebooked over completed clients; null when none.")


@strawberry.type
class CancellationsBy:
    by: CancelledBy
    cancellations: int


@strawberry.type
class NoticeBucket:
    min_hours: int | None = strawberry.field(description="Inclusive; null: no lower bound (after the start).")
    max_hours: int | None = strawberry.field(description="Exclusive; null: no upper bound.")
    cancellations: int


@strawberry.type(
    description=(
        "Cancellations of appointments due to start in the range, with the notice given (hours from the"
        " cancellation to the start; negative when cancelled after it) and who cancelled. An appointment a"
        " move replaced is not a cancellation: it is counted as `rescheduled` and left out of the rate."
    )
)
class CancellationsReport:
    appointments: int = strawberry.field(description="Appointments due to start in the range, moves left out.")
    cancellations: int
    rate: float | None = strawberry.field(description="Cancellations over appointments; null when none were due.")
    rescheduled: int = strawberry.field(description="Appointments due in the range that a move replaced.")
    slots_reopened: int = strawberry.field(description="Cancelled before the start: the time went back on sale.")
    within_notice_period: int = strawberry.field(description="Cancelled with less notice than the clinic asks.")
    average_notice_hours: float | None = strawberry.field(description="Null when nothing was cancelled.")
    median_notice_hours: float | None = strawberry.field(description="Null when nothing was cancelled.")
    by_whom: list[CancellationsBy]
    notice: list[NoticeBucket] = strawberry.field(description="How much notice was given, in buckets of hours.")


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
            TreatmentPopularity(
                line=line, clinic_id=self.range.clinic_id, visits=line.visits, bookings=line.visits, share=line.share
            )
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
