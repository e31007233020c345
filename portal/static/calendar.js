// The practitioner calendar: staff sign-in, a day or week of the diary as
// a time grid (a column per practitioner, working hours from the roster,
// free times shaded), kept current by `calendarUpdates`, which resumes
// after a dropped connection from the last event's cursor. Staff move an
// appointment by dragging it.
import { staffSignIn, staffSignOut } from "./staff_sign_in.js";
import { gql, userError, store, session } from "./gql.js";
import { CalendarClinic as CLINIC, Calendar as CALENDAR, Updates as UPDATES, Move as MOVE } from "./graphql/calendar.js";
import { $, el, show, say, brand, today, addDays, timeOnly } from "./dom.js";
import { LiveSubscription } from "./live.js";
import { elsewhere, zoneName } from "./zone.js";
import { midnight, wall, fromWall } from "./wallclock.js";
import { freeSpans, workingBounds } from "./roster.js";
import { Diary } from "./diary.js";

const SESSION = "calendar:staff";
const message = $("#message");
// Hours the grid spans when nobody works on the days shown.
const DEFAULT_HOURS = [9 * 60, 18 * 60];

let token = session(SESSION)?.token || null;
let clinic = null;
let view = "week";
let anchor = null; // a date (YYYY-MM-DD) in the clinic's time zone
let appointments = new Map();
let live = null;
let diary = null;

function weekdayOf(isoDate) {
  return (new Date(`${isoDate}T12:00:00Z`).getUTCDay() + 6) % 7; // Monday is 0
}

function minutesNow(timeZone) {
  const [hours, minutes] = new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", hour: "2-digit", minute: "2-digit" })
    .format(new Date())
    .split(":")
    .map(Number);
  return hours * 60 + minutes;
}

// The day the calendar opens on: today, unless this week's working hours
// (anyone's) are over, then the Monday after.
function openingDay() {
  const day = today(clinic.timezone);
  const weekday = weekdayOf(day);
  const hours = clinic.practitioners.flatMap((p) => p.weeklyHours || []);
  const now = minutesNow(clinic.timezone);
  const ending = (h) => (h.end === "24:00" ? 24 * 60 : Number(h.end.slice(0, 2)) * 60 + Number(h.end.slice(3, 5)));
  const workLeft = hours.some((h) => h.weekday > weekday || (h.weekday === weekday && ending(h) > now));
  return workLeft || hours.length === 0 ? day : addDays(day, 7 - weekday);
}

