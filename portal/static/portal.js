// The client portal: sign in, My bookings (cancel, repeat), Book Now, balances.
// My bookings stay current through `myAppointmentUpdates` (my-updates.js).
import { gql, optional, userError, store, session } from "./gql.js";
import { followMyAppointments } from "./my-updates.js";
import {
  PortalClinic as CLINIC, SmsEnabled as SMS_ENABLED, Me as ME, SetLanguage, SignOut, PrefillBooking, Cancel, Repeat, Move,
} from "./graphql/portal.js";
import { $, el, show, say, brand, money, when, today, slugFromPath, openDialog } from "./dom.js";
import { freeSlots, byStart, renderTimes } from "./slots.js";
import { setUpSignIn } from "./signin.js";
import { renderBalances } from "./balances.js";
import { askToAccept, linkDocuments } from "./documents.js";
import { elsewhere, zoneName, zoneSuffix } from "./zone.js";
import { _, _n, language, rememberedLanguage, switchTo, whenChosen } from "./i18n.js";

const slug = slugFromPath();
const SESSION = `portal:${slug}`;
const message = $("#message");
let clinic = null;
let token = session(SESSION)?.token || null;
let memberships = []; // the client's, from the balances
let live = null;

const STATUS = { CANCELLED: _("cancelled"), NO_SHOW: _("missed") };

// The signed-in client's language (setLanguage) is the portal's, unless
// this browser has a choice of its own, which then becomes the client's.
// True when the page is about to be read again in the client's language.
async function followLanguage(me) {
  const chosen = rememberedLanguage();
  if (chosen && chosen !== me.language) {
    await storeLanguage(chosen);
    return false;
  }
  if (!chosen && me.language && me.language !== language) {
    switchTo(me.language);
    return true;
  }
  return false;
}

async function storeLanguage(code) {
  if (!token) return;
  try {
    await gql(SetLanguage, { language: code }, token);
  } catch {
    // Kept in this browser either way; stored with the account next time.
  }
}

whenChosen(storeLanguage);

// A time as the clinic keeps it, naming the clinic's zone when the browser is elsewhere.
function at(iso) {
  return `${when(iso, clinic.timezone)}${zoneSuffix(clinic.timezone)}`;
}

function fail(error) {
  say(message, error.message || String(error), "error");
}

async function start() {
  try {
    clinic = (await gql(CLINIC, { slug }))?.clinic;
  } catch (error) {
    show($("#loading"), false);
    return fail(error);
  }
  show($("#loading"), false);
  if (!clinic) {
    document.title = _("Portal not found");
    return say(message, _("There is no clinic portal at this address."), "error");
  }
  brand(clinic, _("Client portal"));
  if (!clinic.portalEnabled) return say(message, _("{clinic}'s online portal is closed at the moment.", { clinic: clinic.name }), "error");
  // What the clinic lets its clients do here: without booking, Book Now goes.
  show($("#book-now").parentElement, clinic.canBook !== false);
  if (clinic.termsAndConditions) {
    $("#terms-text").textContent = clinic.termsAndConditions;
    show($("#terms-box"));
  }
  const policy = clinic.cancellationPolicy;
  $("#policy").textContent = policy.text || _n("Please give {hours} hour's notice to cancel.", "Please give {hours} hours' notice to cancel.", policy.noticeHours, { hours: policy.noticeHours });
  if (elsewhere(clinic.timezone)) {
    $("#zone-note").textContent = _("Times are in {zone}, the clinic's time zone.", { zone: zoneName(clinic.timezone) });
    show($("#zone-note"));
    $("#time-legend").textContent = _("Free times ({zone})", { zone: zoneName(clinic.timezone) });
  }
  if (token) await showAccount();
  else await showSignIn();
}

