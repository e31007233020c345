"""The reports page in a real Chromium against a real server process: the
seven reports of the hand-worked clinic (tests/support/reports_data.py)
drawn as charts with the figures tests/reports/ check over the API, read
again when the period changes, and each one's CSV download."""

from __future__ import annotations

from pathlib import Path

from resolvers.demo.clinics import PRACTITIONER_PASSWORD
from tests.support.browser import DESKTOP, OWNER as DEMO_OWNER, shot
from tests.support.browser import chromium, new_page, template  # noqa: F401 (fixtures used below)
from tests.support.reports_site import OWNER, reports_site  # noqa: F401 (a fixture)

try:
    from playwright.async_api import expect
except ImportError:  # the `chromium` fixture says so
    expect = None

CHARTS = """() => Object.fromEntries([...document.querySelectorAll('#charts canvas')].map((canvas) => {
  const chart = Chart.getChart(canvas);
  return [canvas.id.replace('chart-', ''), {
    labels: chart.data.labels,
    series: Object.fromEntries(chart.data.datasets.map((d) => [d.label, d.data])),
  }];
}))"""


async def signed_in(page, site, email: str, password: str) -> None:
    await page.goto(f"{site.url}/reports")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def show_period(page, first: str, last: str) -> None:
    await page.get_by_label("From").fill(first)
    await page.get_by_label("To", exact=True).fill(last)
    await page.get_by_role("button", name="Show").click()
    await page.wait_for_function(
        """([first, last]) => {
          const labels = window.Chart?.getChart(document.querySelector('#chart-revenue'))?.data.labels;
          return labels?.[0] === first && labels?.at(-1) === last;
        }""",
        arg=[first, last],
    )


async def csv_of(page, report: str) -> str:
    async with page.expect_download() as download:
        await page.locator(f"#report-{report}").get_by_role("button", name="Download CSV").click()
    saved = await (await download.value).path()
    return Path(saved).read_bytes().decode("utf-8")


async def test_the_seven_reports_are_drawn_with_the_periods_figures_and_read_again_for_another_period(reports_site, new_page):
    page = await new_page(DESKTOP)
    await signed_in(page, reports_site, *OWNER)
    await expect(page.get_by_role("heading", name="Revenue", exact=True)).to_be_visible()
    assert "Reportville" in await page.title()
    await show_period(page, "2026-03-27", "2026-03-31")
    charts = await page.evaluate(CHARTS)
    assert list(charts) == ["revenue", "payments", "bookings", "staff", "popularity", "retention", "cancellations"]

    # Every day of the period, the quiet Sunday too; Saturday only refunded.
    assert charts["revenue"] == {
        "labels": ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31"],
        "series": {
            "Money taken (GBP)": [80.5, -25, 0, 70, 30.5],
            "List value of completed visits (GBP)": [80.5, 30.5, 0, 50, 30.5],
        },
    }
    assert charts["payments"] == {
        "labels": ["Cash", "Card", "Bank transfer", "Gift card", "Other"],
        "series": {
            "Taken (GBP)": [30.5, 120, 0, 30.5, 0],
            "Refunded (GBP)": [10, 15, 0, 0, 0],
            "Net (GBP)": [20.5, 105, 0, 30.5, 0],
        },
    }
    assert charts["bookings"] == {
        "labels": ["Portal", "Online", "Staff", "Partner", "Moved (not new bookings)"],
        "series": {"Bookings": [1, 2, 1, 1, 1]},
    }
    assert charts["staff"] == {"labels": ["Ana", "Ben"], "series": {"Completed": [4, 1], "No-shows": [1, 0]}}
    # Completed visits only: Eve's missed facial and Carol's booked one are not counted.
    assert charts["popularity"] == {"labels": ["Massage", "Facial"], "series": {"Completed visits": [3, 2]}}
    assert charts["retention"]["series"] == {"Count": [4, 3, 1, 4, 3]}
    assert charts["cancellations"] == {
        "labels": ["After the start", "0–24 h", "24–48 h", "48–168 h", "168 h or more"],
        "series": {"Cancellations": [1, 1, 0, 1, 0]},
    }
    # Each report says what it counts, in the schema's own words.
    await expect(page.locator("#report-revenue .definition")).to_contain_text("less refunds")
    await expect(page.locator("#report-popularity .definition")).to_contain_text("COMPLETED")
    await expect(page.locator("#report-revenue .summary")).to_contain_text("£156.00")
    await shot(page, "reports")

    await show_period(page, "2026-03-30", "2026-03-30")
    charts = await page.evaluate(CHARTS)
    assert charts["revenue"]["series"] == {"Money taken (GBP)": [70], "List value of completed visits (GBP)": [50]}
    assert charts["popularity"] == {"labels": ["Facial"], "series": {"Completed visits": [1]}}
    assert charts["staff"]["series"] == {"Completed": [0, 1], "No-shows": [1, 0]}