function visibleDays() {
  if (view === "day") return [anchor];
  const monday = addDays(anchor, -weekdayOf(anchor));
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

function range() {
  const days = visibleDays();
  return { days, from: midnight(days[0], clinic.timezone), to: midnight(addDays(days[days.length - 1], 1), clinic.timezone) };
}

async function start() {
  if (!token) return showSignIn();
  try {
    clinic = (await gql(CLINIC, {}, token)).myClinic;
  } catch (error) {
    if (error.code === "UNAUTHENTICATED") return signedOut("Your session has ended. Please sign in again.");
    return say(message, error.message, "error");
  }
  if (!clinic) return signedOut("Your session has ended. Please sign in again.");
  brand(clinic, "Calendar");
  $("#clinic-name").textContent = `${clinic.name} · Calendar`;
  $("#who").replaceChildren(el("option", { value: "" }, "Everyone"), ...clinic.practitioners.map((p) => el("option", { value: p.id }, p.name)));
  if (elsewhere(clinic.timezone)) {
    $("#zone-note").textContent = `Times are in ${zoneName(clinic.timezone)}, the clinic's time zone.`;
    show($("#zone-note"));
  }
  anchor = openingDay();
  show($("#sign-in"), false);
  show($("#diary"));
  show($("#sign-out"));
  diary ||= new Diary($("#grid"), { onMove: moved });
  // The stream starts where this read ends, and after a dropped connection
  // resumes from the last event it delivered.
  const cursor = await resync();
  live = new LiveSubscription({
    token,
    query: UPDATES,
    cursor,
    read: resync,
    cursorOf: (data) => data.calendarUpdates.cursor,
    onEvent: (data) => received(data.calendarUpdates),
    onStatus: status,
    onRefused: () => signedOut("Your session has ended. Please sign in again."),
  }).start();
}

function showSignIn() {
  show($("#diary"), false);
  show($("#sign-out"), false);
  show($("#sign-in"));
  status("off");
  $("#email").focus();
}

function signedOut(text) {
  live?.stop();
  live = null;
  token = null;
  store.remove(SESSION);
  say(message, text);
  showSignIn();
}

const STATES = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", stopped: "Offline", off: "Offline" };
function status(state) {
  const badge = $("#status");
  badge.dataset.state = state;
  badge.textContent = STATES[state] || state;
}

// Re-read the days on screen: after loading, moving, and when the live
// stream cannot resume. Answers the `calendarCursor` the read is consistent
// with (null when it failed). Events that arrive while the read is under
// way are applied on top of it, so one committed just after the read began
// is not lost.
let generation = 0;
let arrivedDuringRead = null;

async function resync() {
  const mine = ++generation;
  arrivedDuringRead = [];
  const { days, from, to } = range();
  try {
    const data = await gql(CALENDAR, { from: from.toISOString(), to: to.toISOString(), day: days[0] }, token);
    // A newer read is on its way: it shows its own answer. This cursor
    // still holds: events after it are applied by id, so none twice.
    if (mine !== generation) return data.calendarCursor;
    appointments = new Map(data.calendar.map((a) => [a.id, a]));
    const exceptions = new Map((data.myClinic?.practitioners || []).map((p) => [p.id, p.rosterExceptions]));
    for (const p of clinic.practitioners) p.rosterExceptions = exceptions.get(p.id) || [];
    const arrived = arrivedDuringRead;
    arrivedDuringRead = null;
    for (const a of arrived) place(a);
    render();
    return data.calendarCursor;
  } catch (error) {
    if (mine !== generation) return null;
    arrivedDuringRead = null;
    if (error.code === "UNAUTHENTICATED") signedOut("Your session has ended. Please sign in again.");
    else say(message, error.message, "error");
    return null;
  }
}

function place(a) {
  const { from, to } = range();
  const start = new Date(a.start);
  if (start >= from && start < to) appointments.set(a.id, { ...a, fresh: true });
  else appointments.delete(a.id);
}

function received(event) {
  const a = event.appointment;
  if (arrivedDuringRead) arrivedDuringRead.push(a);
  place(a);
  render();
  const verb = { BOOKED: "New booking", CANCELLED: "Cancelled", RESCHEDULED: "Moved", UPDATED: "Updated" }[event.kind] || event.kind;
  const who = a.client ? ` for ${a.client.fullName}` : "";
  const reopened = event.kind === "CANCELLED" ? "; the time is free again" : "";
  $("#live-news").textContent = `${verb}: ${a.treatment.name}${who} at ${timeOnly(a.start, clinic.timezone)} with ${a.practitioner.name}${reopened}`;
  // A move comes as two events, the old appointment (now cancelled) and the
  // new one: each is placed as it comes, nothing is re-read.
}

function shownPractitioners() {
  const who = $("#who").value;
  return clinic.practitioners.filter((p) => !who || p.id === who);
}

// What the grid shows: bookings by wall-clock time (a cancelled one gives
// its time back, so it is not drawn), and the free time around them.
function render() {
  const { days } = range();
  const title = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeZone: "UTC" });
  const short = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
  const asDate = (d) => new Date(`${d}T12:00:00Z`);
  $("#range").textContent = view === "day" ? title.format(asDate(days[0])) : `${short.format(asDate(days[0]))} – ${short.format(asDate(days[6]))}`;
  $("#go-to").value = anchor;
  Object.assign($("#grid").dataset, { view, from: days[0], to: days[days.length - 1] });
  const practitioners = shownPractitioners();
  const zone = clinic.timezone;
  const shown = [...appointments.values()]
    .filter((a) => a.status !== "CANCELLED" && practitioners.some((p) => p.id === a.practitioner.id))
    .map((a) => ({
      id: a.id,
      start: wall(a.start, zone),
      end: wall(a.end, zone),
      status: a.status,
      practitionerId: a.practitioner.id,
      treatment: a.treatment.name,
      client: a.client?.fullName || null,
      title: `${a.client ? `${a.client.fullName} · ` : ""}${a.treatment.name}`,
      movable: Boolean(a.canReschedule),
      fresh: Boolean(a.fresh),
    }));
  const free = practitioners.flatMap((p) =>
    freeSpans(p, days, shown.filter((a) => a.practitionerId === p.id)).map((span) => ({ ...span, practitionerId: p.id })),
  );
  // An hour either side of the working day shows where it ends.
  const [first, last] = workingBounds(practitioners, days) || DEFAULT_HOURS;
  const hours = [first - 60, last + 60];
  diary.show({ view, date: days[0], practitioners, appointments: shown, free, hours });
  for (const a of appointments.values()) delete a.fresh;
}

