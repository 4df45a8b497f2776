"""Compliance gaps against hand-built cases: every gap type, both regimes, dispatched workers, the edges."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from peikao.certificates import publishing
from peikao.certificates.models import Certificate
from peikao.compliance import gaps, selectors, services
from peikao.compliance.models import ComplianceGap
from peikao.core.exchange.runner import export_response
from peikao.core.models import Region
from peikao.registry.models import Industry, OperationItem
from peikao.testing.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    OrganizationFactory,
    PersonFactory,
    TrainingClassFactory,
    UserFactory,
)
from peikao.testing.http import read_download
from peikao.training.models import CreditedHours

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 27)


def certificate(person, *, item="1.2", issued, review_due="auto", status="valid", **fields):
    from peikao.certificates.rules import years_later

    return Certificate.objects.create(
        cert_no="T" + person.id_number,
        cert_type="special_operation",
        person=person,
        operation_item=OperationItem.objects.get(code=item),
        issuer_region=Region.objects.get(code="350100"),
        first_issued_on=issued,
        valid_from=issued,
        valid_until=fields.pop("valid_until", years_later(issued, 6) - dt.timedelta(days=1)),
        next_review_due=years_later(issued, 3) if review_due == "auto" else review_due,
        status=status,
        status_index=publishing.allocate_slots(1)[0],
        source="imported",
        **fields,
    )


def competency(person, post, issued, status="valid"):
    from peikao.certificates.rules import years_later

    return Certificate.objects.create(
        cert_no=f"350100{issued.year}{'1' if post == 'principal' else '2'}{person.pk:06d}",
        cert_type="competency",
        person=person,
        trainee_category=post,
        issuer_region=Region.objects.get(code="350100"),
        first_issued_on=issued,
        valid_from=issued,
        valid_until=years_later(issued, 3) - dt.timedelta(days=1),
        status=status,
        status_index=publishing.allocate_slots(1)[0],
        source="imported",
    )


def hours(person, *, category, training_type, tenths, end):
    school = OrganizationFactory(kind="training_institution")
    klass = TrainingClassFactory(
        organization=school,
        trainee_category=category,
        training_type=training_type,
        start_date=end - dt.timedelta(days=3),
        end_date=end,
        required_tenths=tenths,
        hours_stale=False,  # the hours below stand for what attendance gave
    )
    enrolment = EnrolmentFactory(training_class=klass, person=person)
    CreditedHours.objects.create(enrolment=enrolment, credited_tenths=tenths, required_tenths=tenths, completed=True)


SINCE_2024 = D(2024, 1, 1)


def specop(org, person, item="1.2", start=SINCE_2024, end=None, dispatcher=None):
    return AssignmentFactory(
        person=person,
        organization=org,
        role="special_operator",
        operation_item=OperationItem.objects.get(code=item),
        start_date=start,
        end_date=end,
        dispatched_by=dispatcher,
    )


@pytest.fixture
def cases(db):
    chemical = OrganizationFactory(industry=Industry.objects.get(code="hazardous_chemicals"))
    building = OrganizationFactory(industry=Industry.objects.get(code="construction"))
    dispatcher = OrganizationFactory(kind="labor_dispatch", industry=None)
    p = {name: PersonFactory(name=name) for name in (
        "无证", "有证", "过期", "逾期复审", "不再复审", "暂扣", "撤销", "派遣", "跨项目", "离岗未考", "离岗已考", "新规复岗",
        "主要负责人", "新任安全员", "持证负责人", "建筑负责人", "新员工短", "新员工足", "老员工足", "老员工短", "老员工无",
    )}  # fmt: skip
    for name in ("无证", "有证", "过期", "逾期复审", "不再复审", "暂扣", "撤销", "跨项目"):
        specop(chemical, p[name], item="2.1" if name == "跨项目" else "1.2")
    specop(chemical, p["派遣"], dispatcher=dispatcher)
    certificate(p["有证"], issued=D(2024, 3, 1))
    certificate(p["过期"], issued=D(2019, 1, 1), review_due=None)  # valid until 2024-12-31
    certificate(p["逾期复审"], issued=D(2021, 3, 10))  # review 2024-03-10, held under order 30, missed
    certificate(p["不再复审"], issued=D(2023, 7, 1))  # review 2026-07-01: not held under order 19
    certificate(p["暂扣"], issued=D(2024, 3, 1), status="suspended")
    certificate(p["撤销"], issued=D(2024, 3, 1), status="revoked")
    certificate(p["跨项目"], item="1.2", issued=D(2024, 3, 1))  # certified for another item
    # Back after 6 months away: a practical exam again, or a gap (order 30 art. 32, kept after 2026-06-01).
    for name, returned in (("离岗未考", D(2025, 9, 1)), ("离岗已考", D(2025, 9, 1)), ("新规复岗", D(2026, 7, 1))):
        specop(building, p[name], start=D(2020, 1, 1), end=D(2025, 1, 31) if returned.year == 2025 else D(2025, 11, 30))
        specop(chemical, p[name], start=returned)
        certificate(p[name], issued=D(2024, 3, 1))
    _practical_after(p["离岗已考"], D(2025, 8, 20))
    # Principals and safety managers: high-risk industries need the competency certificate within 6 months.
    AssignmentFactory(person=p["主要负责人"], organization=chemical, role="principal", start_date=D(2026, 1, 1))
    AssignmentFactory(person=p["新任安全员"], organization=chemical, role="safety_manager", start_date=D(2026, 9, 1))
    AssignmentFactory(person=p["持证负责人"], organization=chemical, role="principal", start_date=D(2026, 1, 1))
    competency(p["持证负责人"], "principal", D(2026, 3, 1))
    AssignmentFactory(person=p["建筑负责人"], organization=building, role="principal", start_date=D(2020, 1, 1))
    hours(p["建筑负责人"], category="principal", training_type="refresher", tenths=120, end=D(2026, 3, 1))
    # New employees: pre-job hours by industry (construction 32, high-risk 72).
    AssignmentFactory(person=p["新员工短"], organization=building, role="employee", start_date=D(2026, 6, 1))
    hours(p["新员工短"], category="employee", training_type="initial", tenths=240, end=D(2026, 5, 28))
    AssignmentFactory(person=p["新员工足"], organization=chemical, role="employee", start_date=D(2026, 6, 1))
    hours(p["新员工足"], category="employee", training_type="initial", tenths=720, end=D(2026, 5, 28))
    # Employees for years: 20 hours a year in a high-risk industry.
    for name in ("老员工足", "老员工短", "老员工无"):
        AssignmentFactory(person=p[name], organization=chemical, role="employee", start_date=D(2020, 1, 1))
    hours(p["老员工足"], category="employee", training_type="refresher", tenths=200, end=D(2026, 4, 1))
    hours(p["老员工短"], category="employee", training_type="refresher", tenths=80, end=D(2026, 4, 1))
    hours(p["老员工短"], category="employee", training_type="refresher", tenths=200, end=D(2025, 4, 1))  # too old
    return {"chemical": chemical, "building": building, "dispatcher": dispatcher, "p": p}


def _practical_after(person, day):
    from peikao.exams.models import Registration, Result, Sitting

    point = OrganizationFactory(kind="exam_point", items=["1.2"])
    start = dt.datetime.combine(day, dt.time(9), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    sitting = Sitting.objects.create(
        sitting_code=f"PR-{person.pk}",
        exam_point=point,
        part="practical",
        operation_item=OperationItem.objects.get(code="1.2"),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=10,
    )
    registration = Registration.objects.create(sitting=sitting, person=person, admission_code="1")
    Result.objects.create(registration=registration, score=90, passed=True)


def found(as_of, scope=None):
    scope = scope or gaps.Scope()
    return {(row[1], row[2]) for row in gaps.rows(as_of, scope)}


def test_every_gap_type_on_hand_built_cases(cases):
    p = cases["p"]
    expected = {
        (p["无证"].pk, "specops_no_certificate"),
        (p["派遣"].pk, "specops_no_certificate"),
        (p["跨项目"].pk, "specops_no_certificate"),
        (p["过期"].pk, "specops_certificate_expired"),
        (p["逾期复审"].pk, "specops_review_overdue"),
        (p["暂扣"].pk, "specops_certificate_suspended"),
        (p["撤销"].pk, "specops_certificate_revoked"),
        (p["离岗未考"].pk, "specops_away_6_months"),
        (p["新规复岗"].pk, "specops_away_6_months"),  # kept after order No. 19 took over (unconfirmed)
        (p["主要负责人"].pk, "manager_no_competency_certificate"),
        (p["建筑负责人"].pk, "manager_no_competency_certificate"),  # the construction department's (advisory)
        (p["新员工短"].pk, "new_employee_pre_job_training_short"),
        (p["老员工短"].pk, "annual_refresher_short"),
        (p["老员工无"].pk, "annual_refresher_short"),
    }
    assert found(TODAY) == expected
    # Nobody else: certified, not yet due, enough hours, re-assessed.
    for name in (
        "有证",
        "不再复审",
        "离岗已考",
        "新任安全员",
        "持证负责人",
        "新员工足",
        "老员工足",
    ):
        assert not any(person == p[name].pk for person, _gap in found(TODAY)), name


def test_a_review_is_overdue_only_where_it_is_held(cases):
    p = cases["p"]
    # Under order No. 30, before 2026-06-01: the review due 2024-03-10 was missed; the one of 2026-07-01 not due.
    before = found(D(2026, 5, 1))
    assert (p["逾期复审"].pk, "specops_review_overdue") in before
    assert not any(person == p["不再复审"].pk for person, _gap in before)
    # After 2026-06-01 the review of 2026-07-01 is not held: never overdue.
    assert not any(person == p["不再复审"].pk for person, _gap in found(D(2026, 8, 1)))
    # A review due on the last day of order No. 30 is held, and missed.
    holder = PersonFactory(name="末日复审")
    specop(cases["chemical"], holder)
    certificate(holder, issued=D(2023, 5, 31), review_due=D(2026, 5, 31))
    assert (holder.pk, "specops_review_overdue") in found(D(2026, 6, 2))


def test_the_manager_deadline_and_hours_move_with_the_day(cases):
    p = cases["p"]
    assert (p["主要负责人"].pk, "manager_no_competency_certificate") not in found(D(2026, 6, 30))  # 6 months not up
    assert (p["主要负责人"].pk, "manager_no_competency_certificate") in found(D(2026, 7, 2))
    assert (p["新任安全员"].pk, "manager_no_competency_certificate") in found(D(2027, 3, 2))


def test_rows_carry_the_dispatcher_and_explain_themselves(cases):
    p = cases["p"]
    rows = selectors.enriched(list(gaps.rows(TODAY, gaps.Scope(organization_id=cases["chemical"].pk))))
    dispatched = next(row for row in rows if row["person_id"] == p["派遣"].pk)
    assert dispatched["dispatched_by"] == cases["dispatcher"].name and "劳务派遣" in dispatched["detail"]
    short = next(row for row in rows if row["person_id"] == p["老员工短"].pk)
    assert short["detail"] == "近一年再培训 8.0 学时，应不少于 20.0 学时"
    assert short["violation_code"] == "ENT-HOURS-SHORT" and short["violation_basis"]
    expired = next(row for row in rows if row["person_id"] == p["过期"].pk)
    assert "2024-12-31" in expired["detail"] and expired["violation_code"] == "ENT-UNCERT-SPECOPS"
    assert "第九十七条" in expired["violation_basis"] and "work_safety_law" not in expired["violation_basis"]


def test_scope_by_region_and_organisation(cases):
    p = cases["p"]
    xiamen = OrganizationFactory(region=Region.objects.get(code="350203"))
    stranger = PersonFactory()
    specop(xiamen, stranger)
    assert (stranger.pk, "specops_no_certificate") in found(TODAY)
    assert (stranger.pk, "specops_no_certificate") not in found(TODAY, gaps.Scope(region_prefix="350102"))
    only_building = found(TODAY, gaps.Scope(organization_id=cases["building"].pk))
    assert only_building == {
        (p["新员工短"].pk, "new_employee_pre_job_training_short"),
        (p["建筑负责人"].pk, "manager_no_competency_certificate"),
    }


def test_a_scan_stores_what_the_query_finds(cases):
    admin = UserFactory(role="regulator_admin", region=Region.objects.get(code="350000"))
    record = services.scan(actor=admin, region=Region.objects.get(code="350100"), as_of=TODAY)
    stored = set(ComplianceGap.objects.filter(scan=record).values_list("person_id", "gap"))
    assert stored == found(TODAY, gaps.Scope(region_prefix="3501")) and record.gap_count == len(stored) == 14
    assert record.enterprise_count == 2
    other = UserFactory(role="regulator_admin", region=Region.objects.get(code="350200"))
    from peikao.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.scan(actor=other, region=Region.objects.get(code="350100"))


def test_the_compliance_gaps_export_as_of_a_day(cases):
    admin = UserFactory(role="regulator_admin", region=Region.objects.get(code="350000"))
    response = export_response(kind_name="compliance_gaps", fmt="csv", user=admin, as_of=D(2026, 5, 1), headers="en")
    rows = list(csv.DictReader(io.StringIO(read_download(response).decode("utf-8-sig"))))
    assert {row["gap"] for row in rows} >= {"specops_review_overdue", "specops_no_certificate"}
    assert all(row["detail"] for row in rows)
    # An advisory gap has no violation code; its detail says why.
    assert all(row["violation_code"] or "考核" in row["detail"] or "政策性要求" in row["detail"] for row in rows)
    assert any(not row["violation_code"] for row in rows)
    p = cases["p"]
    assert any(
        row["id_number"] == p["无证"].id_number and row["org_code"] == cases["chemical"].org_code for row in rows
    )


def test_an_enterprise_sees_its_own_gaps_only(client, cases):
    clerk = UserFactory(role="org_admin", organization=cases["building"])
    client.force_login(clerk)
    page = client.get(f"/compliance/enterprises/{cases['building'].org_code}/")
    body = page.content.decode()
    assert page.status_code == 200 and "新员工短" in body and 'data-gap="new_employee_pre_job_training_short"' in body
    assert cases["p"]["新员工短"].id_number not in body  # masked
    assert client.get(f"/compliance/enterprises/{cases['chemical'].org_code}/").status_code == 404
    assert client.get("/compliance/").status_code == 302


def test_a_county_sees_its_part_of_the_province_scan(cases, client):
    xiamen = OrganizationFactory(region=Region.objects.get(code="350203"), name="厦门某某有限公司")
    specop(xiamen, PersonFactory())
    admin = UserFactory(role="regulator_admin", region=Region.objects.get(code="350000"))
    services.scan(actor=admin, region=Region.objects.get(code="350000"), as_of=TODAY)
    county = cases["chemical"].region
    inspector = UserFactory(role="inspector", region=county)
    client.force_login(inspector)
    page = client.get("/compliance/").content.decode()
    mine = found(TODAY, gaps.Scope(region_prefix=county.prefix))
    assert len(mine) == 14 and len(found(TODAY)) == 15  # the Xiamen gap is in the scan, not in the county
    assert cases["chemical"].name in page and "厦门某某有限公司" not in page
    assert "2家企业共14项缺口" in page and "来自福建省的扫描" in page  # narrowed from the province's scan


def test_a_past_day_is_judged_by_the_certificates_status_on_that_day(cases):
    import time_machine

    from peikao.certificates import services as certificate_services

    p = cases["p"]
    admin = UserFactory(role="regulator_admin", region=Region.objects.get(code="350100"))
    operator = Certificate.objects.get(person=p["有证"])
    manager = Certificate.objects.get(person=p["持证负责人"])
    beijing = dt.timezone(dt.timedelta(hours=8))
    for moment, change in (
        (
            (2026, 3, 10),
            lambda: certificate_services.suspend(actor=admin, certificate=operator, ground="investigation"),
        ),
        ((2026, 4, 20), lambda: certificate_services.reinstate(actor=admin, certificate=operator, reason="查无违规")),
        (
            (2026, 10, 8),
            lambda: certificate_services.revoke(actor=admin, certificate=operator, ground="fraud_or_bribery"),
        ),
        (
            (2026, 11, 20),
            lambda: certificate_services.revoke(actor=admin, certificate=manager, ground="fraud_or_bribery"),
        ),
    ):
        with time_machine.travel(dt.datetime(*moment, 23, 30, tzinfo=beijing)):  # late: the day is Beijing's
            operator.refresh_from_db()
            manager.refresh_from_db()
            change()

    def gaps_of(name, day):
        return {gap for person, gap in found(day) if person == p[name].pk}

    assert gaps_of("有证", D(2026, 3, 9)) == set()
    assert gaps_of("有证", D(2026, 3, 10)) == {"specops_certificate_suspended"}  # from the day of the change
    assert gaps_of("有证", D(2026, 4, 19)) == {"specops_certificate_suspended"}
    assert gaps_of("有证", D(2026, 4, 20)) == set()
    assert gaps_of("有证", D(2026, 10, 7)) == set()
    assert gaps_of("有证", TODAY) == {"specops_certificate_revoked"}
    assert gaps_of("持证负责人", D(2026, 11, 19)) == set()
    assert gaps_of("持证负责人", TODAY) == {"manager_no_competency_certificate"}
    # A certificate imported with its status (no history before it) keeps that status on earlier days.
    assert gaps_of("撤销", D(2025, 1, 1)) == {"specops_certificate_revoked"}
