// The booking page: redeem the pre-fill token (or take typed-in details),
// pick a treatment, a date and a free time, confirm once.
import { linkToken } from "./link.js";
import { gql, optional, userError, store, session } from "./gql.js";
import { BookClinic as CLINIC, PricesForMe as PRICES_FOR_ME, Redeem as REDEEM, Book as BOOK, Hold as HOLD, Release as RELEASE, Join as JOIN } from "./graphql/book.js";
import { $, el, show, say, brand, money, when, timeOnly, today, addDays, slugFromPath, newKey } from "./dom.js";
import { freeSlots, byStart, renderTimes } from "./slots.js";
import { watchDay } from "./slot_watch.js";
import { _, _n } from "./i18n.js";

const slug = slugFromPath();
const BOOKING = `booking:${slug}`;
const message = $("#message");
const form = $("#booking");

// The pre-fill token is read once and taken out of the address bar at once
// (link.js), so it is neither bookmarked, shared nor kept in history.

const HOLD_GONE = ["HOLD_EXPIRED", "HOLD_RELEASED", "HOLD_ALREADY_USED", "NOT_FOUND"];
const TOKEN_TROUBLE = {
  TOKEN_EXPIRED: _("This booking link has expired."),
  TOKEN_ALREADY_USED: _("This booking link has already been used."),
  TOKEN_INVALID: _("This booking link is not valid."),
};

let clinic = null;
let bookingToken = null; // a booking session: books for the client it names
let choice = null; // the chosen slot
let attempt = null; // { key, signature }: one idempotency key per attempt
let busy = false;
let hold = null; // { id, expiresAt }: the chosen time, kept for us while the form is filled in
let holdsAsked = 0;

async function start() {
  try {
    clinic = (await gql(CLINIC, { slug }))?.clinic;
  } catch (error) {
    show($("#loading"), false);
    return say(message, error.message, "error");
  }
  show($("#loading"), false);
  if (!clinic) {
    document.title = _("Booking page not found");
    return say(message, _("There is no clinic at this address."), "error");
  }
  brand(clinic, _("Book an appointment"));
  if (!clinic.portalEnabled || clinic.canBook === false) {
    return say(message, _("{clinic} is not taking online bookings at the moment. Please call the clinic to book.", { clinic: clinic.name }), "error");
  }
  await details(linkToken);
  if (bookingToken) await pricesForClient();
  setUpChoices();
  show(form);
}

// The client's own prices (less a loyalty discount), on a server that knows them.
async function pricesForClient() {
  const data = await optional(PRICES_FOR_ME, { slug }, bookingToken).catch(() => null);
  const mine = new Map((data?.clinic?.treatments || []).map((t) => [t.id, t.priceForMe]));
  for (const t of clinic.treatments) if (mine.get(t.id)) t.price = mine.get(t.id);
}

async function details(fromLink) {
  let prefill = null;
  if (fromLink) {
    try {
      const data = await gql(REDEEM, { token: fromLink });
      const error = userError(data.redeemPrefillToken);
      if (error) {
        store.remove(BOOKING);
        say(message, `${TOKEN_TROUBLE[error.code] || error.message} ${_("You can still book: enter your details below.")}`, "error");
      } else {
        prefill = data.redeemPrefillToken.prefill;
        store.set(BOOKING, { ...data.redeemPrefillToken.bookingSession, prefill });
      }
    } catch (error) {
      say(message, `${error.message} ${_("You can still book: enter your details below.")}`, "error");
    }
  } else {
    // A reload after the link was spent keeps its booking session.
    const saved = session(BOOKING);
    prefill = saved?.prefill || null;
    if (!prefill) say(message, _("This page was opened without a booking link. Enter your details below to book."));
  }
  bookingToken = prefill ? session(BOOKING)?.token : null;
  const fields = { "#full-name": prefill?.fullName, "#client-email": prefill?.email, "#client-phone": prefill?.phone };
  for (const [selector, value] of Object.entries(fields)) {
    const input = $(selector);
    input.readOnly = Boolean(prefill);
    input.required = !prefill;
    if (prefill) input.value = value || "";
  }
  $("#details-note").textContent = prefill
    ? _("From your account. To change them, contact the clinic.")
    : _("We'll use these to confirm your booking.");
}

