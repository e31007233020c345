// The waitlist offer page: the single-use link from a text message or
// e-mail books the time that came free, for the client it was sent to.
import { linkToken, hadToken } from "./link.js";
import { gql, userError, store } from "./gql.js";
import { WaitlistClinic as CLINIC, Claim as CLAIM } from "./graphql/waitlist.js";
import { $, show, say, brand, money, when, slugFromPath } from "./dom.js";
import { _ } from "./i18n.js";

const slug = slugFromPath();
const KEPT = `waitlist-offer:${slug}`;
const message = $("#message");

// The link's token is read once and taken out of the address bar at once
// (link.js), so it is neither bookmarked, shared nor kept in history; the
// tab keeps it for a reload.
if (hadToken) store.set(KEPT, { token: linkToken });
const token = store.get(KEPT)?.token || null;

const TROUBLE = {
  TOKEN_INVALID: _("This link is not valid. Please use the latest message the clinic sent you."),
  TOKEN_EXPIRED: _("This offer has run out. You are still on the waitlist."),
  TOKEN_ALREADY_USED: _("This link has already been used."),
  SLOT_UNAVAILABLE: _("Sorry, this time has gone. You are still on the waitlist."),
};

let clinic = null;
let busy = false;

async function start() {
  try {
    clinic = (await gql(CLINIC, { slug }))?.clinic;
  } catch (error) {
    return finish(error.message);
  }
  if (!clinic) {
    document.title = _("Page not found");
    return finish(_("There is no clinic at this address."));
  }
  brand(clinic, _("A time has come free"));
  if (!token) return finish(_("This page needs the link from your text message or e-mail. Please open that link again."));
  show($("#loading"), false);
  show($("#offer"));
}

function finish(text) {
  show($("#loading"), false);
  say(message, text, "error");
}

$("#claim").addEventListener("click", async () => {
  if (busy) return;
  busy = true;
  $("#claim").disabled = true;
  say(message, _("Booking…"));
  try {
    const data = await gql(CLAIM, { token, slug });
    const error = userError(data.claimWaitlistOffer);
    if (error) {
      store.remove(KEPT);
      show($("#offer"), false);
      return say(message, TROUBLE[error.code] || error.message, "error");
    }
    store.remove(KEPT);
    const appointment = data.claimWaitlistOffer.appointment;
    const price = money(appointment.price);
    say(message, "");
    show($("#offer"), false);
    const what = { treatment: appointment.treatment.name, when: when(appointment.start, clinic.timezone), practitioner: appointment.practitioner.name };
    $("#done-what").textContent = `${_("{treatment}, {when}, with {practitioner}", what)}${price ? ` · ${price}` : ""}.`;
    show($("#done"));
    $("#done").focus();
  } catch (error) {
    say(message, error.message, "error");
  } finally {
    busy = false;
    $("#claim").disabled = false;
  }
});

start();