async function showSignIn() {
  show($("#account"), false);
  show($("#sign-out"), false);
  show($("#sign-in"));
  const [sms] = await Promise.all([optional(SMS_ENABLED, { slug }).catch(() => null), linkDocuments(slug)]);
  show($("#phone-sign-in"), Boolean(sms?.clinic?.smsSignInEnabled));
  // Not away from a field the visitor is already typing in.
  if (!$("#sign-in").contains(document.activeElement)) $("#email").focus();
}

async function signedIn(result) {
  token = result.token;
  store.set(SESSION, result);
  say(message, "");
  await showAccount();
  if (token) $("#greeting").focus();
}

setUpSignIn(slug, signedIn);

$("#sign-out").addEventListener("click", async () => {
  const spent = token;
  unfollow();
  token = null;
  store.remove(SESSION);
  try {
    await gql(SignOut, {}, spent);
  } catch {
    // The token is gone from this browser either way.
  }
  say(message, _("You're signed out."));
  await showSignIn();
});

async function loadMe() {
  const data = await gql(ME, {}, token);
  return { me: data.me, cursor: data.calendarCursor };
}

// The server no longer takes the stored token (it expired, or was signed
// out elsewhere): forget it and offer to sign in again.
async function sessionEnded() {
  unfollow();
  token = null;
  store.remove(SESSION);
  for (const dialog of [cancelDialog, timeDialog]) if (dialog.open) dialog.close();
  say(message, _("Your session has ended. Please sign in again."));
  return showSignIn();
}

// The client's account as the server has it now; null (having said why)
// when it cannot be read.
async function readMe() {
  let result;
  try {
    result = await loadMe();
  } catch (error) {
    if (error.code !== "UNAUTHENTICATED") {
      fail(error);
      return null;
    }
    result = { me: null };
  }
  if (!result.me) {
    await sessionEnded();
    return null;
  }
  return result;
}

async function showAccount() {
  const result = await readMe();
  if (!result) return;
  const { me } = result;
  if (await followLanguage(me)) return;
  show($("#sign-in"), false);
  show($("#account"));
  show($("#sign-out"));
  $("#greeting").textContent = _("Welcome, {name}", { name: me.fullName });
  showBookings(result);
  askToAccept(token);
  follow(result.cursor);
}

function showBookings({ me }) {
  renderUpcoming(me.upcoming.edges.map((e) => e.node));
  renderPast(me.past.edges.map((e) => e.node));
  renderBalances(token, clinic.timezone).then((held) => {
    memberships = held?.memberships || [];
    if (picking && timeDialog.open) showCover();
  });
}

// My bookings (and balances) again, after a live event or when the stream
// must start afresh: answers the `calendarCursor` they are consistent with
// (null when they could not be read).
async function refreshBookings() {
  const result = await readMe();
  if (!result) return null;
  showBookings(result);
  return result.cursor;
}

function follow(cursor) {
  if (!live && token) live = followMyAppointments({ token, cursor, read: refreshBookings, onRefused: sessionEnded });
}

function unfollow() {
  live?.stop();
  live = null;
}

// A membership's session pays for it: that, rather than a price not to be paid.
function card(appointment, note, ...actions) {
  const covered = appointment.coveredBy;
  const price = covered ? "" : money(appointment.price);
  actions = actions.filter(Boolean);
  return el(
    "li",
    { class: "card", "data-id": appointment.id },
    el("strong", {}, appointment.treatment.name),
    el("span", {}, at(appointment.start)),
    el("span", { class: "small" }, `${_("with {practitioner}", { practitioner: appointment.practitioner.name })}${price ? ` · ${price}` : ""}`),
    covered ? el("span", { class: "badge covered" }, _("Covered by {membership}", { membership: covered.name })) : null,
    appointment.status === "BOOKED" || appointment.status === "COMPLETED" ? null : el("span", { class: "badge" }, STATUS[appointment.status] || appointment.status),
    note ? el("p", { class: "small notice" }, note) : null,
    actions.length ? el("div", { class: "row" }, ...actions) : null,
  );
}

