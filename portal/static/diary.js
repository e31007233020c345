// The diary grid: EventCalendar's resource time grid (vendored, loaded by
// the page as the global `EventCalendar`), a column per practitioner for
// each day shown. Times go in and come out as wall-clock strings in the
// clinic's time zone; the grid itself knows no zones (it runs on UTC).
import { el } from "./dom.js";
import { hhmm } from "./wallclock.js";

const VIEWS = { day: "resourceTimeGridDay", week: "resourceTimeGridWeek" };

export class Diary {
  // `onMove({ id, start, practitionerId, revert })` is called when staff drop
  // an appointment somewhere else; `start` is wall-clock.
  constructor(target, { onMove }) {
    this.calendar = EventCalendar.create(target, {
      view: VIEWS.week,
      timeZone: "UTC",
      headerToolbar: { start: "", center: "", end: "" },
      height: "auto",
      firstDay: 1,
      allDaySlot: false,
      datesAboveResources: true,
      slotDuration: "00:15",
      slotLabelInterval: "01:00",
      scrollTime: "08:00",
      flexibleSlotTimeLimits: true,
      nowIndicator: false,
      editable: false,
      eventStartEditable: false,
      eventDurationEditable: false,
      slotEventOverlap: false,
      slotLabelFormat: { hour: "numeric", minute: "2-digit" },
      eventTimeFormat: { hour: "numeric", minute: "2-digit" },
      resources: [],
      events: [],
      eventContent: (info) => content(info.event),
      eventDidMount: (info) => {
        const { free } = info.event.extendedProps;
        if (!free) return;
        // Background events carry no text: say what the shaded time is.
        info.el.dataset.practitioner = free.practitionerId;
        info.el.dataset.start = free.start;
        info.el.dataset.end = free.end;
        info.el.title = `Free ${clock(free.start)}–${clock(free.end)}`;
      },
      eventDrop: (info) =>
        onMove({
          id: info.event.id,
          start: info.event.start.toISOString().slice(0, 19),
          practitionerId: info.newResource ? String(info.newResource.id) : null,
          revert: info.revert,
        }),
    });
  }

  // What to show: a view ("day" or "week") from `date`, the practitioners'
  // columns, the appointments and the free spans (wall-clock), and the
  // hours the grid spans at least ([firstMinute, lastMinute]).
  show({ view, date, practitioners, appointments, free, hours }) {
    const c = this.calendar;
    if (c.getOption("view") !== VIEWS[view]) c.setOption("view", VIEWS[view]);
    c.setOption("date", date);
    c.setOption("slotMinTime", hhmm(Math.max(0, Math.floor(hours[0] / 60) * 60)));
    c.setOption("slotMaxTime", hhmm(Math.min(24 * 60, Math.ceil(hours[1] / 60) * 60)));
    c.setOption("resources", practitioners.map((p) => ({ id: p.id, title: p.name })));
    c.setOption("events", [
      ...free.map((f) => ({
        id: `free:${f.practitionerId}:${f.start}:${f.end}`,
        resourceId: f.practitionerId,
        start: f.start,
        end: f.end,
        display: "background",
        classNames: ["free"],
        extendedProps: { free: f },
      })),
      ...appointments.map((a) => ({
        id: a.id,
        resourceId: a.practitionerId,
        start: a.start,
        end: a.end,
        title: a.title,
        editable: a.movable,
        startEditable: a.movable,
        classNames: ["appointment", a.status.toLowerCase(), ...(a.fresh ? ["fresh"] : []), ...(a.movable ? ["movable"] : [])],
        extendedProps: { appointment: a },
      })),
    ]);
  }
}

// A wall-clock time as the browser's locale writes times ("14:00", "2:00 PM").
const CLOCK = new Intl.DateTimeFormat(undefined, { timeStyle: "short", timeZone: "UTC" });
function clock(wallTime) {
  return CLOCK.format(new Date(`${wallTime}Z`));
}

function content(event) {
  const a = event.extendedProps.appointment;
  if (!a) return "";
  const when = `${clock(a.start)}–${clock(a.end)}`;
  return {
    domNodes: [
      el(
        "span",
        { class: "entry", "data-id": a.id, "data-status": a.status, "data-start": a.start, title: [when, a.treatment, a.client].filter(Boolean).join(" · ") },
        a.client ? el("strong", { class: "client" }, a.client) : null,
        el("span", { class: "when" }, `${when} · ${a.treatment}`),
        a.status === "BOOKED" ? null : el("span", { class: "badge" }, a.status.replace("_", " ").toLowerCase()),
      ),
    ],
  };
}
