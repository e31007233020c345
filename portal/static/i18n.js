// The page's language: its texts come from the app's message catalogues
// (GET /i18n/portal.json, built from the same .po files as the SMS and
// e-mails), dates and prices are written by Intl in that language.
//
// Which language: a ?lang= link, else the one chosen in this browser
// (localStorage), else the server's pick from the browser's Accept-Language.
// A signed-in client's own language (setLanguage) is applied by the portal.
//
// Marking texts: `_("Text with {name}", { name })` in scripts, `data-i18n`
// on an element whose text is to be translated (`data-i18n-attr="aria-label"`
// for attributes) in the pages; then `make messages` and translate.
//
// Only the client's pages (those with a #language-switcher) are translated;
// the staff calendar stays English, with the browser's own date formats.

const KEY = "clinicportal:language";

function remembered() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

const translated = document.getElementById("language-switcher") !== null;
const linked = translated ? new URLSearchParams(location.search).get("lang") : null;
if (linked) remember(linked);

async function load(asked) {
  const query = asked ? `?lang=${encodeURIComponent(asked)}` : "";
  try {
    const response = await fetch(`/i18n/portal.json${query}`, { headers: { accept: "application/json" } });
    if (response.ok) return await response.json();
  } catch {
    // Offline or an older server: the page stays in English.
  }
  return { language: "en", languages: [], messages: {} };
}

const loaded = translated ? await load(linked || remembered()) : { language: "en", languages: [], messages: {} };
const messages = loaded.messages || {};

// The language the page is in ("de"), and its choices [{ code, name }].
export const language = loaded.language || "en";
export const languages = loaded.languages || [];

// For Intl: the browser's own variant when it is of this language (en-GB
// keeps its day-month order), else the language itself; on a page that is
// not translated, the browser's own.
const variant = (navigator.languages || [navigator.language]).find((tag) => tag?.split("-")[0] === language);
export const locale = translated ? variant || language : undefined;
// For the server (Accept-Language of its requests): the page's language, if translated.
export const pageLanguage = translated ? language : null;

function fill(text, values) {
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// The chosen text, with {name} placeholders filled in as plain text.
export function _(text, values = null) {
  const found = messages[text];
  return fill(typeof found === "string" ? found : text, values);
}

// A text that depends on a number: the language's form for `count` (the
// catalogue's forms, picked by the number's CLDR plural category).
const rules = new Intl.PluralRules(language);
export function _n(singular, plural, count, values = null) {
  const forms = messages[singular];
  if (Array.isArray(forms)) {
    const index = loaded.plural?.[rules.select(count)] ?? (count === 1 ? 0 : 1);
    if (forms[index]) return fill(forms[index], values);
  }
  return fill(count === 1 ? singular : plural, values);
}

// Remembered in this browser for the next visit.
export function remember(code) {
  try {
    localStorage.setItem(KEY, code);
  } catch {
    // Private windows may refuse storage: the choice lasts this page only.
  }
}

export function rememberedLanguage() {
  return remembered();
}

// Shows the page in another language: remembered, then the page is read
// again (a ?lang= in the address would otherwise win).
export function switchTo(code) {
  remember(code);
  const url = new URL(location.href);
  url.searchParams.delete("lang");
  location.replace(url.href);
}

function translatePage() {
  document.documentElement.lang = language;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = _(node.textContent.split(/\s+/).filter(Boolean).join(" "));
  }
  for (const node of document.querySelectorAll("[data-i18n-attr]")) {
    for (const name of node.dataset.i18nAttr.split(",")) {
      const value = node.getAttribute(name.trim());
      if (value) node.setAttribute(name.trim(), _(value.split(/\s+/).filter(Boolean).join(" ")));
    }
  }
}

// Runs before the page switches language (the portal stores a signed-in
// client's choice through setLanguage).
let beforeSwitch = null;
export function whenChosen(work) {
  beforeSwitch = work;
}

// The language switcher: a <select> in #language-switcher, on every page.
function setUpSwitcher() {
  const holder = document.getElementById("language-switcher");
  if (!holder || languages.length < 2) return;
  const select = holder.querySelector("select");
  select.replaceChildren(
    ...languages.map(({ code, name }) => {
      const option = document.createElement("option");
      option.value = code;
      option.lang = code;
      option.textContent = name;
      option.selected = code === language;
      return option;
    }),
  );
  select.addEventListener("change", async () => {
    select.disabled = true;
    try {
      if (beforeSwitch) await beforeSwitch(select.value);
    } finally {
      switchTo(select.value);
    }
  });
  holder.hidden = false;
}

translatePage();
setUpSwitcher();