function setUpChoices() {
  const treatment = $("#treatment");
  treatment.replaceChildren(
    ...clinic.treatments.map((t) => {
      const price = clinic.showPrices ? money(t.price) : "";
      return el("option", { value: t.id }, [t.name, _("{minutes} min", { minutes: t.durationMinutes }), price].filter(Boolean).join(" · "));
    }),
  );
  if (clinic.bookingInstructions) {
    $("#instructions").textContent = clinic.bookingInstructions;
    show($("#instructions"));
  }
  const policy = clinic.cancellationPolicy;
  $("#cancellation-text").textContent = policy.text || _n("Please give {hours} hour's notice to cancel.", "Please give {hours} hours' notice to cancel.", policy.noticeHours, { hours: policy.noticeHours });
  if (clinic.termsAndConditions) $("#terms-text").textContent = clinic.termsAndConditions;
  show($("#terms"));
  const first = today(clinic.timezone);
  $("#day").min = first;
  $("#day").max = addDays(first, clinic.bookingHorizonDays);
  treatment.addEventListener("change", () => treatmentChanged(true));
  $("#practitioner").addEventListener("change", () => loadTimes());
  $("#day").addEventListener("change", () => loadTimes());
  treatmentChanged(true);
}

function selectedTreatment() {
  return clinic.treatments.find((t) => t.id === $("#treatment").value);
}

function treatmentChanged(findDay) {
  const treatment = selectedTreatment();
  if (!treatment) return;
  $("#treatment-about").textContent = treatment.description || "";
  show($("#treatment-about"), Boolean(treatment.description));
  const practitioner = $("#practitioner");
  const kept = practitioner.value;
  practitioner.replaceChildren(
    el("option", { value: "" }, _("Any practitioner")),
    ...treatment.practitioners.map((p) => el("option", { value: p.id }, p.name)),
  );
  if (treatment.practitioners.some((p) => p.id === kept)) practitioner.value = kept;
  return loadTimes(findDay);
}

function localDate(iso) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: clinic.timezone }).format(new Date(iso));
}

// Each search for times gets a number; an answer to any but the latest is
// dropped, so a slow one never overwrites a day or times chosen since.
let timesAsked = 0;

// Times for the chosen day; the first time round, the first day with any.
async function loadTimes(findDay = false) {
  const asked = ++timesAsked;
  const stale = () => asked !== timesAsked;
  choose(null);
  const times = $("#times");
  const treatment = selectedTreatment();
  const practitioner = $("#practitioner").value || null;
  times.replaceChildren(el("p", {}, _("Looking for free times…")));
  try {
    if (findDay || !$("#day").value) {
      const from = $("#day").value || $("#day").min;
      const ahead = await freeSlots(slug, treatment.id, from, addDays(from, 13), practitioner);
      if (stale()) return;
      $("#day").value = ahead.length ? localDate(ahead[0].start) : from;
    }
    const day = $("#day").value;
    const slots = byStart(await freeSlots(slug, treatment.id, day, day, practitioner));
    if (stale()) return;
    showTimes(slots, treatment, practitioner);
    watchDay({
      token: bookingToken, slug, treatmentId: treatment.id, day, practitionerId: practitioner,
      onChange: (fresh) => { if (!stale()) freshTimes(byStart(fresh), treatment, practitioner); },
      onResync: async () => {
        const again = byStart(await freeSlots(slug, treatment.id, day, day, practitioner));
        if (!stale()) freshTimes(again, treatment, practitioner);
      },
    });
  } catch (error) {
    if (!stale()) times.replaceChildren(el("p", {}, error.message));
  }
}

let shownTimes = ""; // what the time list shows, as one string: a change that leaves it the same redraws nothing

function timesKey(slots) {
  return slots.map((slot) => `${slot.start}|${slot.practitioner.id}`).join(",");
}

function showTimes(slots, treatment, practitioner) {
  const times = $("#times");
  shownTimes = timesKey(slots);
  if (!slots.length) return noFreeTimes(times, treatment, practitioner);
  renderTimes(times, slots, clinic.timezone, "time", choose);
}

