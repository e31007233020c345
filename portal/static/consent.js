// The consent signing page: the form behind a single-use link from an
// e-mail or text message, read and signed with a typed name and agreement.
import { linkToken, hadToken } from "./link.js";
import { gql, userError, store, GraphQLError } from "./gql.js";
import { ConsentClinic as CLINIC, Consent as REQUEST, Sign as SIGN } from "./graphql/consent.js";
import { $, show, say, brand, when, slugFromPath } from "./dom.js";
import { _, language } from "./i18n.js";

const slug = slugFromPath();
const KEPT = `consent:${slug}`;
const message = $("#message");

// The link's token is read once and taken out of the address bar at once, so
// it is neither bookmarked, shared nor kept in history; the tab keeps it for
// a reload.
if (hadToken) store.set(KEPT, { token: linkToken });
const token = store.get(KEPT)?.token || null;

const TROUBLE = {
  TOKEN_INVALID: _("This consent link is not valid. Please use the latest link the clinic sent you, or ask the clinic for a new one."),
};
// In English the server's own words say which (started or cancelled).
if (language !== "en") {
  TROUBLE.TOKEN_EXPIRED = _("This consent link has expired: the appointment has started or was cancelled.");
  TROUBLE.TOKEN_ALREADY_USED = _("This consent form has already been signed.");
}

let busy = false;

async function start() {
  let clinic = null;
  try {
    clinic = (await gql(CLINIC, { slug }))?.clinic;
  } catch (error) {
    return finish(error.message);
  }
  if (!clinic) {
    document.title = _("Consent form not found");
    return finish(_("There is no clinic at this address."));
  }
  brand(clinic, _("Consent form"));
  if (!token) return finish(_("This page needs the link from your e-mail or text message. Please open that link again."));
  let request;
  try {
    request = (await gql(REQUEST, { token, slug })).consentRequest;
  } catch (error) {
    return finish(trouble(error));
  }
  show($("#loading"), false);
  render(request);
}

function finish(text) {
  show($("#loading"), false);
  say(message, text, "error");
}

// A refused link (TOKEN_INVALID, TOKEN_EXPIRED, RATE_LIMITED) in plain words.
function trouble(error) {
  return (error instanceof GraphQLError && TROUBLE[error.code]) || error.message;
}

function render(request) {
  $("#form-title").textContent = request.title;
  $("#form-body").textContent = request.body;
  $("#treatment").textContent = request.treatmentName;
  $("#practitioner").textContent = request.practitionerName;
  $("#start").textContent = when(request.appointmentStart, request.clinicTimezone);
  show($("#form"));
  if (request.status === "SIGNED") return signed(request, false);
  $("#expires").textContent = _("This link works until your appointment starts ({when}).", { when: when(request.expiresAt, request.clinicTimezone) });
  show($("#sign"));
}

function signed(request, justNow) {
  show($("#sign"), false);
  store.remove(KEPT);
  const at = request.signedAt ? when(request.signedAt, request.clinicTimezone) : null;
  const facts = { name: request.signatureName, clinic: request.clinicName, when: at };
  let text;
  if (justNow && facts.name) text = _("Thank you. You signed this form by {name}. {clinic} has it; there is nothing more to do.", facts);
  else if (justNow) text = _("Thank you. You signed this form. {clinic} has it; there is nothing more to do.", facts);
  else if (facts.name && at) text = _("This form has already been signed by {name} on {when}. There is nothing more to do.", facts);
  else text = _("This form has already been signed. There is nothing more to do.");
  const note = $("#signed");
  note.textContent = text;
  show(note);
  say(message, "");
}

$("#sign").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (busy) return;
  const name = $("#signature").value.trim();
  if (!name) {
    say(message, _("Type your full name to sign."), "error");
    return $("#signature").focus();
  }
  if (!$("#agree").checked) {
    say(message, _("Tick the box to agree to the form before signing."), "error");
    return $("#agree").focus();
  }
  busy = true;
  $("#sign-button").disabled = true;
  say(message, _("Signing…"));
  try {
    const data = await gql(SIGN, { token, name, agree: true, slug });
    const error = userError(data.signConsentForm);
    if (error) {
      say(message, TROUBLE[error.code] || error.message, "error");
      if (error.field?.includes("signatureName")) $("#signature").focus();
      else if (error.field?.includes("agree")) $("#agree").focus();
      else show($("#sign"), false); // the link can no longer sign
      return;
    }
    signed(data.signConsentForm.consentRequest, true);
    $("#form").focus();
  } catch (error) {
    say(message, `${trouble(error)} ${_("Please try again.")}`, "error");
  } finally {
    busy = false;
    $("#sign-button").disabled = false;
  }
});

start();
