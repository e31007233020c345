// Wall-clock times in the clinic's time zone, as the diary grid shows them
// ("2027-03-01T09:30:00", no offset), and back to instants.

// How far `timeZone` is ahead of UTC at the instant `utcMs`, in ms.
export function offsetMs(utcMs, timeZone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]),
  );
  return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - utcMs;
}

// The instant the clock in `timeZone` shows `minutes` past midnight of
// `isoDate` (a time skipped by a clock change maps past the gap).
export function instant(isoDate, minutes, timeZone) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d) + minutes * 60000;
  const first = guess - offsetMs(guess, timeZone);
  return new Date(guess - offsetMs(first, timeZone));
}

export function midnight(isoDate, timeZone) {
  return instant(isoDate, 0, timeZone);
}

// "2027-03-01T09:30:00": what the clock in `timeZone` shows at `iso`.
export function wall(iso, timeZone) {
  const ms = new Date(iso).getTime();
  return new Date(ms + offsetMs(ms, timeZone)).toISOString().slice(0, 19);
}

// A wall-clock string (or a Date whose UTC fields hold one) back to the instant.
export function fromWall(value, timeZone) {
  const text = value instanceof Date ? value.toISOString() : String(value);
  const [hours, minutes] = text.slice(11, 16).split(":").map(Number);
  return instant(text.slice(0, 10), hours * 60 + minutes, timeZone);
}

// "HH:MM" → minutes after midnight ("24:00" is 1440).
export function minutesOf(hhmm) {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export function hhmm(minutes) {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}