// The day's free times changed while on screen. The time chosen here stays
// while this page holds it (its own hold hides it from the live list too);
// a chosen time someone else took is gone, and the page says so.
function freshTimes(slots, treatment, practitioner) {
  const picked = choice;
  const ours = picked && hold && slots.every((s) => s.start !== picked.start) ? [picked] : [];
  const shown = [...slots, ...ours].sort((a, b) => a.start.localeCompare(b.start));
  const still = picked && shown.find((s) => s.start === picked.start);
  if (timesKey(shown) === shownTimes) return; // nothing on screen changes (a re-read after connecting, as a rule)
  const focused = document.activeElement?.name === "time" ? document.activeElement.value : null;
  showTimes(shown, treatment, practitioner);
  const inputs = [...document.querySelectorAll('#times input[name="time"]')];
  inputs.find((i) => i.value === focused)?.focus(); // the keyboard stays where it was
  if (still) {
    const input = inputs.find((i) => i.value === still.start);
    if (input) input.checked = true;
  } else if (picked) {
    choose(null);
    say(message, _("That time has just been taken. Please pick another."), "error");
  }
}

// A day with no free times: choose another, or wait for one to come free.
function noFreeTimes(times, treatment, practitioner) {
  const day = $("#day").value;
  const join = el("button", { type: "button", id: "join-waitlist" }, _("Join the waitlist"));
  join.addEventListener("click", () => joinWaitlist(join, treatment, practitioner, day));
  times.replaceChildren(el("p", {}, _("No free times on this day. Please choose another date, or join the waitlist: we will text or e-mail you if a time comes free.")), join);
}

async function joinWaitlist(button, treatment, practitioner, day) {
  if (!bookingToken || !session(BOOKING)) {
    return say(message, _("Sign in to your portal first (Book Now there brings you back here), then join the waitlist."), "error");
  }
  button.disabled = true;
  try {
    const input = { clinicSlug: slug, treatmentId: treatment.id, from: day, to: day, practitionerId: practitioner };
    const data = await gql(JOIN, { input }, bookingToken);
    const error = userError(data.joinWaitlist);
    if (error) {
      button.disabled = false;
      return say(message, error.message, "error");
    }
    const what = { treatment: treatment.name, day: when(`${day}T12:00:00Z`, "UTC", { dateStyle: "full" }) };
    say(message, _("You're on the waitlist for {treatment} on {day}. We'll let you know if a time comes free.", what), "success");
  } catch (error) {
    button.disabled = false;
    say(message, error.message, "error");
  }
}

function choose(slot) {
  choice = slot;
  $("#confirm").disabled = !slot;
  const summary = $("#summary");
  letGo();
  if (!slot) return show(summary, false);
  const treatment = selectedTreatment();
  const price = clinic.showPrices ? money(treatment.price) : "";
  const what = { treatment: treatment.name, when: when(slot.start, clinic.timezone), practitioner: slot.practitioner.name };
  summary.textContent = `${_("{treatment}, {when}, with {practitioner}", what)}${price ? ` · ${price}` : ""}`;
  show(summary);
  keep(slot, treatment);
}

// Hold the chosen time so no one else can take it while the form is filled
// in. Without a hold (too many held, say) the booking still goes ahead.
async function keep(slot, treatment) {
  const asked = ++holdsAsked;
  try {
    const data = await gql(HOLD, { c: slug, t: treatment.id, s: slot.start, p: slot.practitioner.id }, bookingToken);
    const error = userError(data.holdSlot);
    if (asked !== holdsAsked || choice !== slot) {
      if (!error) gql(RELEASE, { id: data.holdSlot.hold.id }, bookingToken).catch(() => {});
      return;
    }
    if (error?.code === "SLOT_UNAVAILABLE") {
      say(message, _("That time has just been taken. Please pick another."), "error");
      return loadTimes();
    }
    if (error) return;
    hold = data.holdSlot.hold;
    $("#summary").append(el("span", { class: "small", id: "held-until" },
      ` ${_("Held for you until {time}.", { time: timeOnly(hold.expiresAt, clinic.timezone) })}`));
  } catch {
    // No hold: the booking itself still checks the time.
  }
}

