// The clinic's privacy policy and user agreement in the portal: linked
// from the sign-in forms, and asked for again once the clinic publishes a
// version the client has not accepted. A server without them hides both.
import { gql, optional, userError } from "./gql.js";
import { $, el, show, say } from "./dom.js";

const CURRENT = `query($slug: String!) { clinic(slug: $slug) { legalDocuments { id kind title } } }`;
const TO_ACCEPT = `query { me { documentsToAccept { id kind version title } } }`;
const ACCEPT = `mutation($ids: [ID!]!) { acceptLegalDocuments(documentIds: $ids) {
  documentsToAccept { id } userErrors { code message } } }`;

function link(document) {
  return el("a", { href: `documents#${document.kind}`, target: "_blank", rel: "noopener" }, document.title);
}

// "the User Agreement and the Privacy Policy", as links.
function linked(documents) {
  const parts = [];
  documents.forEach((d, i) => {
    if (i > 0) parts.push(i === documents.length - 1 ? " and " : ", ");
    parts.push("the ", link(d));
  });
  return parts;
}

export async function linkDocuments(slug) {
  const data = await optional(CURRENT, { slug }).catch(() => null);
  const documents = data?.clinic?.legalDocuments || [];
  const links = $("#documents-links");
  if (!documents.length) return show(links, false);
  links.replaceChildren("By signing in you agree to ", ...linked(documents), ".");
  show(links);
  $("#accept-terms-text").replaceChildren("I accept ", ...linked(documents));
}

// Asks the signed-in client to accept the versions they have not accepted.
export async function askToAccept(token) {
  const box = $("#accept-documents");
  const data = await optional(TO_ACCEPT, {}, token).catch(() => null);
  const pending = data?.me?.documentsToAccept || [];
  if (!pending.length) return show(box, false);
  const several = pending.length > 1;
  $("#accept-documents-text").replaceChildren(
    `${several ? "These documents have" : "This document has"} changed since you last agreed: please read `,
    ...linked(pending),
    ` and accept ${several ? "them" : "it"}.`,
  );
  const button = $("#accept-documents-button");
  button.onclick = async () => {
    button.disabled = true;
    try {
      const result = (await gql(ACCEPT, { ids: pending.map((d) => d.id) }, token)).acceptLegalDocuments;
      const error = userError(result);
      if (error) return say($("#message"), error.message, "error");
      show(box, false);
      say($("#message"), "Thank you: your agreement is recorded.");
    } catch (error) {
      say($("#message"), error.message, "error");
    } finally {
      button.disabled = false;
    }
  };
  show(box);
}
