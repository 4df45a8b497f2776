"""The full dashboard and a regulator's landing page in a real browser (Playwright driving Debian's Chromium), at
desktop (1366 px) and phone (390 px) widths: every panel's chart drawn beside its table, nothing wider than the
screen, a figure's link opening its rows. Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from peikao.web.tests.test_browser import ARTIFACTS, CHROMIUM, browser_page  # noqa: F401 — the fixture

pytestmark = [pytest.mark.browser]

CHARTS = (
    "chart-trend",
    "chart-fines",
    "chart-fines-regions",
    "chart-pass-rates",
    "chart-alerts",
    "chart-practices",
    "chart-ranking",
)
WIDTHS = ((1366, 900, "desktop"), (390, 844, "phone"))


def _data(world, today: dt.date) -> None:
    """Inspections, fines, exams and alerts of this month and the last, in 鼓楼, 台江 and 厦门."""
    from peikao.enforcement.models import Decision, Inspection
    from peikao.reports.tests.test_dashboard import alert, inspection, sat, sitting

    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=5)
    orgs = world.orgs
    for code, org, day in (("BR-1", "ti_b", today.replace(day=1)), ("BR-2", "ent_a", last_month),
                           ("BR-3", "ent_b", last_month)):  # fmt: skip
        inspection(code, orgs[org], day, findings=2)
    for code, on, amount, high in (("BR-1", today.replace(day=1), 20000, 100000), ("BR-2", last_month, 40000, 50000),
                                   ("BR-3", last_month, 9000, 30000)):  # fmt: skip
        Decision.objects.create(
            code=f"{code}-FINE", inspection=Inspection.objects.get(code=code), measure="fine", decided_on=on,
            fine_yuan=Decimal(amount), fine_low=Decimal(1000), fine_high=Decimal(high),
        )  # fmt: skip
    theory = sitting("BR-T", orgs["ep_a"], "theory", last_month)
    for passed in (True, True, True, False):
        sat(theory, passed=passed)
    practical = sitting("BR-P", orgs["ep_a"], "practical", last_month)
    sat(practical, passed=True)
    other = sitting("BR-T2", orgs["ep_b"], "theory", last_month)
    for passed in (True, False, False):
        sat(other, passed=passed)
    period = (last_month, today)
    alert("br-1", "EXM-TOO-FAST", orgs["ep_a"], period=period)
    alert("br-2", "EXM-TOO-FAST", orgs["ep_b"], period=period, state="dismissed", dismiss_reason="explained")
    alert("br-3", "TRN-DAY-OVERLOAD", orgs["ti_b"], period=period, state="reviewing")


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-for-browser")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _fits(page, width: int) -> None:
    """Nothing makes the page wider than the screen (a wide table scrolls inside its own box)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_dashboard_draws_every_panel_at_desktop_and_phone_widths(live_server, browser_page):  # noqa: F811
    from peikao.testing.worlds import build_world

    world = build_world()
    _data(world, dt.date.today())
    admin = world.users["province_admin"]
    admin.set_password("pw-for-browser")
    admin.save()
    page = browser_page
    _log_in(page, live_server.url, "fj-admin")

    for width, height, name in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/reports/dashboard/")
        for chart in CHARTS:
            page.wait_for_selector(f"#{chart} canvas")
            box = page.locator(f"#{chart}").bounding_box()
            assert box is not None and 0 < box["width"] <= width and box["height"] >= 200, chart
        assert page.locator("#ranking-table tbody tr").count() == 2  # 福州, 厦门
        assert page.locator("#pass-rates-table tbody tr").count() == 2  # 鼓楼's and 台江's exam points
        assert page.locator("#alerts-table tbody tr").count() == 3  # three detectors
        _fits(page, width)
        page.screenshot(path=str(ARTIFACTS / f"reports-dashboard-full-{name}.png"), full_page=True)

    # a figure's link opens its rows: the fines of the period
    page.locator("#panel-fines p.lead a").click()
    page.wait_for_selector("#records-table")
    assert page.locator("#records-table tbody tr").count() == 3
    page.screenshot(path=str(ARTIFACTS / "reports-dashboard-records-phone.png"), full_page=True)


def test_a_regulators_landing_page_shows_its_dashboard_at_desktop_and_phone_widths(live_server, browser_page):  # noqa: F811
    from peikao.testing.worlds import build_world

    world = build_world()
    _data(world, dt.date.today())
    inspector = world.users["city_inspector"]
    inspector.set_password("pw-for-browser")
    inspector.save()
    page = browser_page
    _log_in(page, live_server.url, "fz-inspector")

    for width, height, name in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/")
        page.wait_for_selector("#dashboard-summary #chart-trend canvas")
        page.wait_for_selector("#dashboard-summary #chart-alerts canvas")
        assert page.locator("#dashboard-key-figures article").count() == 5
        assert page.locator("#region-figures").count() == 1  # the work list's cards stay
        _fits(page, width)
        page.screenshot(path=str(ARTIFACTS / f"web-landing-regulator-{name}.png"), full_page=True)
    page.click("#dashboard-link")
    page.wait_for_selector("#chart-fines canvas")
    assert "福州" in page.inner_text("#dashboard-window")
