// Client sign-in forms: e-mail and password, or phone and a code sent by
// text message (where the clinic has it). `onSession` receives the session.
import { gql, userError } from "./gql.js";
import { SignIn, RequestCode, VerifyCode } from "./graphql/signin.js";
import { $, show, say } from "./dom.js";
import { _ } from "./i18n.js";

async function submitting(event, work) {
  event.preventDefault();
  const button = event.submitter;
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    say($("#message"), error.message, "error");
  } finally {
    button.disabled = false;
  }
}

export function setUpSignIn(slug, onSession) {
  const message = $("#message");
  $("#email-form").addEventListener("submit", (event) =>
    submitting(event, async () => {
      const data = await gql(
        SignIn,
        { slug, email: $("#email").value.trim(), password: $("#password").value },
      );
      const error = userError(data.signIn);
      if (error) return say(message, error.message, "error");
      $("#password").value = "";
      await onSession(data.signIn.session);
    }),
  );

  $("#phone-form").addEventListener("submit", (event) =>
    submitting(event, async () => {
      const data = await gql(
        RequestCode,
        { slug, phone: $("#phone").value.trim(), accepted: $("#accept-terms").checked },
      );
      const error = userError(data.requestSignInCode);
      if (error) return say(message, error.message, "error");
      say(message, _("We've sent you a code by text message. Enter it below."));
      show($("#code-form"));
      $("#code").focus();
    }),
  );

  $("#code-form").addEventListener("submit", (event) =>
    submitting(event, async () => {
      const data = await gql(
        VerifyCode,
        { slug, phone: $("#phone").value.trim(), code: $("#code").value.trim() },
      );
      const error = userError(data.verifySignInCode);
      if (error) return say(message, error.message, "error");
      $("#code").value = "";
      show($("#code-form"), false);
      await onSession(data.verifySignInCode.session);
    }),
  );
}