// Why an upcoming appointment offers neither Move nor Cancel: inside the
// clinic's notice period that is the clinic's to do.
// Or the clinic does not take changes in the portal at all.
function noChangesNote(a, canMove) {
  if (a.status !== "BOOKED" || a.canCancel || canMove) return null;
  const hours = clinic.cancellationPolicy.noticeHours;
  const left = new Date(a.start).getTime() - Date.now();
  if (left <= 0) return null;
  if (clinic.clientsCanCancel === false && clinic.clientsCanReschedule === false) {
    return _("To move or cancel this appointment, please call the clinic.");
  }
  if (left >= hours * 3600_000) return null;
  return _n("Changes within {hours} hour of the appointment: please call the clinic.", "Changes within {hours} hours of the appointment: please call the clinic.", hours, { hours });
}

// Each card's buttons name their appointment for screen readers.
function action(label, a, onclick, kind = null) {
  const name = `${label} ${a.treatment.name}, ${at(a.start)}`;
  return el("button", { type: "button", class: kind, "aria-label": name, onclick }, label);
}

function renderUpcoming(appointments) {
  const list = $("#upcoming");
  list.replaceChildren(
    ...appointments.map((a) => {
      const canMove = a.canReschedule;
      return card(
        a,
        noChangesNote(a, canMove),
        canMove ? action(_("Move"), a, (e) => askTime("move", a, e.currentTarget)) : null,
        a.canCancel ? action(_("Cancel"), a, (e) => askCancel(a, e.currentTarget), "danger") : null,
      );
    }),
  );
  show($("#upcoming-empty"), appointments.length === 0);
}

function renderPast(appointments) {
  const list = $("#past");
  list.replaceChildren(
    ...appointments.map((a) =>
      card(a, null, a.canRepeat ? action(_("Repeat"), a, (e) => askTime("repeat", a, e.currentTarget)) : null),
    ),
  );
  show($("#past-empty"), appointments.length === 0);
}

$("#book-now").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const data = await gql(PrefillBooking, {}, token);
    const error = userError(data.createPrefillToken);
    if (error) return say(message, error.message, "error");
    location.assign(data.createPrefillToken.bookingUrl);
  } catch (error) {
    if (error.code === "UNAUTHENTICATED") return sessionEnded();
    fail(error);
  } finally {
    button.disabled = false;
  }
});

// Cancel: a dialog naming the treatment and time, then a confirmation.
const cancelDialog = $("#cancel-dialog");
let cancelling = null;

function askCancel(appointment, opener) {
  cancelling = appointment;
  $("#cancel-what").textContent = _("{treatment}, {when}, with {practitioner}.", {
    treatment: appointment.treatment.name,
    when: at(appointment.start),
    practitioner: appointment.practitioner.name,
  });
  $("#cancel-reason").value = "";
  say($("#cancel-error"), "");
  openDialog(cancelDialog, opener);
}

$("#cancel-keep").addEventListener("click", () => cancelDialog.close());
$("#cancel-confirm").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const data = await gql(Cancel, { id: cancelling.id, reason: $("#cancel-reason").value.trim() || null }, token);
    const error = userError(data.cancelAppointment);
    if (error) return say($("#cancel-error"), error.message, "error");
    const done = cancelling;
    cancelDialog.close();
    await showAccount();
    say(message, _("Cancelled: {treatment}, {when}.", { treatment: done.treatment.name, when: at(done.start) }), "success");
    $("#upcoming-title").focus?.();
  } catch (error) {
    if (error.code === "UNAUTHENTICATED") return sessionEnded();
    say($("#cancel-error"), error.message, "error");
  } finally {
    button.disabled = false;
  }
});

