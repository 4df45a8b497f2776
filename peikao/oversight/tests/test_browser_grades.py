"""Graded supervision end to end in Chromium (issue 17): a provincial administrator recomputes the grades, reads a
grade point by point and overrides it with a reason; a city inspector runs the exit rules and reads the proposal,
the administrator decides it through a normal decision; the public list shows the exited institution; its commitment is public with masked names.

Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import datetime as dt

import pytest

from peikao.web.tests import test_browser as base

pytestmark = base.pytestmark
browser_page = base.browser_page
ARTIFACTS = base.ARTIFACTS
PASSWORD = "pw-for-browser-grades"


def _scene():
    from django.utils import timezone

    from peikao.oversight.tests import grading_records as rec
    from peikao.registry.choices import OrganizationKind
    from peikao.testing.factories import OrganizationFactory
    from peikao.testing.worlds import build_world

    world = build_world()
    from peikao.core.models import Region

    county = Region.objects.get(code="350102")
    school = OrganizationFactory(kind=OrganizationKind.TRAINING_INSTITUTION, region=county, name="鼓楼安泰培训学校")
    today = timezone.localdate()
    rec.findings(school, 3, day=today - dt.timedelta(days=60), violation="TI-ARCHIVE")
    rec.decision(school, "fine", day=today - dt.timedelta(days=50))
    rec.decision(school, "fine", day=today - dt.timedelta(days=40))
    rec.commitment(school, start=today - dt.timedelta(days=300), end=today + dt.timedelta(days=60))
    from peikao.registry.models import Industry

    mine = OrganizationFactory(
        kind=OrganizationKind.ENTERPRISE,
        region=county,
        name="鼓楼永安煤矿",
        industry=Industry.objects.get(code="coal_mine"),
    )
    rec.priority(mine, day=today - dt.timedelta(days=20), reason="井下电工作业工伤集中，持证情况待查")
    for persona in ("province_admin", "city_inspector"):  # fj-admin, fz-inspector
        world.users[persona].set_password(PASSWORD)
        world.users[persona].save()
    world.orgs["mine"] = mine
    return world, school


def _login(page, url: str, username: str) -> None:
    page.set_default_timeout(40_000)
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


@pytest.mark.django_db(transaction=True)
def test_grades_overrides_exit_proposals_and_commitments_in_the_browser(live_server, browser_page):
    from peikao.oversight.grading.models import Commitment, ExitProposal, Grade

    world, school = _scene()
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    url = live_server.url

    # The provincial administrator: the menu, a recomputation, the grade explained, an override.
    _login(page, url, "fj-admin")
    page.click("header a[href='/oversight/grades/']")
    page.wait_for_selector("#grade-summary")
    page.click("#grade-recompute button")
    page.wait_for_selector("#grade-table")
    page.screenshot(path=str(ARTIFACTS / "i17-grades-list.png"), full_page=True)
    page.click(f"#grade-table a[href='/oversight/grades/{school.org_code}/']")
    page.wait_for_selector("#grade-explanation")
    text = page.inner_text("#grade-explanation")
    assert "近24个月执法检查发现的问题" in text and "签订自律承诺" in text
    assert page.inner_text("#grade-effective") == Grade.objects.get(organization=school).computed
    page.screenshot(path=str(ARTIFACTS / "i17-grade-explained.png"), full_page=True)
    page.select_option("#override-form select[name=letter]", "D")
    page.fill("#override-form input[name=until]", (dt.date.today() + dt.timedelta(days=90)).isoformat())
    page.fill("#override-form textarea[name=reason]", "群众举报培训档案造假，列为重点监管对象")
    page.click("#override-form button[type=submit]")
    page.wait_for_selector("#grade-override")
    assert page.inner_text("#grade-effective") == "D"
    assert "人工调整" in page.inner_text("#grade-events")
    page.screenshot(path=str(ARTIFACTS / "i17-grade-overridden.png"), full_page=True)

    # Enterprises of the high-risk industries: their own row in the counts, a filter, and the raised priority of
    # the injury analysis behind the coal mine's points.
    mine = world.orgs["mine"]
    page.goto(f"{url}/oversight/grades/")
    page.click("#grade-summary-high-risk a[href*='grade=B']")
    page.wait_for_selector(f"#grade-table a[href='/oversight/grades/{mine.org_code}/']")
    assert "高危行业" in page.inner_text("#grade-table") and "其他行业" not in page.inner_text("#grade-table")
    page.screenshot(path=str(ARTIFACTS / "i17-grades-high-risk.png"), full_page=True)
    page.click(f"#grade-table a[href='/oversight/grades/{mine.org_code}/']")
    row = page.inner_text("#indicator-INSPECTION_PRIORITY")
    assert "井下电工作业工伤集中" in row and "工伤事故与培训关联分析" in row
    page.screenshot(path=str(ARTIFACTS / "i17-grade-priority.png"), full_page=True)

    # The city inspector runs the exit rules and reads the proposal put to the city.
    _login(page, url, "fz-inspector")
    page.goto(f"{url}/oversight/grades/exits/")
    page.click("#exit-detect button")
    page.wait_for_selector("#proposal-table")
    proposal = ExitProposal.objects.get(organization=school)
    page.click(f"#proposal-table a[href='/oversight/grades/exits/{proposal.pk}/']")
    page.wait_for_selector("#proposal-explanation")
    assert "2项决定" in page.inner_text("#proposal-explanation")
    page.screenshot(path=str(ARTIFACTS / "i17-proposal.png"), full_page=True)

    # A suspension is decided by an administrator (enforcement's rule): the provincial one decides it.
    _login(page, url, "fj-admin")
    page.goto(f"{url}/oversight/grades/exits/{proposal.pk}/")
    page.fill("#decide-form textarea[name=note]", "依退出机制暂停培训资格")
    page.click("#decide-form button[type=submit]")
    page.wait_for_selector("#proposal-decision")
    page.screenshot(path=str(ARTIFACTS / "i17-proposal-decided.png"), full_page=True)
    proposal.refresh_from_db()
    assert proposal.status == "decided" and proposal.decision.measure == "suspend"

    # The public: the exit list and the commitment page, names masked.
    page.context.clear_cookies()
    page.goto(f"{url}/exits/")
    assert school.name in page.inner_text("#public-exits")
    page.screenshot(path=str(ARTIFACTS / "i17-public-exits.png"), full_page=True)
    page.goto(f"{url}/commitments/{school.org_code}/")
    body = page.inner_text("main")
    commitment = Commitment.objects.get(organization=school)
    assert commitment.sha256 in body and "张三" not in body
    page.screenshot(path=str(ARTIFACTS / "i17-public-commitment.png"), full_page=True)
