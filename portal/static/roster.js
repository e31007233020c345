// Who works when, in wall-clock minutes, from the weekly hours and the
// roster's exceptions (days off, blocked and extra hours), by the same
// rules as the server's availability: extra hours are added, then time
// off is taken away. And the free times left between bookings.
import { addDays } from "./dom.js";
import { hhmm, minutesOf } from "./wallclock.js";

function weekdayOf(isoDate) {
  return (new Date(`${isoDate}T12:00:00Z`).getUTCDay() + 6) % 7; // Monday is 0
}

function merge(spans) {
  const out = [];
  for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

function subtract(spans, [cutStart, cutEnd]) {
  const out = [];
  for (const [start, end] of spans) {
    if (cutEnd <= start || end <= cutStart) {
      out.push([start, end]);
      continue;
    }
    if (start < cutStart) out.push([start, cutStart]);
    if (cutEnd < end) out.push([cutEnd, end]);
  }
  return out;
}

// [[startMinute, endMinute], ...] one practitioner works on `day`.
export function workingMinutes(practitioner, day) {
  const weekday = weekdayOf(day);
  const rules = (practitioner.rosterExceptions || []).filter((r) => r.date === day);
  let minutes = (practitioner.weeklyHours || []).filter((h) => h.weekday === weekday).map((h) => [minutesOf(h.start), minutesOf(h.end)]);
  for (const rule of rules) {
    if (rule.kind === "EXTRA" && rule.start) minutes.push([minutesOf(rule.start), minutesOf(rule.end)]);
  }
  minutes = merge(minutes);
  for (const rule of rules) {
    if (rule.kind !== "OFF") continue;
    minutes = rule.start ? subtract(minutes, [minutesOf(rule.start), minutesOf(rule.end)]) : [];
  }
  return minutes;
}

// Free wall-clock spans ({ start: "2027-03-01T09:00:00", end }) of one
// practitioner over `days`: working time that no booking takes.
// `busy` holds the practitioner's bookings as wall-clock { start, end }.
export function freeSpans(practitioner, days, busy) {
  const spans = [];
  for (const day of days) {
    let minutes = workingMinutes(practitioner, day);
    for (const b of busy) {
      const from = b.start.slice(0, 10) === day ? minutesOf(b.start.slice(11, 16)) : b.start.slice(0, 10) < day ? 0 : null;
      const to = b.end.slice(0, 10) === day ? minutesOf(b.end.slice(11, 16)) : b.end.slice(0, 10) > day ? 24 * 60 : null;
      if (from !== null && to !== null) minutes = subtract(minutes, [from, to]);
    }
    for (const [start, end] of minutes) {
      const endText = end === 24 * 60 ? `${addDays(day, 1)}T00:00:00` : `${day}T${hhmm(end)}:00`;
      spans.push({ start: `${day}T${hhmm(start)}:00`, end: endText });
    }
  }
  return spans;
}

// The earliest start and latest end of anyone's work on `days`, in minutes.
export function workingBounds(practitioners, days) {
  let first = null;
  let last = null;
  for (const p of practitioners) {
    for (const day of days) {
      for (const [start, end] of workingMinutes(p, day)) {
        first = first === null ? start : Math.min(first, start);
        last = last === null ? end : Math.max(last, end);
      }
    }
  }
  return first === null ? null : [first, last];
}
