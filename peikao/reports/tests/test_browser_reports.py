"""The dashboard and the notice in a real browser (Playwright driving Debian's Chromium), at desktop and phone
widths. Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import datetime as dt

import pytest

from peikao.web.tests.test_browser import ARTIFACTS, CHROMIUM, browser_page  # noqa: F401 — the fixture

pytestmark = [pytest.mark.browser]


def test_a_regulator_sees_the_dashboard_charts_and_previews_the_notice(live_server, browser_page):  # noqa: F811
    from peikao.enforcement.models import Finding, Inspection
    from peikao.testing.worlds import build_world

    world = build_world()
    admin = world.users["province_admin"]
    admin.set_password("pw-for-browser")
    admin.save()
    today = dt.date.today()
    inspection = Inspection.objects.create(
        code="BR-1", organization=world.orgs["ti_b"], region_id="350103", kind="routine",
        inspected_on=today.replace(day=1), status="completed",
    )  # fmt: skip
    Finding.objects.create(code="BR-F", inspection=inspection, description="问题")
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "fj-admin")
    page.fill("input[name=password]", "pw-for-browser")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/reports/dashboard/")
        page.wait_for_selector("#chart-trend canvas")
        page.wait_for_selector("#chart-ranking canvas")
        assert page.locator("#ranking-table tbody tr").count() == 1  # 福州 (厦门 has no inspection)
        box = page.locator("#chart-trend").bounding_box()
        assert box is not None and box["width"] <= width
        page.screenshot(path=str(ARTIFACTS / f"reports-dashboard-{name}.png"), full_page=True)

    page.goto(f"{live_server.url}/reports/notice/")
    page.select_option("select[name=region]", "350000")
    page.fill("input[name=date_from]", today.replace(month=1, day=1).isoformat())
    page.fill("input[name=date_to]", today.isoformat())
    page.click("#notice-form button[type=submit]")
    page.wait_for_selector("#notice-sentence")
    assert "执法检查培训机构" in page.inner_text("#notice-sentence")
    assert page.locator("#notice-downloads a").count() == 4
    page.screenshot(path=str(ARTIFACTS / "reports-notice-phone.png"), full_page=True)
