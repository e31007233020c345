// Balances: account credit, memberships, gift cards and loyalty cards. A
// server without them (an unknown field) hides the section. Hands back what
// it read (null without it): the portal tells from it what is covered.
import { optional } from "./gql.js";
import { $, el, show, money, when } from "./dom.js";

const BALANCES = (loyaltyExtra) => `query Balances { me { accountBalance { amount currency }
  memberships { id name sessionsTotal sessionsRemaining expiresAt treatments { id name } }
  giftCards { id code initialValue { amount currency } remainingValue { amount currency } expiresAt }
  loyaltyCards { id programme kind points cashback { amount currency } discountPercent ${loyaltyExtra} } } }`;

// A loyalty card: its balance, then how it earns and the programme's terms.
function loyaltyLine(l) {
  const held = [l.programme, l.kind === "POINTS" ? `${l.points} points` : null, l.cashback ? `${money(l.cashback)} cashback` : null, l.discountPercent ? `${l.discountPercent}% off` : null]
    .filter(Boolean)
    .join(" · ");
  return [
    el("span", { class: "loyalty-balance" }, held),
    l.rule?.description ? el("span", { class: "small loyalty-rule" }, ` (${l.rule.description})`) : null,
    l.terms ? el("details", { class: "loyalty-terms" }, el("summary", {}, "Terms"), el("p", { class: "small prewrap" }, l.terms)) : null,
  ];
}

export async function renderBalances(token, timeZone) {
  let data;
  try {
    // Older servers know neither the rule nor the terms.
    data = (await optional(BALANCES("rule { description } terms"), {}, token)) ?? (await optional(BALANCES(""), {}, token));
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
  const expires = (iso) => (iso ? ` · expires ${when(iso, timeZone, { dateStyle: "medium" })}` : "");
  if (me.accountBalance) body.append(el("p", {}, "Account balance: ", el("strong", {}, money(me.accountBalance))));
  const lists = [
    ["Memberships", me.memberships, (m) => {
        const covers = m.treatments?.length ? ` (${m.treatments.map((t) => t.name).join(", ")})` : "";
        return `${m.name}${covers}: ${m.sessionsRemaining} of ${m.sessionsTotal} sessions left${expires(m.expiresAt)}`;
      }],
    ["Gift cards", me.giftCards, (g) => `${g.code}: ${money(g.remainingValue)} of ${money(g.initialValue)}${expires(g.expiresAt)}`],
    ["Loyalty", me.loyaltyCards, loyaltyLine],
  ];
  for (const [title, items, line] of lists) {
    if (items?.length) body.append(el("h4", {}, title), el("ul", {}, ...items.map((item) => el("li", {}, line(item)))));
  }
  show($("#balances"), body.childElementCount > 0);
  return me;
}
