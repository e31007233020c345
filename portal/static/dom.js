// Building the page: every piece of data goes in as text, never as markup.
import { _, locale } from "./i18n.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function show(node, visible = true) {
  node.hidden = !visible;
}

// Messages read out by screen readers (the region has aria-live).
export function say(region, text, kind = "info") {
  region.textContent = text || "";
  region.dataset.kind = kind;
  region.hidden = !text;
}

export function money(price) {
  if (!price) return "";
  const amount = Number(price.amount);
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: price.currency }).format(amount);
  } catch {
    return `${price.amount} ${price.currency}`;
  }
}

export function when(iso, timeZone, options = { dateStyle: "full", timeStyle: "short" }) {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(iso));
}

export function timeOnly(iso, timeZone) {
  return new Intl.DateTimeFormat(locale, { timeStyle: "short", timeZone }).format(new Date(iso));
}

// Today's date (YYYY-MM-DD) in a time zone.
export function today(timeZone) {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

export function addDays(isoDate, days) {
  const d = new Date(`${isoDate}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// The clinic's colour and logo, and its name in the title.
// An image address the page may load: https, or this server's own (the
// logos it stores are served from it, over http in development).
function safeImage(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === "https:" || parsed.origin === location.origin;
  } catch {
    return false;
  }
}

export function brand(clinic, pageName) {
  document.title = pageName ? `${pageName} · ${clinic.name}` : clinic.name;
  const colour = clinic.branding?.backgroundColor;
  if (colour && /^#[0-9a-fA-F]{3,8}$/.test(colour)) document.documentElement.style.setProperty("--brand", colour);
  const name = $("#clinic-name");
  if (name) name.textContent = clinic.name;
  const logo = $("#clinic-logo");
  const url = clinic.branding?.logoUrl;
  if (logo && url && safeImage(url)) {
    logo.src = url;
    logo.alt = _("{clinic} logo", { clinic: clinic.name });
    logo.hidden = false;
  }
}

// A modal dialog: focus moves in, stays in (native <dialog>), Escape closes,
// and focus returns to what opened it.
export function openDialog(dialog, opener) {
  dialog.showModal();
  const first = dialog.querySelector("[autofocus]") || dialog.querySelector("button, input, select, textarea");
  first?.focus();
  dialog.addEventListener("close", () => opener?.focus(), { once: true });
}

export function slugFromPath() {
  const match = location.pathname.match(/^\/p\/([^/]+)/);
  return match ? decodeURIComponent(match[1]) : null;
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}
