// Times are always shown in the clinic's time zone. When the browser is in
// another one, they say so: "… 10:00 (London time)".
import { _ } from "./i18n.js";

// The zone's canonical name ("Europe/London"), as the browser resolves it.
function canonical(timeZone) {
  try {
    return new Intl.DateTimeFormat("en", { timeZone }).resolvedOptions().timeZone;
  } catch {
    return timeZone;
  }
}

export function browserZone() {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

// "Europe/London" → "London time", "America/New_York" → "New York time".
export function zoneName(timeZone) {
  const place = timeZone.split("/").pop().replaceAll("_", " ");
  return _("{place} time", { place });
}

// True when the browser's zone is not the clinic's.
export function elsewhere(clinicZone) {
  return canonical(clinicZone) !== canonical(browserZone());
}

// " (London time)" to follow a time, or "" in the clinic's own zone.
export function zoneSuffix(clinicZone) {
  return elsewhere(clinicZone) ? ` (${zoneName(clinicZone)})` : "";
}