// A new time for an appointment: Repeat (a past one, booked again) or Move
// (an upcoming one). The same practitioner's times are preferred.
const timeDialog = $("#time-dialog");
const ACTIONS = {
  repeat: {
    title: (a) => _("Book {treatment} again", { treatment: a.treatment.name }),
    button: _("Book this time"),
    mutation: Repeat,
    variables: (a, slot) => ({ id: a.id, start: slot.start }),
    done: (b) => _("Booked: {treatment}, {when}.", { treatment: b.treatment.name, when: at(b.start) }),
  },
  move: {
    title: (a) => _("Move {treatment}", { treatment: a.treatment.name }),
    button: _("Move to this time"),
    mutation: Move,
    variables: (a, slot) => ({ id: a.id, start: slot.start, practitioner: slot.practitioner.id }),
    done: (b) => _("Moved: {treatment}, now {when}.", { treatment: b.treatment.name, when: at(b.start) }),
  },
};
let picking = null; // { kind, appointment, action }
let picked = null;

function askTime(kind, appointment, opener) {
  picking = { kind, appointment, action: ACTIONS[kind] };
  $("#time-title").textContent = picking.action.title(appointment);
  $("#time-confirm").textContent = picking.action.button;
  const now = { when: at(appointment.start), practitioner: appointment.practitioner.name };
  $("#time-now").textContent = kind === "move" ? _("Now: {when}, with {practitioner}.", now) : _("Last time: {when}, with {practitioner}.", now);
  const day = today(clinic.timezone);
  $("#time-date").min = day;
  $("#time-date").value = kind === "move" ? new Intl.DateTimeFormat("en-CA", { timeZone: clinic.timezone }).format(new Date(appointment.start)) : day;
  say($("#time-error"), "");
  showCover();
  openDialog(timeDialog, opener);
  loadDialogTimes();
}

// What pays for the appointment being picked a time for (the memberships
// may arrive after the dialog opened: then again).
function showCover() {
  const { kind, appointment } = picking;
  const cover = kind === "move" ? appointment.coveredBy && _("Still covered by {membership}.", { membership: appointment.coveredBy.name }) : coverNote(appointment.treatment.id);
  $("#time-cover").textContent = cover || "";
  show($("#time-cover"), Boolean(cover));
}

// A membership of the client's with a session left that covers the treatment.
function coverNote(treatmentId) {
  const now = Date.now();
  const usable = memberships.find(
    (m) => m.sessionsRemaining > 0 && (!m.expiresAt || new Date(m.expiresAt).getTime() > now) && m.treatments?.some((t) => t.id === treatmentId),
  );
  if (!usable) return null;
  const left = usable.sessionsRemaining;
  return _n("Covered by {membership} ({left} session left).", "Covered by {membership} ({left} sessions left).", left, { membership: usable.name, left });
}

async function loadDialogTimes() {
  picked = null;
  $("#time-confirm").disabled = true;
  const times = $("#time-times");
  const { appointment } = picking;
  times.replaceChildren(el("p", {}, _("Looking for free times…")));
  try {
    const day = $("#time-date").value;
    const slots = byStart(await freeSlots(slug, appointment.treatment.id, day), appointment.practitioner.id);
    if (!slots.length) return times.replaceChildren(el("p", {}, _("No free times that day. Try another date.")));
    renderTimes(times, slots, clinic.timezone, "dialog-time", (slot) => {
      picked = slot;
      $("#time-confirm").disabled = false;
    });
  } catch (error) {
    times.replaceChildren();
    say($("#time-error"), error.message, "error");
  }
}

$("#time-date").addEventListener("change", loadDialogTimes);
$("#time-close").addEventListener("click", () => timeDialog.close());
$("#time-confirm").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  const { appointment, action } = picking;
  button.disabled = true;
  try {
    const data = await gql(action.mutation, action.variables(appointment, picked), token);
    const error = userError(data.result);
    if (error) {
      say($("#time-error"), error.message, "error");
      return loadDialogTimes();
    }
    timeDialog.close();
    await showAccount();
    say(message, action.done(data.result.appointment), "success");
    $("#upcoming-title").focus();
  } catch (error) {
    button.disabled = false;
    if (error.code === "UNAUTHENTICATED") return sessionEnded();
    say($("#time-error"), error.message, "error");
  }
});

start();
