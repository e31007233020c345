// The clinic's current privacy policy and user agreement, each under its
// own heading (#PRIVACY_POLICY, #USER_AGREEMENT), for the links of the
// sign-in forms and of the portal's request to accept a new version.
import { gql } from "./gql.js";
import { ClinicDocuments as DOCUMENTS } from "./graphql/documents-page.js";
import { $, el, show, say, brand, when, slugFromPath } from "./dom.js";
import { _ } from "./i18n.js";

async function start() {
  const slug = slugFromPath();
  let clinic;
  try {
    clinic = (await gql(DOCUMENTS, { slug }))?.clinic;
  } catch (error) {
    return say($("#message"), error.message, "error");
  } finally {
    show($("#loading"), false);
  }
  if (!clinic) return say($("#message"), _("There is no clinic portal at this address."), "error");
  brand(clinic, _("Privacy Policy and User Agreement"));
  if (!clinic.legalDocuments.length) return say($("#message"), _("{clinic} has not published these documents yet.", { clinic: clinic.name }));
  $("#documents").replaceChildren(
    ...clinic.legalDocuments.map((d) =>
      el(
        "section",
        { id: d.kind, "aria-labelledby": `${d.kind}-title` },
        el("h2", { id: `${d.kind}-title`, tabindex: "-1" }, d.title),
        el("p", { class: "small" }, _("Version {version}, published {date}", { version: d.version, date: when(d.publishedAt, clinic.timezone, { dateStyle: "long" }) })),
        el("p", { class: "prewrap" }, d.body),
      ),
    ),
  );
  const target = location.hash && document.getElementById(`${location.hash.slice(1)}-title`);
  target?.focus();
}

start();
