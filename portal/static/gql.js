// GraphQL over HTTP at the same origin, and the few helpers every page needs.
import { _, language, pageLanguage } from "./i18n.js";

export class GraphQLError extends Error {
  constructor(errors) {
    const code = errors[0]?.extensions?.code;
    super((language !== "en" && SAID[code]) || errors.map((e) => e.message).join("; "));
    this.errors = errors;
    this.code = errors[0]?.extensions?.code || null;
  }
  // The server does not know a field yet (an older server than this page).
  get unknownField() {
    return this.errors.some((e) => /Cannot query field/.test(e.message));
  }
}

// `document` is a page document's id, as /assets/graphql/<script>.js gives
// it (`{ documentId, operationName }`), or a document's text.
export function requestOf(document, variables) {
  return typeof document === "string" ? { query: document, variables } : { ...document, variables };
}

export async function gql(document, variables = {}, token = null) {
  const headers = { "content-type": "application/json", accept: "application/json" };
  if (pageLanguage) headers["accept-language"] = pageLanguage;
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify(requestOf(document, variables)) });
  } catch {
    throw new Error(_("Can't reach the server. Check your connection and try again."));
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(_("The server answered {status}. Please try again.", { status: response.status }));
  }
  if (body.errors?.length) throw new GraphQLError(body.errors);
  return body.data;
}

// A query whose fields the server may not have yet: null instead of an error.
export async function optional(query, variables = {}, token = null) {
  try {
    return await gql(query, variables, token);
  } catch (error) {
    if (error instanceof GraphQLError && error.unknownField) return null;
    throw error;
  }
}

// What the server's codes mean to a client, in the page's language; in
// English, and for other answers, the server's own (more precise) message.
const SAID = {
  INVALID_CREDENTIALS: _("The e-mail or password is wrong."),
  INVALID_CODE: _("This code is wrong or has expired. Ask for a new one if needed."),
  RATE_LIMITED: _("Too many attempts. Please wait a little and try again."),
  SLOT_UNAVAILABLE: _("That time has just been taken. Please pick another."),
  OUTSIDE_BOOKING_WINDOW: _("That time cannot be booked online: it is too soon or too far ahead."),
  CANCELLATION_WINDOW_CLOSED: _("It is too close to the appointment to change it online; please call the clinic."),
  APPOINTMENT_LOCKED: _("Past, completed and cancelled appointments cannot be changed."),
  APPOINTMENT_RESCHEDULED: _("This appointment has been moved. Reload the page to see its new time."),
  NEW_CLIENTS_NOT_ACCEPTED: _("This clinic is not taking new clients online."),
  PORTAL_DISABLED: _("This clinic's online portal is closed."),
  TREATMENT_NOT_OFFERED: _("This treatment cannot be booked online with this practitioner."),
  TERMS_NOT_ACCEPTED: _("Please accept the privacy policy and the user agreement to sign in."),
  SMS_UNAVAILABLE: _("This clinic does not send sign-in codes by SMS; sign in with your e-mail."),
  UNAUTHENTICATED: _("Your session has ended. Please sign in again."),
  VERIFICATION_REQUIRED: _("These details belong to one of the clinic's clients. We have sent a code to the mobile number or e-mail address the clinic has for them: enter it to book."),
  PORTAL_ACCESS_DISABLED: _("The clinic does not take this in its online portal; please call the clinic."),
};
const SAID_OF_FIELD = {
  email: _("Enter a valid e-mail address."),
  phone: _("Enter a valid phone number with its country code."),
  fullName: _("Enter your full name (at most 200 characters)."),
  signatureName: _("Type your full name to sign."),
  agree: _("Tick the box to agree to the form before signing."),
  verificationCode: _("Enter the code we sent you."),
};

// The first user error of a mutation payload as a message (or null).
export function userError(payload) {
  const error = payload?.userErrors?.[0];
  if (!error) return null;
  const field = error.field?.[error.field.length - 1];
  const translated = SAID[error.code] || (error.code === "INVALID_INPUT" && SAID_OF_FIELD[field]);
  const message = (language !== "en" && translated) || error.message;
  return { code: error.code, message, field: error.field };
}

// Tokens live in sessionStorage only: gone when the tab closes, never in a URL.
export const store = {
  get(key) {
    try {
      return JSON.parse(sessionStorage.getItem(`clinicportal:${key}`));
    } catch {
      return null;
    }
  },
  set(key, value) {
    sessionStorage.setItem(`clinicportal:${key}`, JSON.stringify(value));
  },
  remove(key) {
    sessionStorage.removeItem(`clinicportal:${key}`);
  },
};

// A stored session, unless it has expired.
export function session(key) {
  const saved = store.get(key);
  if (!saved?.token) return null;
  if (saved.expiresAt && Date.parse(saved.expiresAt) <= Date.now()) {
    store.remove(key);
    return null;
  }
  return saved;
}
