"""The UI in a real browser (Playwright driving Debian's Chromium), as a regulator would use it.

Screenshots go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from peikao.core import synthetic

CHROMIUM = os.environ.get("PEIKAO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists(), reason="Chromium is not installed"),
]


@pytest.fixture
def browser_page(tmp_path):
    # Playwright's sync API runs an event loop in this thread; the Django test database is still used synchronously.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 390, "height": 844},  # a phone
            locale="zh-CN",
        )
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()


def org_csv(rows: list[list[str]]) -> bytes:
    header = "机构编码,机构类型,名称,统一社会信用代码,行政区划代码,行业\n"
    return (header + "".join(",".join(row) + "\n" for row in rows)).encode("utf-8")


@pytest.mark.django_db(transaction=True)
def test_a_regulator_imports_a_file_with_errors_fixes_it_and_finds_the_organisations(
    live_server, browser_page, tmp_path
):
    from peikao.conftest import build_world

    world = build_world()
    admin = world.users["province_admin"]
    admin.set_password("pw-for-browser")
    admin.save()
    rng = random.Random(99)
    first, second = synthetic.uscc(rng, "350102"), synthetic.uscc(rng, "350203")
    broken = tmp_path / "机构.csv"
    broken.write_bytes(
        org_csv(
            [
                [first, "生产经营单位", "浏览器测试化工有限公司", first, "350102", "hazardous_chemicals"],
                [second, "生产经营单位", "浏览器测试建筑有限公司", second[:-1] + "0", "350203", "construction"],
                ["X1", "工厂", "错误类型公司", "", "350203", "general"],
            ]
        )
    )
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "fj-admin")
    page.fill("input[name=password]", "pw-for-browser")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "欢迎" in page.content()
    page.screenshot(path=str(ARTIFACTS / "01-home.png"), full_page=True)

    page.click("text=导入")
    page.select_option("select[name=kind]", "organizations")
    page.set_input_files("input[name=file]", str(broken))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-report")
    assert page.inner_text("#import-status") == "已拒绝"
    report = page.inner_text("#import-report")
    assert "统一社会信用代码校验码错误" in report or "校验码" in report
    rows = page.locator("#import-report tbody tr")
    reported_rows = {rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())}
    assert reported_rows == {"3", "4"}
    page.screenshot(path=str(ARTIFACTS / "02-import-rejected.png"), full_page=True)

    fixed = tmp_path / "机构-修正.csv"
    fixed.write_bytes(
        org_csv(
            [
                [first, "生产经营单位", "浏览器测试化工有限公司", first, "350102", "hazardous_chemicals"],
                [second, "生产经营单位", "浏览器测试建筑有限公司", second, "350203", "construction"],
            ]
        )
    )
    page.click("text=导入其他文件")
    page.select_option("select[name=kind]", "organizations")
    page.set_input_files("input[name=file]", str(fixed))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-status")
    assert page.inner_text("#import-status") == "已导入"
    assert page.inner_text("#import-summary") == "imported 2, updated 0, unchanged 0, rejected 0"
    page.screenshot(path=str(ARTIFACTS / "03-import-done.png"), full_page=True)

    page.goto(f"{live_server.url}/registry/organizations/?q=浏览器测试")
    table = page.inner_text("#org-table")
    assert "浏览器测试化工有限公司" in table and "浏览器测试建筑有限公司" in table
    page.screenshot(path=str(ARTIFACTS / "04-organisations.png"), full_page=True)
    page.click("text=浏览器测试化工有限公司")
    page.wait_for_selector("text=高危行业")
    page.screenshot(path=str(ARTIFACTS / "05-organisation.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_inspector_reveals_a_full_id_number_and_the_view_is_logged(live_server, browser_page):
    from peikao.conftest import build_world
    from peikao.core.models import IdNumberView

    world = build_world()
    inspector = world.users["county_inspector"]
    inspector.set_password("pw-for-browser")
    inspector.save()
    person = world.persons["p_a"]
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", inspector.username)
    page.fill("input[name=password]", "pw-for-browser")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/registry/persons/{person.pk}/")
    assert person.id_number not in page.content()
    assert person.masked_id_number in page.inner_text("#id-number")
    page.click("#id-number button")
    page.wait_for_selector("#full-id-number")
    assert page.inner_text("#full-id-number") == person.id_number
    page.screenshot(path=str(ARTIFACTS / "06-person-revealed.png"), full_page=True)
    assert IdNumberView.objects.filter(user=inspector, person_id=person.pk, purpose="web:person_detail").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_regulator_accepts_a_filed_class_and_reads_the_hours_on_a_phone(live_server, browser_page):
    from peikao.conftest import build_world
    from peikao.training.models import AttendanceEvent, TrainingClass
    from peikao.training.tests.factories import LessonFactory, at

    world = build_world()
    inspector = world.users["county_inspector"]
    inspector.set_password("pw-for-browser")
    inspector.save()
    training_class = world.classes["ti_a"]
    TrainingClass.objects.filter(pk=training_class.pk).update(status="filed", name="低压电工作业初训第9期")
    lesson = LessonFactory(training_class=training_class, starts_at=at(training_class.start_date, "09:00"),
                           ends_at=at(training_class.start_date, "09:45"))  # fmt: skip
    person = world.persons["p_a"]
    AttendanceEvent.objects.create(
        lesson=lesson, person=person, event="in", at=at(training_class.start_date, "09:15"), source="face"
    )
    AttendanceEvent.objects.create(
        lesson=lesson, person=person, event="out", at=at(training_class.start_date, "09:45"), source="face"
    )
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", inspector.username)
    page.fill("input[name=password]", "pw-for-browser")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/training/classes/")
    page.click("text=份备案待审核")
    page.click(f"text={training_class.class_code}")
    page.click("#accept-class")
    page.wait_for_selector("#class-status")
    assert page.inner_text("#class-status") == "备案通过"
    assert "学时不足" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "07-class-accepted.png"), full_page=True)
    page.click(f"#hours-table >> text={person.name}")
    page.wait_for_selector("#hours-summary")
    summary = page.inner_text("#hours-summary")
    assert "0.6 / 32.0" in summary  # 30 minutes of a 45-minute hour, rounded down
    assert "09:15:00–09:45:00" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "08-trainee-hours.png"), full_page=True)
    # The phone-sized viewport (390 px) needs no horizontal scrolling of the page itself.
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
