// The reports page: staff sign-in, a period in the clinic's dates, and the
// seven reports drawn as charts (Chart.js, served by the app), each with its
// figures as a table and as a CSV download. Who may read them is the API's
// call: the page shows what `reports` answers, or why it would not.
import { staffSignIn, staffSignOut } from "./staff_sign_in.js";
import { gql, store, session } from "./gql.js";
import { ReportsClinic as CLINIC } from "./graphql/reports.js";
import { $, el, show, say, brand, today, addDays, money } from "./dom.js";
import { QUERY, DEFINITIONS, tables } from "./report_tables.js";
import { csv, download } from "./csv.js";

const SESSION = "reports:staff";
const DEFAULT_DAYS = 30;
const COLOURS = ["#1f6f8b", "#e08a2c", "#6a9f3a", "#b8435a", "#7a5fb0"];
const message = $("#message");

let token = session(SESSION)?.token || null;
let clinic = null;
let definitions = {};
let shown = []; // the tables on screen
let generation = 0;

async function start() {
  if (!token) return showSignIn();
  try {
    clinic = (await gql(CLINIC, {}, token)).myClinic;
  } catch (error) {
    if (error.code === "UNAUTHENTICATED") return signedOut("Your session has ended. Please sign in again.");
    return say(message, error.message, "error");
  }
  if (!clinic) return signedOut("Your session has ended. Please sign in again.");
  brand(clinic, "Reports");
  $("#clinic-name").textContent = `${clinic.name} · Reports`;
  show($("#sign-in"), false);
  show($("#sign-out"));
  try {
    const found = await gql(DEFINITIONS, {}, token);
    // The schema quotes field names in backticks; the page shows plain words.
    definitions = Object.fromEntries(Object.entries(found).map(([k, v]) => [k, (v?.description || "").replaceAll("`", "")]));
  } catch {
    definitions = {}; // the charts still stand without their definitions
  }
  const last = today(clinic.timezone);
  $("#to").value = last;
  $("#from").value = addDays(last, 1 - DEFAULT_DAYS);
  await read();
}

function showSignIn() {
  show($("#reports"), false);
  show($("#sign-out"), false);
  show($("#sign-in"));
  $("#email").focus();
}

function signedOut(text) {
  token = null;
  clinic = null;
  store.remove(SESSION);
  clearCharts();
  say(message, text);
  showSignIn();
}

// Reads the period's reports and draws them; a newer read wins.
async function read() {
  const mine = ++generation;
  const from = $("#from").value;
  const to = $("#to").value;
  if (!from || !to) return say(message, "Choose the first and the last day of the period.", "error");
  $("#charts").setAttribute("aria-busy", "true");
  try {
    const found = (await gql(QUERY, { from, to }, token)).reports;
    if (mine !== generation) return;
    say(message, "");
    show($("#reports"));
    render(found);
  } catch (error) {
    if (mine !== generation) return;
    if (error.code === "UNAUTHENTICATED") {
      // Signed in, but not allowed: reports are for the clinic's administrators.
      const stillSignedIn = await gql(CLINIC, {}, token).then((d) => d.myClinic, () => null);
      if (!stillSignedIn) return signedOut("Your session has ended. Please sign in again.");
      show($("#reports"), false);
      return say(message, "Reports are for the clinic's administrators. This account can't see them.", "error");
    }
    say(message, error.message, "error");
  } finally {
    if (mine === generation) $("#charts").setAttribute("aria-busy", "false");
  }
}

function clearCharts() {
  for (const canvas of document.querySelectorAll("#charts canvas")) window.Chart?.getChart(canvas)?.destroy();
  $("#charts").replaceChildren();
  shown = [];
}

function render(found) {
  clearCharts();
  const long = new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeZone: "UTC" });
  const asDate = (d) => new Date(`${d}T12:00:00Z`);
  $("#period-note").textContent = `${long.format(asDate(found.from))} to ${long.format(asDate(found.to))}, in the clinic's time zone (${found.timezone}).`;
  shown = tables(found);
  $("#charts").replaceChildren(...shown.map((table) => section(table, found)));
  for (const table of shown) draw(table);
}

function display(value, kind, currency) {
  if (value === null || value === undefined) return "–";
  if (kind === "money") return money({ amount: value, currency });
  if (kind === "ratio") return `${Math.round(value * 1000) / 10} %`;
  if (kind === "int") return new Intl.NumberFormat().format(value);
  return String(value);
}

function section(table, found) {
  const id = `report-${table.key}`;
  return el(
    "section",
    { class: "report", id, "aria-labelledby": `${id}-title` },
    el("div", { class: "row" },
      el("h2", { id: `${id}-title` }, table.title),
      el("button", { type: "button", class: "quiet", "data-csv": table.key, onclick: () => offer(table, found) }, `Download CSV`),
    ),
    definitions[table.type] ? el("p", { class: "small definition" }, definitions[table.type]) : null,
    table.summary ? el("p", { class: "summary" }, table.summary) : null,
    el("div", { class: "chart" }, el("canvas", { id: `chart-${table.key}`, role: "img", "aria-label": `${table.title} chart` })),
    el("details", {},
      el("summary", {}, "Figures"),
      el("table", {},
        el("thead", {}, el("tr", {}, ...table.columns.map((c) => el("th", { scope: "col" }, c.label)))),
        el("tbody", {}, ...table.rows.map((row) => el("tr", {}, ...row.map((v, i) => el("td", {}, display(v, table.columns[i].kind, found.currency)))))),
      ),
    ),
  );
}

function draw(table) {
  if (!window.Chart) return say(message, "The charts could not be drawn; the figures are in the tables.", "error");
  const canvas = $(`#chart-${table.key}`);
  const { labels, series } = table.chart;
  new window.Chart(canvas, {
    type: table.chart.type,
    data: {
      labels: table.rows.map((row) => row[labels]),
      datasets: series.map((column, i) => ({
        label: table.columns[column].label,
        data: table.rows.map((row) => (row[column] === null ? null : Number(row[column]))),
        backgroundColor: COLOURS[i % COLOURS.length],
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: series.length > 1 } },
      // Counts have whole-number steps.
      scales: { y: { beginAtZero: true, ticks: series.every((c) => table.columns[c].kind === "int") ? { precision: 0 } : {} } },
    },
  });
}

function offer(table, found) {
  download(`${clinic.slug}-${table.key}-${found.from}-to-${found.to}.csv`, csv(table.columns, table.rows));
}

$("#period").addEventListener("submit", (event) => {
  event.preventDefault();
  read();
});

staffSignIn({
  session: SESSION,
  message,
  signedIn: async (fresh) => {
    token = fresh;
    await start();
  },
});

staffSignOut({ token: () => token, signedOut });

start();