function letGo() {
  holdsAsked++;
  if (!hold) return;
  gql(RELEASE, { id: hold.id }, bookingToken).catch(() => {});
  hold = null;
}

function clientDetails() {
  if (bookingToken) return null;
  return {
    fullName: $("#full-name").value.trim(),
    email: $("#client-email").value.trim(),
    phone: $("#client-phone").value.trim(),
  };
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (busy || !choice) return;
  if (bookingToken && !session(BOOKING)) return sessionEnded();
  const client = clientDetails();
  if (client) {
    const missing = ["#full-name", "#client-email", "#client-phone"].find((s) => !$(s).checkValidity());
    if (missing) {
      say(message, _("Please fill in your name, e-mail and mobile number."), "error");
      return $(missing).focus();
    }
  }
  const input = {
    clinicSlug: slug,
    treatmentId: selectedTreatment().id,
    start: choice.start,
    practitionerId: choice.practitioner.id,
    client,
  };
  const code = verifying() ? $("#verification-code").value.trim() : "";
  if (verifying() && !code) {
    say(message, _("Enter the code we sent you."), "error");
    return $("#verification-code").focus();
  }
  if (code) input.verificationCode = code;
  if (hold && new Date(hold.expiresAt) > new Date()) input.holdId = hold.id;
  // The same choice keeps its key, so a retry or a double click books once.
  const signature = JSON.stringify(input);
  if (attempt?.signature !== signature) attempt = { key: newKey(), signature };
  busy = true;
  $("#confirm").disabled = true;
  say(message, _("Booking…"));
  try {
    const data = await gql(BOOK, { input: { ...input, idempotencyKey: attempt.key } }, bookingToken);
    const error = userError(data.bookAppointment);
    if (error) {
      attempt = null;
      say(message, error.message, "error");
      if (error.code === "VERIFICATION_REQUIRED" || error.code === "INVALID_CODE") return askForCode();
      if (error.code === "UNAUTHENTICATED") return sessionEnded();
      if (HOLD_GONE.includes(error.code)) hold = null;
      if (["SLOT_UNAVAILABLE", "OUTSIDE_BOOKING_WINDOW", ...HOLD_GONE].includes(error.code)) await loadTimes();
      return;
    }
    attempt = null;
    hold = null; // spent: it is the appointment now
    booked(data.bookAppointment.appointment);
  } catch (error) {
    if (error.code === "UNAUTHENTICATED") {
      // The booking session is no longer taken: nothing was booked with it.
      attempt = null;
      return sessionEnded();
    }
    // Unknown outcome: the same key on the next try cannot book twice.
    say(message, `${error.message} ${_("Press Confirm again: you will not be booked twice.")}`, "error");
  } finally {
    busy = false;
    $("#confirm").disabled = !choice;
  }
});

// Typed-in details that match one of the clinic's clients book once the
// code sent to that client is entered; other details need no code.
function verifying() {
  return !bookingToken && !$("#verification").hidden;
}

function askForCode() {
  const field = $("#verification-code");
  show($("#verification"));
  field.value = "";
  field.focus();
}

for (const selector of ["#full-name", "#client-email", "#client-phone"]) {
  $(selector).addEventListener("input", () => show($("#verification"), false));
}

// The booking session from the link has run out: book with typed-in details.
async function sessionEnded() {
  store.remove(BOOKING);
  await details(null);
  say(message, _("Your booking link has run out. Enter your details below to book."), "error");
  $("#full-name").focus();
}

function booked(appointment) {
  say(message, "");
  show($("#verification"), false);
  show(form, false);
  const price = money(appointment.price);
  const what = { treatment: appointment.treatment.name, when: when(appointment.start, clinic.timezone), practitioner: appointment.practitioner.name };
  $("#done-what").textContent = `${_("{treatment}, {when}, with {practitioner}", what)}${price ? ` · ${price}` : ""}.`;
  show($("#done"));
  $("#done").focus();
}

$("#book-another").addEventListener("click", () => {
  show($("#done"), false);
  show(form);
  loadTimes();
  $("#treatment").focus();
});

start();
