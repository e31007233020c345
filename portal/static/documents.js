// The clinic's privacy policy and user agreement in the portal: linked
// from the sign-in forms, and asked for again once the clinic publishes a
// version the client has not accepted. A server without them hides both.
import { gql, optional, userError } from "./gql.js";
import { CurrentDocuments as CURRENT, DocumentsToAccept as TO_ACCEPT, AcceptDocuments as ACCEPT } from "./graphql/documents.js";
import { $, el, show, say } from "./dom.js";
import { _, _n, language, locale } from "./i18n.js";

function link(document) {
  return el("a", { href: `documents#${document.kind}`, target: "_blank", rel: "noopener" }, document.title);
}

// "the User Agreement and the Privacy Policy", as links, in the page's
// language: the list joined the language's way (Intl.ListFormat), each
// title with the article the language gives it.
function linked(documents) {
  const marks = documents.map((_d, i) => `\u0000${i}\u0000`);
  const joined = new Intl.ListFormat(locale || language, { type: "conjunction" }).format(
    // Translators: one document in a list of documents to accept ("the Privacy Policy"); {document} is its title.
    marks.map((mark) => _("the {document}", { document: mark })),
  );
  return joined.split("\u0000").map((part, i) => (i % 2 ? link(documents[Number(part)]) : part)).filter((part) => part !== "");
}

// A translated text whose {documents} placeholder is the linked list.
function withDocuments(text, documents) {
  const [before, after = ""] = text.split("{documents}");
  return [before, ...linked(documents), after].filter((part) => part !== "");
}

export async function linkDocuments(slug) {
  const data = await optional(CURRENT, { slug }).catch(() => null);
  const documents = data?.clinic?.legalDocuments || [];
  const links = $("#documents-links");
  if (!documents.length) return show(links, false);
  links.replaceChildren(...withDocuments(_("By signing in you agree to {documents}."), documents));
  show(links);
  $("#accept-terms-text").replaceChildren(...withDocuments(_("I accept {documents}"), documents));
}

// Asks the signed-in client to accept the versions they have not accepted.
export async function askToAccept(token) {
  const box = $("#accept-documents");
  const data = await optional(TO_ACCEPT, {}, token).catch(() => null);
  const pending = data?.me?.documentsToAccept || [];
  if (!pending.length) return show(box, false);
  const asked = _n(
    "This document has changed since you last agreed: please read {documents} and accept it.",
    "These documents have changed since you last agreed: please read {documents} and accept them.",
    pending.length,
  );
  $("#accept-documents-text").replaceChildren(...withDocuments(asked, pending));
  const button = $("#accept-documents-button");
  button.onclick = async () => {
    button.disabled = true;
    try {
      const result = (await gql(ACCEPT, { ids: pending.map((d) => d.id) }, token)).acceptLegalDocuments;
      const error = userError(result);
      if (error) return say($("#message"), error.message, "error");
      show(box, false);
      say($("#message"), _("Thank you: your agreement is recorded."));
    } catch (error) {
      say($("#message"), error.message, "error");
    } finally {
      button.disabled = false;
    }
  };
  show(box);
}