async def test_each_report_downloads_as_csv_with_the_periods_figures(reports_site, new_page):
    page = await new_page(DESKTOP)
    await signed_in(page, reports_site, *OWNER)
    await show_period(page, "2026-03-27", "2026-03-31")
    assert await csv_of(page, "revenue") == (
        "Day,Money taken (GBP),List value of completed visits (GBP),Completed visits\r\n"
        "2026-03-27,80.50,80.50,2\r\n"
        "2026-03-28,-25.00,30.50,1\r\n"
        "2026-03-29,0.00,0.00,0\r\n"
        "2026-03-30,70.00,50.00,1\r\n"
        "2026-03-31,30.50,30.50,1\r\n"
    )
    assert await csv_of(page, "payments") == (
        "Method,Payments,Taken (GBP),Refunds,Refunded (GBP),Net (GBP)\r\n"
        "Cash,1,30.50,1,10.00,20.50\r\n"
        "Card,3,120.00,1,15.00,105.00\r\n"
        "Bank transfer,0,0.00,0,0.00,0.00\r\n"
        "Gift card,1,30.50,0,0.00,30.50\r\n"
        "Other,0,0.00,0,0.00,0.00\r\n"
    )
    assert await csv_of(page, "staff") == (
        "Practitioner,Appointments,Completed,No-shows,List value of completed (GBP),Booked minutes,Rostered minutes,Utilisation\r\n"
        "Ana,5,4,1,141.50,210,1560,0.1346\r\n"
        "Ben,2,1,0,50.00,120,240,0.5\r\n"
    )
    assert await csv_of(page, "popularity") == "Treatment,Completed visits,Share\r\nMassage,3,0.6\r\nFacial,2,0.4\r\n"
    assert await csv_of(page, "retention") == (
        "Clients,Count\r\nSeen,4\r\nNew,3\r\nReturning,1\r\nCompleted a visit,4\r\nBooked again,3\r\n"
    )
    assert await csv_of(page, "cancellations") == (
        "Notice given,Cancellations\r\nAfter the start,1\r\n0–24 h,1\r\n24–48 h,0\r\n48–168 h,1\r\n168 h or more,0\r\n"
    )
    bookings = await csv_of(page, "bookings")
    assert bookings.startswith("Source,Bookings\r\nPortal,1\r\nOnline,2\r\n")
    # Another period, another file.
    await show_period(page, "2026-03-30", "2026-03-30")
    assert await csv_of(page, "revenue") == (
        "Day,Money taken (GBP),List value of completed visits (GBP),Completed visits\r\n2026-03-30,70.00,50.00,1\r\n"
    )


async def test_csv_fields_are_quoted_and_text_a_spreadsheet_would_run_is_defused(reports_site, new_page):
    page = await new_page(DESKTOP)
    await page.goto(f"{reports_site.url}/reports")
    text = await page.evaluate(
        """() => import('/assets/csv.js').then(({ csv }) => csv(
          [{ label: 'Treatment, "named"', kind: 'text' }, { label: 'Net', kind: 'money' }],
          [['=HYPERLINK("x")', '-25.00'], ['Line\\nbreak', '1.00'], ['@home', null]]))"""
    )
    assert text == (
        '"Treatment, ""named""",Net\r\n'
        '"\'=HYPERLINK(""x"")",-25.00\r\n'
        '"Line\nbreak",1.00\r\n'
        "'@home,\r\n"
    )


async def test_a_practitioner_is_told_reports_are_for_administrators(reports_site, new_page):
    page = await new_page(DESKTOP)
    await signed_in(page, reports_site, "alex@demo.clinic", PRACTITIONER_PASSWORD)
    await expect(page.locator("#message")).to_contain_text("Reports are for the clinic's administrators")
    await expect(page.locator("#reports")).to_be_hidden()
    assert await page.locator("#charts canvas").count() == 0
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


async def test_the_demo_owner_opens_on_the_last_30_days_of_the_demos_past(reports_site, new_page):
    page = await new_page(DESKTOP)
    await signed_in(page, reports_site, *DEMO_OWNER)
    await page.wait_for_function("() => window.Chart?.getChart(document.querySelector('#chart-cancellations'))")
    charts = await page.evaluate(CHARTS)
    revenue = charts["revenue"]
    assert len(revenue["labels"]) == 30
    assert revenue["labels"][-1] == await page.get_by_label("To", exact=True).input_value()
    assert sum(revenue["series"]["Money taken (GBP)"]) > 0
    assert sum(revenue["series"]["List value of completed visits (GBP)"]) > 0
    assert sum(charts["payments"]["series"]["Refunded (GBP)"]) > 0
    assert sum(charts["popularity"]["series"]["Completed visits"]) > 0

    # A period that ends before it starts: the API's answer, and the charts stay.
    await page.get_by_label("From").fill("2026-03-31")
    await page.get_by_label("To", exact=True).fill("2026-03-01")
    await page.get_by_role("button", name="Show").click()
    await expect(page.locator("#message")).to_contain_text("`to` is on or after `from`")
    assert len((await page.evaluate(CHARTS))["revenue"]["labels"]) == 30