// Staff dropped an appointment elsewhere: move it there through
// `rescheduleAppointment`, or put it back and say why not.
async function moved({ id, start, practitionerId, revert }) {
  const before = appointments.get(id);
  const variables = { id, start: fromWall(start, clinic.timezone).toISOString(), practitionerId };
  try {
    const data = (await gql(MOVE, variables, token)).rescheduleAppointment;
    const error = userError(data);
    if (error) {
      revert();
      return say(message, `Not moved: ${error.message}`, "error");
    }
    const now = data.appointment;
    if (before) appointments.set(id, { ...before, status: "CANCELLED" });
    appointments.set(now.id, { ...now, fresh: true });
    render();
    const who = now.client ? ` for ${now.client.fullName}` : "";
    say(message, `Moved: ${now.treatment.name}${who} to ${timeOnly(now.start, clinic.timezone)} with ${now.practitioner.name}.`);
  } catch (error) {
    revert();
    if (error.code === "UNAUTHENTICATED") return signedOut("Your session has ended. Please sign in again.");
    say(message, `Not moved: ${error.message}`, "error");
  }
}

function setView(next) {
  view = next;
  $("#view-day").setAttribute("aria-pressed", String(view === "day"));
  $("#view-week").setAttribute("aria-pressed", String(view === "week"));
  resync();
}

function move(days) {
  anchor = days === 0 ? today(clinic.timezone) : addDays(anchor, view === "day" ? days : days * 7);
  resync();
}

$("#view-day").addEventListener("click", () => setView("day"));
$("#view-week").addEventListener("click", () => setView("week"));
$("#previous").addEventListener("click", () => move(-1));
$("#next").addEventListener("click", () => move(1));
$("#today").addEventListener("click", () => move(0));
$("#who").addEventListener("change", () => render());
$("#go-to").addEventListener("change", (event) => {
  if (!event.target.value) return;
  anchor = event.target.value;
  resync();
});

staffSignIn({
  session: SESSION,
  message,
  signedIn: async (fresh) => {
    token = fresh;
    await start();
  },
});

staffSignOut({ token: () => token, signedOut });

// Keyboard: d / w switch views, arrows move (outside form fields).
document.addEventListener("keydown", (event) => {
  if ($("#diary").hidden || event.target.closest("input, select, textarea") || event.altKey || event.ctrlKey || event.metaKey) return;
  const keys = { d: () => setView("day"), w: () => setView("week"), ArrowLeft: () => move(-1), ArrowRight: () => move(1), t: () => move(0) };
  if (keys[event.key]) {
    event.preventDefault();
    keys[event.key]();
  }
});

start();
