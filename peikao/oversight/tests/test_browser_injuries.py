"""A city analyst's walk through the injury analysis in Chromium (issue 18), at a desk (1366 px) and on a phone
(390 px): import an injury file with mistyped ID numbers, review the grey-zone matches (accept one, reject one),
read the ranked risks with their charts (ECharts served from the site).

Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import datetime as dt

import pytest

from peikao.web.tests import test_browser as base

pytestmark = base.pytestmark
browser_page = base.browser_page
ARTIFACTS = base.ARTIFACTS
PASSWORD = "pw-for-browser-injuries"
HEADER = "案件编号,身份证号,用人单位编码,劳务派遣单位编码,发生日期,作业项目,伤情,姓名\n"


def _replace(number: str, i: int) -> str:
    return number[:i] + str((int(number[i]) + 3) % 10) + number[i + 1 :]


def _swap(number: str) -> str:
    i = next(i for i in (14, 15, 12, 10) if number[i] != number[i + 1])
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


def _scene(tmp_path):
    """Two enterprises of 福州: 12 low-voltage electricians at 鼓楼安平, 30 welders at 仓山永盛; an injury file of
    the city with three typing errors (linked by themselves), two grey-zone numbers and one of nobody."""
    from django.utils import timezone

    from peikao.core.choices import Role
    from peikao.core.models import Region
    from peikao.registry.models import OperationItem
    from peikao.testing.certificates import legacy
    from peikao.testing.factories import AssignmentFactory, OrganizationFactory, PersonFactory, UserFactory

    fuzhou = Region.objects.get(code="350100")
    analyst = UserFactory(
        username="fz-analyst", role=Role.REGULATOR_ADMIN, region=fuzhou, full_name="福州市应急管理局 数据分析员"
    )
    analyst.set_password(PASSWORD)
    analyst.save()
    works = OrganizationFactory(name="鼓楼安平机械制造有限公司", region=Region.objects.get(code="350102"))
    site = OrganizationFactory(name="仓山永盛建筑工程有限公司", region=Region.objects.get(code="350104"))
    low_voltage, welding = OperationItem.objects.get(code="1.2"), OperationItem.objects.get(code="2.1")
    start = dt.date(2021, 3, 1)

    def staff(org, item, count):
        return [
            AssignmentFactory(
                organization=org, role="special_operator", operation_item=item, start_date=start, person=PersonFactory()
            ).person
            for _ in range(count)
        ]

    electricians, welders = staff(works, low_voltage, 12), staff(site, welding, 30)
    for person in electricians[:3] + welders[:10]:
        legacy(person, item="1.2" if person in electricians else "2.1", issued=dt.date(2022, 5, 1))
    today = timezone.localdate()
    rows = []

    def case(person, org, item, number=None, name=True, days=60):
        day = today - dt.timedelta(days=days + 7 * len(rows))
        rows.append(
            [
                f"FZGS-{day:%Y}-{len(rows) + 1:04d}",
                number or person.id_number,
                org.org_code,
                "",
                day.isoformat(),
                item,
                "轻伤",
                person.name if name else "",
            ]
        )
        return rows[-1][0]

    for person in electricians[:6]:
        case(person, works, "1.2")
    typo = [case(electricians[6], works, "1.2", _swap(electricians[6].id_number))]  # two neighbours swapped
    typo.append(case(electricians[7], works, "1.2", _replace(electricians[7].id_number, 16)))  # one wrong digit
    for person in welders[:4]:
        case(person, site, "2.1")
    wrong_check = welders[4].id_number[:17] + ("0" if welders[4].id_number[17] != "0" else "1")
    typo.append(case(welders[4], site, "2.1", wrong_check, name=False))  # a wrong check character
    # Grey zone: the right welder with two wrong digits (name, birth date and employer agree) — the clerk accepts;
    # one digit from an electrician of the other enterprise, no name given — the clerk rejects.
    same = case(welders[5], site, "2.1", _replace(_replace(welders[5].id_number, 14), 16))
    stranger = case(electricians[8], site, "2.1", _replace(electricians[8].id_number, 15), name=False)
    nobody = case(PersonFactory.build(), site, "2.1")  # a worker never registered
    path = tmp_path / "福州市工伤认定数据.csv"
    path.write_bytes((HEADER + "".join(",".join(row) + "\n" for row in rows)).encode("utf-8"))
    return {"path": path, "works": works, "site": site, "typo": typo, "same": same, "stranger": stranger,
            "nobody": nobody}  # fmt: skip


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
def test_a_city_analyst_imports_injuries_reviews_the_grey_zone_and_reads_the_ranked_risks(
    live_server, browser_page, tmp_path, width, height, tag
):
    from peikao.oversight.injuries.models import InjuryCase, InjuryCaseEvent

    scene = _scene(tmp_path)
    page = browser_page
    page.set_viewport_size({"width": width, "height": height})
    url = live_server.url
    _login(page, url, "fz-analyst")
    page.goto(f"{url}/oversight/injuries/")
    page.wait_for_selector("#link-counts")
    page.click("#import-injuries")
    assert page.locator("#import-form select[name=kind]").input_value() == "injuries"  # the link names the kind
    page.set_input_files("input[name=file]", str(scene["path"]))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-status")
    assert page.inner_text("#import-summary") == "imported 16, updated 0, unchanged 0, rejected 0"
    page.screenshot(path=str(ARTIFACTS / f"i18-import-{tag}.png"), full_page=True)
    statuses = dict(InjuryCase.objects.values_list("case_no", "link_status"))
    assert [statuses[number] for number in scene["typo"]] == ["automatic"] * 3
    assert (statuses[scene["same"]], statuses[scene["stranger"]], statuses[scene["nobody"]]) == (
        "review",
        "review",
        "unlinked",
    )

    page.goto(f"{url}/oversight/injuries/?region=350100")
    page.wait_for_selector("#link-counts")
    counts = {
        page.locator("#link-counts li").nth(i).get_attribute("data-status"): page.locator("#link-counts li strong")
        .nth(i)
        .inner_text()
        for i in range(page.locator("#link-counts li").count())
    }
    assert (counts["exact"], counts["automatic"], counts["review"], counts["unlinked"]) == ("10", "3", "2", "1")
    page.screenshot(path=str(ARTIFACTS / f"i18-analysis-before-review-{tag}.png"), full_page=True)
    page.click("#review-link")
    page.wait_for_selector("#review-queue")
    assert page.locator("#review-queue tbody tr[data-case]").count() == 2
    page.screenshot(path=str(ARTIFACTS / f"i18-review-queue-{tag}.png"), full_page=True)
    page.click(f"#review-queue tr[data-case='{scene['same']}'] button[name=accept]")
    page.wait_for_selector(f"#review-queue tr[data-case='{scene['same']}']", state="detached")
    row = f"#review-queue tr[data-case='{scene['stranger']}']"
    page.fill(f"{row} input[name=reason]", "出生日期与用人单位均不符，非同一人")
    page.click(f"{row} button[name=reject]")
    page.wait_for_selector(row, state="detached")
    page.screenshot(path=str(ARTIFACTS / f"i18-review-decided-{tag}.png"), full_page=True)
    decided = dict(
        InjuryCase.objects.filter(case_no__in=[scene["same"], scene["stranger"]]).values_list("case_no", "link_status")
    )
    assert decided == {scene["same"]: "confirmed", scene["stranger"]: "rejected"}
    assert InjuryCaseEvent.objects.filter(actor__username="fz-analyst").count() == 2

    page.goto(f"{url}/oversight/injuries/?region=350100")
    page.wait_for_selector("#chart-enterprise canvas")  # ECharts drew the ranked enterprises
    page.wait_for_selector("#chart-status canvas")
    assert page.evaluate("typeof echarts") == "object"  # served from the site, no CDN
    enterprise = page.locator(f"#dimension-enterprise tr[data-group='{scene['works'].org_code}']")
    assert enterprise.get_attribute("class") is None  # ranked (not muted): 8 cases among 12 workers
    cells = enterprise.locator("td")
    assert [cells.nth(i).inner_text() for i in (1, 2)] == ["8", "12"]
    # At 仓山永盛: 4 exact, 1 wrong check character and now the accepted case (the rejected one does not count).
    site = page.locator(f"#dimension-enterprise tr[data-group='{scene['site'].org_code}'] td")
    assert site.nth(1).inner_text() == "6"
    page.wait_for_timeout(1500)  # the charts' entrance animation
    page.screenshot(path=str(ARTIFACTS / f"i18-analysis-ranked-{tag}.png"), full_page=True)
