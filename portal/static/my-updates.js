// The client's own appointments, live: a booking, cancellation or move made
// anywhere (the clinic's desk, another tab) shows on the portal. After a
// dropped connection `myAppointmentUpdates` resumes from the last event's
// cursor, so nothing is missed and nothing needs re-reading; when it cannot
// (RESYNC_REQUIRED), `read` shows the bookings afresh and answers the new
// cursor.
import { LiveSubscription } from "./live.js";
import { Mine as UPDATES } from "./graphql/my-updates.js";

// `read()` re-reads and shows the bookings, answering their `calendarCursor`;
// `cursor` is that of the read just made.
export function followMyAppointments({ token, cursor, read, onRefused }) {
  // One re-read for a burst of events (a replay brings many at once).
  let reading = null;
  let again = false;
  function refresh() {
    if (reading) {
      again = true;
      return;
    }
    reading = read().finally(() => {
      reading = null;
      if (again) {
        again = false;
        refresh();
      }
    });
  }
  return new LiveSubscription({
    token,
    query: UPDATES,
    cursor,
    read,
    cursorOf: (data) => data.myAppointmentUpdates.cursor,
    onEvent: refresh,
    onRefused,
  }).start();
}
