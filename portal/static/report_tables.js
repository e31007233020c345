// The seven reports as tables: the API's answer turned into columns and
// rows, which the page draws as a chart, lists as a table and offers as
// CSV, so all three always show the same figures.
//
// A column is { label, kind }: kind "text", "int", "money" (an amount
// string such as "45.00"), "ratio" (0 to 1) or "hours". `chart` names the
// column of the labels and the columns drawn.

import { money } from "./dom.js";

// The documents: QUERY (the seven reports) and DEFINITIONS (the schema's
// own definition of each, shown beside its chart).
export { Reports as QUERY, Definitions as DEFINITIONS } from "./graphql/reports.js";

const words = (value) => value.toLowerCase().replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());

function bucket({ minHours, maxHours }) {
  if (minHours === null) return `After the start`;
  if (maxHours === null) return `${minHours} h or more`;
  return `${minHours}–${maxHours} h`;
}

// Every date from `first` to `last` (YYYY-MM-DD), so quiet days show as zero.
function datesOf(first, last) {
  const dates = [];
  for (let d = new Date(`${first}T12:00:00Z`); d.toISOString().slice(0, 10) <= last; d.setUTCDate(d.getUTCDate() + 1)) {
    dates.push(d.toISOString().slice(0, 10));
  }
  return dates;
}

export function tables(r) {
  const c = r.currency;
  const m = (amount) => money({ amount, currency: c });
  const days = new Map(r.revenue.byDay.map((d) => [d.day, d]));
  return [
    {
      key: "revenue",
      title: "Revenue",
      type: "RevenueReport",
      summary: `Money taken ${m(r.revenue.moneyTaken.amount)}; list value of ${r.revenue.appointments} completed visits ${m(r.revenue.listValue.amount)}.`,
      columns: [
        { label: "Day", kind: "text" },
        { label: `Money taken (${c})`, kind: "money" },
        { label: `List value of completed visits (${c})`, kind: "money" },
        { label: "Completed visits", kind: "int" },
      ],
      rows: datesOf(r.from, r.to).map((day) => {
        const d = days.get(day);
        return [day, d ? d.moneyTaken.amount : "0.00", d ? d.amount.amount : "0.00", d ? d.appointments : 0];
      }),
      chart: { type: "bar", labels: 0, series: [1, 2] },
    },
    {
      key: "payments",
      title: "Payments",
      type: "PaymentsReport",
      summary: `Payments: ${r.payments.total.payments}, ${m(r.payments.total.taken.amount)}; refunds: ${r.payments.total.refunds}, ${m(r.payments.total.refunded.amount)}; net ${m(r.payments.total.net.amount)}.`,
      columns: [
        { label: "Method", kind: "text" },
        { label: "Payments", kind: "int" },
        { label: `Taken (${c})`, kind: "money" },
        { label: "Refunds", kind: "int" },
        { label: `Refunded (${c})`, kind: "money" },
        { label: `Net (${c})`, kind: "money" },
      ],
      rows: r.payments.byMethod.map((m) => [words(m.method), m.payments, m.taken.amount, m.refunds, m.refunded.amount, m.net.amount]),
      chart: { type: "bar", labels: 0, series: [2, 4, 5] },
    },
    {
      key: "bookings",
      title: "Bookings",
      type: "BookingsReport",
      summary: `Bookings made: ${r.bookings.total}; appointments moved: ${r.bookings.rescheduled}.`,
      columns: [
        { label: "Source", kind: "text" },
        { label: "Bookings", kind: "int" },
      ],
      rows: [...r.bookings.bySource.map((s) => [words(s.source), s.bookings]), ["Moved (not new bookings)", r.bookings.rescheduled]],
      chart: { type: "bar", labels: 0, series: [1] },
    },
    {
      key: "staff",
      title: "Staff performance",
      type: "StaffPerformance",
      summary: "",
      columns: [
        { label: "Practitioner", kind: "text" },
        { label: "Appointments", kind: "int" },
        { label: "Completed", kind: "int" },
        { label: "No-shows", kind: "int" },
        { label: `List value of completed (${c})`, kind: "money" },
        { label: "Booked minutes", kind: "int" },
        { label: "Rostered minutes", kind: "int" },
        { label: "Utilisation", kind: "ratio" },
      ],
      rows: r.staffPerformance.map((s) => [
        s.practitioner.name, s.appointments, s.completed, s.noShows, s.revenue.amount, s.bookedMinutes, s.rosteredMinutes, s.utilisation,
      ]),
      chart: { type: "bar", labels: 0, series: [2, 3] },
    },
    {
      key: "popularity",
      title: "Treatment popularity",
      type: "TreatmentPopularity",
      summary: "",
      columns: [
        { label: "Treatment", kind: "text" },
        { label: "Completed visits", kind: "int" },
        { label: "Share", kind: "ratio" },
      ],
      rows: r.treatmentPopularity.map((t) => [t.treatment.name, t.visits, t.share]),
      chart: { type: "bar", labels: 0, series: [1] },
    },
    {
      key: "retention",
      title: "Client retention",
      type: "ClientRetentionReport",
      summary: r.clientRetention.rebookingRate === null ? "" : `Rebooking rate ${Math.round(r.clientRetention.rebookingRate * 1000) / 10} %.`,
      columns: [
        { label: "Clients", kind: "text" },
        { label: "Count", kind: "int" },
      ],
      rows: [
        ["Seen", r.clientRetention.clientsSeen],
        ["New", r.clientRetention.newClients],
        ["Returning", r.clientRetention.returningClients],
        ["Completed a visit", r.clientRetention.completedClients],
        ["Booked again", r.clientRetention.rebookedClients],
      ],
      chart: { type: "bar", labels: 0, series: [1] },
    },
    {
      key: "cancellations",
      title: "Cancellations",
      type: "CancellationsReport",
      summary: `Cancelled: ${r.cancellations.cancellations} of ${r.cancellations.appointments} appointments, ${r.cancellations.withinNoticePeriod} of them inside the notice period; moved: ${r.cancellations.rescheduled}.`,
      columns: [
        { label: "Notice given", kind: "text" },
        { label: "Cancellations", kind: "int" },
      ],
      rows: r.cancellations.notice.map((b) => [bucket(b), b.cancellations]),
      chart: { type: "bar", labels: 0, series: [1] },
    },
  ];
}
