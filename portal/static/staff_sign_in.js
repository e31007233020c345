// The staff pages' sign-in and sign-out (calendar, reports): a staff session kept
// in this tab, then `signedIn(token)`.
import { gql, userError, store } from "./gql.js";
import { StaffSignIn as SIGN_IN, StaffSignOut } from "./graphql/staff_sign_in.js";
import { $, say } from "./dom.js";

export function staffSignIn({ session, message, signedIn }) {
  $("#sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter;
    button.disabled = true;
    try {
      const data = await gql(SIGN_IN, { email: $("#email").value.trim(), password: $("#password").value });
      const error = userError(data.staffSignIn);
      if (error) return say(message, error.message, "error");
      $("#password").value = "";
      store.set(session, data.staffSignIn.session);
      say(message, "");
      await signedIn(data.staffSignIn.session.token);
    } catch (error) {
      say(message, error.message, "error");
    } finally {
      button.disabled = false;
    }
  });
}

// The sign-out button: the page forgets the session at once (`signedOut`),
// then the server is told; the session is gone from this browser either way.
export function staffSignOut({ token, signedOut }) {
  $("#sign-out").addEventListener("click", async () => {
    const spent = token();
    signedOut("You're signed out.");
    try {
      await gql(StaffSignOut, {}, spent);
    } catch {
      // Gone from this browser either way.
    }
  });
}
