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
    page.set_default_timeout(40_000)  # a machine shared with other test runs: the first pages can be slow
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


@pytest.mark.django_db(transaction=True)
def test_a_class_short_of_its_hours_is_not_filed_and_the_regulator_reviews_the_comparison(live_server, browser_page):
    import datetime as dt

    from django.utils import timezone

    from peikao.core.models import User
    from peikao.demo.training import BEIJING, _teachers
    from peikao.registry.models import Industry
    from peikao.training import services
    from peikao.training.models import TrainingClass

    _demo()
    page = browser_page
    url = live_server.url
    ti_admin = User.objects.get(username="ti-admin")
    school = ti_admin.organization
    start = timezone.localdate() + dt.timedelta(days=21)
    while start.weekday() > 3:  # four weekdays in a row
        start += dt.timedelta(days=1)
    training_class = services.class_create(
        actor=ti_admin,
        organization=school,
        data=services.ClassData(
            class_code="GL-I14-ZY01",
            name="生产经营单位主要负责人初训（浏览器）",
            trainee_category="principal",
            training_type="initial",
            industry=Industry.objects.get(code="general"),
            start_date=start,
            end_date=start + dt.timedelta(days=3),
        ),
    )
    teacher = _teachers(school)[0]

    def lesson(day: int, minutes: int) -> None:
        begins = dt.datetime.combine(start + dt.timedelta(days=day), dt.time(8, 30), tzinfo=BEIJING)
        services.lesson_create(
            actor=ti_admin, training_class=training_class, lesson_code=f"GL-I14-ZY01-{day}", mode="theory",
            starts_at=begins, ends_at=begins + dt.timedelta(minutes=minutes), teacher=teacher, venue="一号教室",
        )  # fmt: skip

    lesson(0, 360)  # 360 minutes against 32 学时
    _login(page, url, "ti-admin")
    page.goto(f"{url}/training/classes/{training_class.class_code}/")
    scheduled = page.inner_text("#hours-scheduled")
    assert "8.0" in scheduled and "32.0" in scheduled and "尚差 24.0 学时" in scheduled
    page.click("#file-class")
    page.wait_for_load_state()
    refusal = " ".join(_errors(page))
    assert "尚差 24.0 学时" in refusal and "理论 8.0" in refusal, refusal
    assert page.inner_text("#class-status") == TrainingClass.objects.get(pk=training_class.pk).get_status_display()
    assert TrainingClass.objects.get(pk=training_class.pk).status == "draft"
    page.screenshot(path=str(ARTIFACTS / "i14-25-class-short-of-hours.png"), full_page=True)
    for day in (1, 2, 3):
        lesson(day, 360)
    page.goto(f"{url}/training/classes/{training_class.class_code}/")
    page.click("#file-class")
    page.wait_for_load_state()
    assert TrainingClass.objects.get(pk=training_class.pk).status == "filed", _errors(page)

    _login(page, url, "gl-inspector")
    page.goto(f"{url}/training/classes/{training_class.class_code}/")
    review = page.inner_text("#review-schedule")
    assert "32.0 / 32.0" in review and "已达到学时要求" in review
    page.screenshot(path=str(ARTIFACTS / "i14-26-class-review.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_every_demo_account_opens_every_entry_of_its_menu_and_every_link_on_those_pages(live_server, browser_page):
    """Each demo login clicks through its menu; every link of the pages it reaches answers (no 403, 404, 500)."""
    from urllib.parse import urljoin, urlsplit

    from peikao.demo.management.commands.demo_logins import DEMO_USERNAMES

    _demo()
    page = browser_page
    url = live_server.url
    failures = []
    for username in DEMO_USERNAMES:
        _login(page, url, username)
        menu = [urljoin(url, href) for href in page.locator("ul.menu a").evaluate_all("els => els.map(e => e.href)")]
        assert menu, username
        checked: set[str] = set()
        for entry in menu:
            response = page.goto(entry)
            if response is None or response.status >= 400:
                failures.append(f"{username}: menu {entry} → {response and response.status}")
                continue
            hrefs = page.locator("main a[href]").evaluate_all("els => els.map(e => e.href)")
            for href in hrefs:
                parts = urlsplit(href)
                if not href.startswith(url) or parts.path.startswith(("/static/", "/logout/", "/exam/logout/")):
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if target in checked or len(checked) >= 150:
                    continue
                checked.add(target)
                answer = page.request.get(url + target)
                if answer.status in (401, 403, 404) or answer.status >= 500:
                    failures.append(f"{username}: {entry} → {target}: {answer.status}")
    assert not failures, "\n".join(failures)
