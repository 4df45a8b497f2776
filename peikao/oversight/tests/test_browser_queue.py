"""An inspector confirms an alert into an inspection finding in Chromium, at a desk (1366 px) and on a phone
(390 px): the queue, the alert's evidence and timeline, the confirm form, the finding on the inspection.

Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import pytest

from peikao.web.tests import test_browser as base

pytestmark = base.pytestmark
browser_page = base.browser_page
ARTIFACTS = base.ARTIFACTS
PASSWORD = "pw-for-browser-queue"


def _scene():
    from peikao.core.choices import Role
    from peikao.core.models import Region
    from peikao.oversight.tests.alerts import make_alert
    from peikao.registry.choices import OrganizationKind
    from peikao.testing.factories import OrganizationFactory, PersonFactory, UserFactory
    from peikao.testing.worlds import build_world

    world = build_world()
    county = Region.objects.get(code="350102")
    institution = OrganizationFactory(
        kind=OrganizationKind.TRAINING_INSTITUTION, region=county, name="鼓楼安培培训学校"
    )
    person = PersonFactory(name="陈十一")
    inspector = world.users["county_inspector"]
    colleague = UserFactory(username="gl-inspector-2", role=Role.INSPECTOR, region=county, full_name="林执法")
    for user in (inspector, colleague):
        user.set_password(PASSWORD)
        user.save()
    alert = make_alert(
        institution,
        person=person,
        explanation="2026年9月15日，学员陈十一在鼓楼安培培训学校的班级与另一机构的班级同时上课，重叠95分钟。",
    )
    return inspector, colleague, alert


def _login(page, url: str, username: str) -> None:
    page.set_default_timeout(40_000)
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "height", "tag"), [(1366, 900, "desk"), (390, 844, "phone")])
def test_an_inspector_confirms_an_alert_into_an_inspection_finding(live_server, browser_page, width, height, tag):
    from peikao.enforcement.models import Finding
    from peikao.oversight.choices import AlertState

    inspector, colleague, alert = _scene()
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    url = live_server.url
    _login(page, url, inspector.username)
    page.click("header a[href='/oversight/alerts/']")  # the menu entry
    page.wait_for_selector("#alert-table")
    page.screenshot(path=str(ARTIFACTS / f"i15-queue-list-{tag}.png"), full_page=True)
    page.click(f"#alert-table a[href='/oversight/alerts/{alert.pk}/']")
    page.wait_for_selector("#alert-explanation")
    assert page.locator("#alert-timeline svg rect.overlap").count() == 1
    assert page.locator("#evidence-lessons tbody tr").count() == 1
    assert "L-A-1" in page.inner_text("#evidence-lessons")
    page.screenshot(path=str(ARTIFACTS / f"i15-alert-evidence-{tag}.png"), full_page=True)
    page.click("details:has(#confirm-form) > summary")
    page.check(f"#confirm-form input[name=confirm-inspectors][value='{colleague.pk}']")
    page.fill("#confirm-form textarea[name=confirm-note]", "现场调取签到原始记录核实")
    page.screenshot(path=str(ARTIFACTS / f"i15-alert-confirm-form-{tag}.png"), full_page=True)
    page.click("#confirm-button")
    page.wait_for_selector("#alert-inspection")
    alert.refresh_from_db()
    assert alert.state == AlertState.CONFIRMED
    finding = Finding.objects.get(pk=alert.finding_id)
    assert finding.person_id == alert.person_id and "现场调取签到原始记录核实" in finding.description
    assert page.locator("#confirm-form").count() == 0 and page.locator("#dismiss-form").count() == 0
    page.screenshot(path=str(ARTIFACTS / f"i15-alert-confirmed-{tag}.png"), full_page=True)
    page.click(f"#alert-inspection a[href='/enforcement/inspections/{finding.inspection.code}/']")
    page.wait_for_selector("#findings")
    assert finding.code in page.inner_text("#findings")
    page.screenshot(path=str(ARTIFACTS / f"i15-inspection-finding-{tag}.png"), full_page=True)
