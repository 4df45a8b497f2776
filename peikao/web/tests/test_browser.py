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
    from django.db import connections
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
        # Queries made by the test while Playwright's loop runs use connections of their own (asgiref's
        # context-local storage): close them here, or the test database cannot be dropped at the end.
        connections.close_all()


def org_csv(rows: list[list[str]]) -> bytes:
    header = "机构编码,机构类型,名称,统一社会信用代码,行政区划代码,行业\n"
    return (header + "".join(",".join(row) + "\n" for row in rows)).encode("utf-8")


@pytest.mark.django_db(transaction=True)
def test_a_regulator_imports_a_file_with_errors_fixes_it_and_finds_the_organisations(
    live_server, browser_page, tmp_path
):
    from peikao.testing.worlds import build_world

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
    from peikao.core.models import IdNumberView
    from peikao.testing.worlds import build_world

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
    from peikao.testing.factories import LessonFactory, at
    from peikao.testing.worlds import build_world
    from peikao.training.models import AttendanceEvent, TrainingClass

    world = build_world()
    inspector = world.users["county_inspector"]
    inspector.set_password("pw-for-browser")
    inspector.save()
    training_class = world.classes["ti_a"]
    TrainingClass.objects.filter(pk=training_class.pk).update(status="filed", name="低压电工作业初训第9期")
    lesson = LessonFactory(
        training_class=training_class,
        starts_at=at(training_class.start_date, "09:00"),
        ends_at=at(training_class.start_date, "09:45"),
    )
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


