// The booking page's free times, kept current: `availableSlotsChanged` for
// the day on screen. A time someone else books or holds goes at once, a
// cancelled one comes back; after a dropped connection the day is re-read.
import { LiveSubscription } from "./live.js";
import { Watch as WATCH } from "./graphql/slot_watch.js";

let watching = null;

// `onChange(slots)` with the day's free times whenever they change;
// `onResync()` after each (re)connection, to re-read the day.
export function watchDay({ token, slug, treatmentId, day, practitionerId, onChange, onResync }) {
  stopWatching();
  watching = new LiveSubscription({
    token,
    query: WATCH,
    variables: { slug, treatment: treatmentId, from: day, to: day, practitioner: practitionerId },
    onEvent: (data) => {
      const changed = data.availableSlotsChanged.days.find((d) => d.date === day);
      if (changed) onChange(changed.slots);
    },
    onResync,
  }).start();
}

export function stopWatching() {
  watching?.stop();
  watching = null;
}
