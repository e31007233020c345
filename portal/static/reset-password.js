// The password-reset page: the single-use link from the reset e-mail sets a
// new password, signs the client in and opens My bookings.
import { linkToken, hadToken } from "./link.js";
import { gql, userError, store } from "./gql.js";
import { ResetClinic as CLINIC, Reset as RESET } from "./graphql/reset-password.js";
import { $, show, say, brand, slugFromPath } from "./dom.js";
import { _ } from "./i18n.js";

const slug = slugFromPath();
const KEPT = `reset:${slug}`;
const message = $("#message");

// The token leaves the address bar at once; the tab keeps it for a reload.
if (hadToken) store.set(KEPT, { token: linkToken });
const token = store.get(KEPT)?.token || null;


let busy = false;

async function start() {
  const clinic = (await gql(CLINIC, { slug }).catch(() => null))?.clinic;
  if (clinic) brand(clinic, _("Choose a new password"));
  if (!token) {
    show($("#reset"), false);
    say(message, _("This page needs the link from your e-mail. Please open that link again, or ask for a new one."), "error");
    return;
  }
  // Only if the visitor has not started typing while the clinic's name came.
  if (!document.activeElement || document.activeElement === document.body) $("#password").focus();
}

$("#reset").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (busy) return;
  const password = $("#password").value;
  if (password.length < 10) {
    say(message, _("Choose a password of at least 10 characters."), "error");
    return $("#password").focus();
  }
  if (password !== $("#again").value) {
    say(message, _("The two passwords are not the same."), "error");
    return $("#again").focus();
  }
  busy = true;
  try {
    const result = (await gql(RESET, { token, password })).resetPassword;
    const error = userError(result);
    if (error) {
      say(message, error.message, "error");
      if (error.code !== "INVALID_INPUT") show($("#reset"), false);
      return;
    }
    store.remove(KEPT);
    store.set(`portal:${slug}`, result.session);
    location.assign("./");
  } catch (error) {
    say(message, error.message, "error");
  } finally {
    busy = false;
  }
});

start();
