// Balances: account credit, memberships, gift cards and loyalty cards. A
// server without them (an unknown field) hides the section. Hands back what
// it read (null without it): the portal tells from it what is covered.
import { gql } from "./gql.js";
import { Balances } from "./graphql/balances.js";
import { $, el, show, money, when } from "./dom.js";
import { _, _n } from "./i18n.js";

// A loyalty card: its balance, then how it earns and the programme's terms.
function loyaltyLine(l) {
  const held = [
    l.programme,
    l.kind === "POINTS" ? _n("{points} point", "{points} points", l.points, { points: l.points }) : null,
    l.cashback ? _("{amount} cashback", { amount: money(l.cashback) }) : null,
    l.discountPercent ? _("{percent}% off", { percent: l.discountPercent }) : null,
  ]
    .filter(Boolean)
    .join(" · ");
  return [
    el("span", { class: "loyalty-balance" }, held),
    l.rule?.description ? el("span", { class: "small loyalty-rule" }, ` (${l.rule.description})`) : null,
    l.terms ? el("details", { class: "loyalty-terms" }, el("summary", {}, _("Terms")), el("p", { class: "small prewrap" }, l.terms)) : null,
  ];
}

export async function renderBalances(token, timeZone) {
  let data;
  try {
    data = await gql(Balances, {}, token);
  } catch {
    data = null;
  }
  const me = data?.me;
  const body = $("#balances-body");
  body.replaceChildren();
  if (!me) {
    show($("#balances"), false);
    return null;
  }
  const expires = (iso) => (iso ? ` · ${_("expires {date}", { date: when(iso, timeZone, { dateStyle: "medium" }) })}` : "");
  if (me.accountBalance) body.append(el("p", {}, _("Account balance:"), " ", el("strong", {}, money(me.accountBalance))));
  const lists = [
    [_("Memberships"), me.memberships, (m) => {
        const covers = m.treatments?.length ? ` (${m.treatments.map((t) => t.name).join(", ")})` : "";
        const counts = { left: m.sessionsRemaining, total: m.sessionsTotal };
        const left = _n("{left} of {total} session left", "{left} of {total} sessions left", m.sessionsTotal, counts);
        return `${m.name}${covers}: ${left}${expires(m.expiresAt)}`;
      }],
    [_("Gift cards"), me.giftCards, (g) => `${g.code}: ${_("{left} of {initial}", { left: money(g.remainingValue), initial: money(g.initialValue) })}${expires(g.expiresAt)}`],
    [_("Loyalty"), me.loyaltyCards, loyaltyLine],
  ];
  for (const [title, items, line] of lists) {
    if (items?.length) body.append(el("h4", {}, title), el("ul", {}, ...items.map((item) => el("li", {}, line(item)))));
  }
  show($("#balances"), body.childElementCount > 0);
  return me;
}
