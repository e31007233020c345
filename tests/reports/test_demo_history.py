"""What `make run` seeds (`clinicportal seed-demo`) gives the reports
something to show: five weeks of visits, payments and refunds before
today, and leaves the demo client's own bookings as the README lists them."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from models import utcnow
from resolvers.demo.clinics import seed_demo
from tests.conftest import clear_tables, client_token, staff_token

REPORTS = """query($f: Date!, $t: Date!) { reports(from: $f, to: $t) {
  revenue { moneyTaken { amount } listValue { amount } appointments byMethod { method payments refunds } byDay { day } }
  payments { total { payments refunds refunded { amount } } }
  treatmentPopularity { visits }
  staffPerformance { noShows }
  cancellations { cancellations }
} }"""
MINE = """{ me { upcoming: appointments(when: UPCOMING) { edges { node { status } } }
  past: appointments(when: PAST) { edges { node { status } } } } }"""


async def test_the_seeded_demo_shows_payments_refunds_and_completed_visits_over_the_last_five_weeks(api, runtime):
    await clear_tables()
    assert await seed_demo(runtime, history=True) == ["demo", "northside"]
    for slug, zone in (("demo", "Europe/London"), ("northside", "America/New_York")):
        today = utcnow().astimezone(ZoneInfo(zone)).date()
        period = {"f": (today - timedelta(days=35)).isoformat(), "t": (today - timedelta(days=1)).isoformat()}
        found = (await api.data(REPORTS, period, await staff_token(api, slug)))["reports"]
        revenue = found["revenue"]
        assert revenue["appointments"] > 20, slug
        assert float(revenue["moneyTaken"]["amount"]) > 0
        # Some visits were left unpaid and some payments partly refunded.
        assert float(revenue["listValue"]["amount"]) > float(revenue["moneyTaken"]["amount"])
        assert found["payments"]["total"]["refunds"] > 0
        assert sum(1 for m in revenue["byMethod"] if m["payments"]) >= 3
        assert len(revenue["byDay"]) >= 20
        assert sum(t["visits"] for t in found["treatmentPopularity"]) == revenue["appointments"]
        assert sum(s["noShows"] for s in found["staffPerformance"]) > 0
        assert found["cancellations"]["cancellations"] > 0
        # Nothing of it lies ahead.
        ahead = {"f": today.isoformat(), "t": (today + timedelta(days=30)).isoformat()}
        later = (await api.data(REPORTS, ahead, await staff_token(api, slug)))["reports"]
        assert later["payments"]["total"]["payments"] == 0 and later["revenue"]["appointments"] == 0

    mine = (await api.data(MINE, token=await client_token(api)))["me"]
    assert [e["node"]["status"] for e in mine["upcoming"]["edges"]] == ["BOOKED"]
    assert [e["node"]["status"] for e in mine["past"]["edges"]] == ["COMPLETED"]