@pytest.mark.django_db(transaction=True)
def test_a_candidate_takes_the_theory_exam_on_a_phone_and_a_reload_loses_nothing(live_server, browser_page):

    from peikao.exams.models import Result
    from peikao.testing.answers import correct_letters
    from peikao.testing.exams import make_exam_world, open_sitting_now

    world = make_exam_world()
    sitting, registration = open_sitting_now(world, "LIVE-1")
    page = browser_page
    page.goto(f"{live_server.url}/exam/login/")
    page.fill("input[name=id_number]", registration.person.id_number)
    page.fill("input[name=admission_code]", "00000000")
    page.click("#exam-login button")
    assert "不匹配" in page.inner_text("body")
    page.fill("input[name=id_number]", registration.person.id_number)
    page.fill("input[name=admission_code]", registration.admission_code)
    page.click("#exam-login button")
    page.wait_for_selector("#timer")
    # the page's script starts the countdown once it has loaded: wait for it rather than read the placeholder
    page.wait_for_function("document.querySelector('#timer').textContent.trim() !== '--:--'", timeout=10000)
    assert page.inner_text("#timer") != "--:--"
    registration.refresh_from_db()
    for position in range(3):  # answer three questions right, one at a time
        letters = correct_letters(registration, position)
        for letter in letters:
            page.check(f"#q{position} input[value='{letter}']")
        page.wait_for_selector(f"#saved-{position} [data-saved='{position}']")
        page.click("#next")
    page.screenshot(path=str(ARTIFACTS / "09-exam-question.png"), full_page=True)
    page.reload()
    page.goto(f"{live_server.url}/exam/?q=1")
    letters = correct_letters(registration, 1)
    assert page.is_checked(f"#q1 input[value='{letters[0]}']"), "the saved answer survives a reload"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-exam")
    page.wait_for_selector("#exam-result")
    result = Result.objects.get(registration=registration)
    assert page.inner_text("#score") == str(result.score) and result.score > 0
    page.screenshot(path=str(ARTIFACTS / "10-exam-result.png"), full_page=True)
    page.goto(f"{live_server.url}/exam/")
    page.wait_for_selector("#exam-result")  # a second submission is impossible: the result stays
    assert Result.objects.filter(registration=registration).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_regulator_suspends_a_certificate_and_the_public_sees_it_on_a_phone(live_server, browser_page, settings):
    from peikao.certificates import publishing
    from peikao.certificates.models import Lead
    from peikao.testing.worlds import build_world

    settings.PEIKAO = {**settings.PEIKAO, "LOOKUP_LOG_FLUSH_SECONDS": 0}
    world = build_world()
    admin = world.users["province_admin"]
    admin.set_password("pw-for-browser")
    admin.save()
    certificate = world.own["province_admin"]["certificate"]
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", admin.username)
    page.fill("input[name=password]", "pw-for-browser")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/certificates/")
    page.click(f"a[href='/certificates/{certificate.pk}/']")
    assert page.inner_text("#certificate-standing") == "有效"
    assert page.evaluate("document.querySelector('#certificate-qr').naturalWidth") > 100
    page.click("#action-suspend summary")
    page.select_option("#action-suspend select[name=ground]", "investigation")
    page.fill("#action-suspend textarea[name=reason]", "事故调查期间暂扣")
    page.click("#action-suspend button[type=submit]")
    page.wait_for_selector("#certificate-standing.suspended")
    page.screenshot(path=str(ARTIFACTS / "11-certificate-suspended.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 392

    # A member of the public scans the QR code: no login, the suspension is shown, personal data masked.
    public = page.context.new_page()
    public.goto(f"{live_server.url}/v/{publishing.token_for(certificate)}")
    assert public.get_attribute("#verify-outcome", "data-outcome") == "suspended"
    assert certificate.person.id_number not in public.content()
    public.screenshot(path=str(ARTIFACTS / "12-public-qr-suspended.png"), full_page=True)
    assert public.evaluate("document.documentElement.scrollWidth") <= 392
    public.goto(f"{live_server.url}/verify/")
    public.fill("input[name=cert_no]", certificate.cert_no)
    public.fill("input[name=name]", "冒名")
    public.click("#verify-form button[type=submit]")
    public.wait_for_selector("#verify-answer")
    assert public.get_attribute("#verify-outcome", "data-outcome") == "not_found"
    public.screenshot(path=str(ARTIFACTS / "13-public-not-found.png"), full_page=True)
    from peikao.certificates.verification import derive_leads

    derive_leads()
    assert set(Lead.objects.values_list("kind", flat=True)) >= {"suspended_presented", "failed_lookup"}


@pytest.mark.django_db(transaction=True)
def test_an_inspector_on_a_phone_plans_inspects_spot_examines_and_decides(live_server, browser_page, tmp_path):
    """逢查必考 on a phone: a plan drawn at random, the inspection, a spot exam answered on the worker's phone,
    an unlawful fine refused with its range and basis, a lawful one issued, an order to rectify."""
    import datetime as dt

    from django.utils import timezone

    from peikao.core.models import Region
    from peikao.enforcement.models import Decision, Finding, SpotExam
    from peikao.registry.models import Industry, OperationItem
    from peikao.testing.exams import make_bank
    from peikao.testing.factories import AssignmentFactory, OrganizationFactory, PersonFactory, UserFactory

    gulou = Region.objects.get(code="350102")
    item = OperationItem.objects.get(code="1.2")
    make_bank(item, judge=20, single=20)
    works = OrganizationFactory(
        kind="enterprise",
        region=gulou,
        name="鼓楼化工有限公司",
        industry=Industry.objects.get(code="hazardous_chemicals"),
    )
    for n in range(2):
        AssignmentFactory(person=PersonFactory(name=f"电工{n}"), organization=works, role="special_operator",
                          operation_item=item, start_date=dt.date(2024, 1, 1))  # fmt: skip
    inspector = UserFactory(username="gl-inspector", role="inspector", region=gulou, full_name="林检查")
    inspector.set_password("pw-for-browser")
    inspector.save()
    UserFactory(username="gl-inspector-2", role="inspector", region=gulou, full_name="陈检查")

    page = browser_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 26.0745, "longitude": 119.2965, "accuracy": 15})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "gl-inspector")
    page.fill("input[name=password]", "pw-for-browser")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # Plan and draw (双随机).
    page.goto(f"{live_server.url}/enforcement/plans/")
    page.click("text=新建计划")
    page.fill("#plan-form input[name=name]", "鼓楼区2026年度执法检查")
    page.check("#plan-form input[name=kinds][value=enterprise]")
    page.fill("#plan-form input[name=subjects_wanted]", "1")
    page.click("#plan-form button[type=submit]")
    page.click("#draw-button")
    page.wait_for_selector("#plan-reproducible")
    assert "鼓楼化工有限公司" in page.inner_text("#plan-subjects")
    page.screenshot(path=str(ARTIFACTS / "20-enforcement-plan-drawn.png"), full_page=True)

    # The inspection: start, checklist, evidence with the phone's position.
    page.click("#plan-subjects button")
    page.click("#start-inspection")
    page.wait_for_selector("#checklist")
    for radio in page.locator("#checklist input[type=radio][value=compliant]").all():
        radio.check()
    page.check("#check-ENT-NO-TRAIN input[value=violation]")
    page.fill("#check-ENT-NO-TRAIN input[name^=note]", "两名新员工未经安全培训即上岗")
    page.click("#save-checklist")
    page.wait_for_selector("#findings >> text=ENT-NO-TRAIN")
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 site photo")
    page.click("text=添加证据")
    page.wait_for_function("document.querySelector('#evidence-form [name=latitude]').value !== ''")
    page.set_input_files("#evidence-form input[name=file]", str(photo))
    page.click("#evidence-form button[type=submit]")
    page.wait_for_selector("#evidence >> text=现场照片.jpg")
    assert "26.074500" in page.inner_text("#evidence")
    page.screenshot(path=str(ARTIFACTS / "21-enforcement-inspection.png"), full_page=True)

    # Spot exam: two workers drawn; one answers on their own phone and fails.
    page.fill("#spot-form input[name=count]", "2")
    page.click("#spot-form button[type=submit]")
    page.wait_for_selector(".spot-link")
    links = [a.get_attribute("href") for a in page.locator(".spot-link").all()]
    assert len(links) == 2
    page.screenshot(path=str(ARTIFACTS / "22-enforcement-spot-links.png"), full_page=True)
    worker = page.context.new_page()
    worker.goto(links[0])
    worker.wait_for_selector("#spot-paper")
    worker.screenshot(path=str(ARTIFACTS / "23-spot-exam-paper.png"), full_page=True)
    worker.click("#spot-submit")  # nothing answered: 0 points
    worker.wait_for_selector("text=0")
    worker.screenshot(path=str(ARTIFACTS / "24-spot-exam-result.png"), full_page=True)
    assert worker.goto(links[0]).status == 404  # one-time link
    worker.close()
    page.reload()
    assert "逢查必考" in page.inner_text("#findings")
    failed = SpotExam.objects.get(status="submitted")
    assert not failed.passed and failed.finding is not None

    # Decisions: 500,000 yuan is refused with the range and basis; 30,000 is lawful.
    page.click("#decide")
    page.select_option("#decision-form select[name=measure]", "fine")
    no_train = Finding.objects.get(violation__code="ENT-NO-TRAIN", source="checklist")
    page.check(f"#decision-form input[name=findings][value='{no_train.pk}']")
    page.fill("#decision-form input[name=fine_yuan]", "500000")
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector("text=超出法定幅度")
    refusal = page.content()
    assert "0–100,000" in refusal and "第九十七条第三项" in refusal and "ENT-NO-TRAIN" not in refusal
    assert not Decision.objects.exists()
    page.screenshot(path=str(ARTIFACTS / "25-enforcement-fine-refused.png"), full_page=True)
    page.fill("#decision-form input[name=fine_yuan]", "30000")
    page.check("#decision-form input[name=publicized]")
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector("text=行政处罚决定书")
    page.screenshot(path=str(ARTIFACTS / "26-enforcement-decision.png"), full_page=True)
    fine = Decision.objects.get()
    assert fine.fine_yuan == 30000 and fine.publicized
    page.goto(f"{live_server.url}/enforcement/inspections/{fine.inspection.code}/decide/")
    page.select_option("#decision-form select[name=measure]", "rectify_order")
    page.check(f"#decision-form input[name=findings][value='{no_train.pk}']")
    page.fill("#decision-form input[name=due_on]", (timezone.localdate() + dt.timedelta(days=15)).isoformat())
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector("text=责令限期整改指令书")
    assert Decision.objects.get(measure="rectify_order").rectification.status == "open"
