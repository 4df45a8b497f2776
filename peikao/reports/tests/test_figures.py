"""The notice's figures as issue 16 defines them, on hand-built records of the persona world (福建: 福州 鼓楼 350102
and 台江 350103, 厦门 350203; 江西 南昌 360102), over 2025 (the world's own records are of 2026)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from peikao.core.errors import PermissionDenied
from peikao.core.models import Region
from peikao.enforcement.models import Decision, Finding, Inspection, SpotExam
from peikao.exams.models import Patrol, PatrolFinding, Registration
from peikao.oversight.grading.models import Commitment, Grade, GradeEvent
from peikao.reports.selectors import PRACTICES, Period, notice_figures, notice_region
from peikao.testing.factories import PersonFactory

YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
BEIJING = dt.timezone(dt.timedelta(hours=8))
_codes = iter(range(10_000))


def inspect(org, on=dt.date(2025, 3, 1), findings=0, **fields):
    n = next(_codes)
    inspection = Inspection.objects.create(
        code=f"T-I{n}", organization=org, region_id=org.region_id, kind=fields.pop("kind", "routine"),
        inspected_on=on, status="completed", **fields,
    )  # fmt: skip
    for i in range(findings):
        Finding.objects.create(code=f"T-F{n}-{i}", inspection=inspection, description="问题")
    return inspection


def decide(inspection, measure, on=dt.date(2025, 3, 2), **fields):
    if measure == "rectify_order":
        fields.setdefault("due_on", on + dt.timedelta(days=30))
    return Decision.objects.create(
        code=f"T-D{next(_codes)}", inspection=inspection, measure=measure, decided_on=on, **fields
    )


def figures(region_code="350000", period=YEAR, user=None):
    return notice_figures(user=user, region=Region.objects.get(code=region_code), period=period)


def test_inspected_counts_organisations_and_problems_count_findings_of_inspections_in_the_period(world):
    ti_a, ti_b, ei_a, ep_a = (world.orgs[k] for k in ("ti_a", "ti_b", "ei_a", "ep_a"))
    inspect(ti_a, findings=2)
    inspect(ti_a, on=dt.date(2025, 6, 1), findings=1)  # a second inspection: one organisation, three problems
    inspect(ti_b, on=dt.date(2025, 12, 31), findings=1)  # last day of the period
    inspect(ti_b, on=dt.date(2026, 1, 1), findings=5)  # the day after: not counted
    inspect(ti_b, on=dt.date(2024, 12, 31), findings=5)  # the day before: not counted
    inspect(ei_a, findings=1)
    inspect(ep_a, findings=2)
    inspect(world.orgs["ent_a"], findings=1)
    inspect(world.orgs["dispatch_a"], findings=1)  # a labour-dispatch company is inspected as an enterprise
    inspect(world.orgs["ti_c"], findings=4)  # 江西: not in 福建's notice

    data = figures()

    assert data["training_institutions"]["inspected"] == 2
    assert data["training_institutions"]["problems"] == 4
    assert data["exam_bodies"]["inspected"] == 2
    assert data["exam_bodies"]["problems"] == 3
    assert data["enterprises"]["inspected"] == 2
    assert data["enterprises"]["problems"] == 2
    assert data["region"] == {"code": "350000", "name": "福建省"}
    assert data["period"] == {"from": "2025-01-01", "to": "2025-12-31"}


def test_measures_count_distinct_organisations_decided_in_the_period(world):
    ti_a, ti_b, ent_a, ent_b, ep_a = (world.orgs[k] for k in ("ti_a", "ti_b", "ent_a", "ent_b", "ep_a"))
    first, second = inspect(ti_a), inspect(ti_a, on=dt.date(2025, 5, 1))
    decide(first, "close")
    decide(second, "close")  # the same institution closed twice: one
    decide(first, "rectify_order")
    decide(inspect(ti_b), "suspend")
    decide(inspect(ti_b, on=dt.date(2024, 12, 1)), "close", on=dt.date(2024, 12, 31))  # decided before the period
    point = inspect(ep_a)
    decide(point, "cancel_exam_point")
    decide(point, "suspend_exam")
    decide(point, "rectify_order")
    a = inspect(ent_a)
    decide(a, "fine", fine_yuan=Decimal("30000.50"))
    decide(a, "warning")  # a warning beside the fine: one enterprise penalised
    decide(a, "fine", fine_yuan=Decimal("20000"), on=dt.date(2026, 1, 1))  # decided after the period
    b = inspect(ent_b)
    decide(b, "rectify_order")  # an order to rectify is not a penalty
    person = PersonFactory()
    decide(
        inspect(world.orgs["dispatch_a"]),
        "fine",
        fine_yuan=Decimal("50000"),
        responsible_person=person,
        responsible_fine_yuan=Decimal("8000"),  # the person's fine is a fine of the case
    )

    data = figures()

    assert data["training_institutions"] | {"inspected": 0, "problems": 0} == {
        "inspected": 0,
        "problems": 0,
        "closed": 1,
        "suspended": 1,
        "ordered_to_rectify": 1,
    }
    assert data["exam_bodies"]["exam_points_cancelled"] == 1
    assert data["exam_bodies"]["exams_suspended"] == 1
    assert data["exam_bodies"]["ordered_to_rectify"] == 1
    assert data["enterprises"]["penalised"] == 2
    assert data["enterprises"]["fines_yuan"] == 88_001  # 30000.50 + 50000 + 8000, in whole yuan (half up)
    assert isinstance(data["enterprises"]["fines_yuan"], int)


def test_cases_publicized_counts_inspections_with_a_publicised_decision(world):
    one = inspect(world.orgs["ent_a"])
    decide(one, "fine", fine_yuan=Decimal(1000), publicized=True)
    decide(one, "warning", publicized=True)  # the same case
    decide(inspect(world.orgs["ti_b"]), "close", publicized=True)
    decide(inspect(world.orgs["ent_b"]), "warning")  # not publicised
    decide(inspect(world.orgs["ti_a"]), "close", publicized=True, on=dt.date(2026, 1, 1))  # after the period

    assert figures()["cases_publicized"] == 2


def test_remote_patrols_count_sittings_and_candidates_sanctioned(world):
    sitting_a, sitting_b = world.sittings["a"], world.sittings["b"]
    watcher = world.users["county_inspector"]
    on = dt.datetime(2025, 12, 31, 23, 59, tzinfo=BEIJING)  # the last minute of the period in Beijing
    after = dt.datetime(2026, 1, 1, 0, 0, tzinfo=BEIJING)
    patrol_a = Patrol.objects.create(sitting=sitting_a, watcher=watcher, mode="live", started_at=on)
    Patrol.objects.create(sitting=sitting_a, watcher=watcher, mode="recorded", started_at=on)  # same sitting
    Patrol.objects.create(sitting=sitting_b, watcher=watcher, mode="live", started_at=after)  # outside
    registration = Registration.objects.get(sitting=sitting_a)
    other = Registration.objects.create(sitting=sitting_a, person=PersonFactory(), admission_code="87654321")
    third = Registration.objects.create(sitting=sitting_a, person=PersonFactory(), admission_code="87654322")

    def seen(reg, sanction, status="confirmed", at=on, patrol=patrol_a):
        PatrolFinding.objects.create(
            sitting=sitting_a, patrol=patrol, registration=reg, source="patrol", observed_at=at,
            observation="x", sanction=sanction, status=status,
        )  # fmt: skip

    seen(registration, "warning")
    seen(registration, "score_cancelled")  # one candidate × sitting
    seen(other, "score_cancelled")
    seen(third, "warning", status="dismissed")  # dismissed: no sanction
    seen(third, "none")
    seen(third, "warning", at=after)  # outside the period
    seen(third, "warning", patrol=None)  # not by a patrol (video analytics without a patrol)

    data = figures()

    assert data["remote_patrols"] == {"sittings_patrolled": 1, "persons_sanctioned": 2}


def test_practices_count_the_sub_regions_that_show_them(world):
    decide(inspect(world.orgs["ti_a"]), "close")  # 福州 (鼓楼)
    decide(inspect(world.orgs["ep_b"]), "cancel_exam_point")  # 福州 (台江)
    inspect(world.orgs["ent_b"], kind="lookback")  # 厦门
    inspection = inspect(world.orgs["ent_a"])
    SpotExam.objects.create(
        inspection=inspection, person=world.persons["p_a"], role="employee", token_hash="0" * 64,
        expires_at=dt.datetime(2025, 3, 2, tzinfo=BEIJING),
    )  # fmt: skip

    # Grading: the world's grades (鼓楼 企业 a, 台江 机构 b, 南昌) are computed in 2026, after the period; 台江's
    # history shows it graded in 2025, and 厦门's enterprise b holds a grade computed in 2025.
    GradeEvent.objects.create(
        grade=world.orgs["ti_b"].grade, transition="computed", change="computed", old_status="", new_status="C",
        actor_label="test", time=dt.datetime(2025, 6, 1, 9, tzinfo=BEIJING),
    )  # fmt: skip
    Grade.objects.create(
        organization=world.orgs["ent_b"], kind="enterprise", computed="A", score=0, indicator_set_id="2026.1",
        as_of=dt.date(2025, 6, 1),
    )  # fmt: skip
    # Commitments: the world's are signed in 2026; 鼓楼's institution a signed one in force over 2025.
    Commitment.objects.create(
        organization=world.orgs["ti_a"], template_id="2026.1", signatory="签署人", lawyer="见证律师",
        law_firm="某律师事务所", signed_on=dt.date(2024, 12, 1), valid_from=dt.date(2024, 12, 2),
        valid_to=dt.date(2025, 12, 1), sha256="c" * 64, size=1, file="commitments/cc/2024.pdf",
    )  # fmt: skip

    province = figures()
    city = figures("350100")
    nation = figures("000000")

    assert province["practices"] == {
        "regions_with_exit_decision": 1,  # 福州 only (two counties of it)
        "regions_with_grading": 2,  # 福州 (台江's history) and 厦门
        "regions_with_commitments": 1,  # 福州 (鼓楼)
        "regions_with_spot_exams": 1,
        "regions_with_lookback_inspections": 1,
    }
    assert city["practices"]["regions_with_exit_decision"] == 2  # 鼓楼 and 台江
    assert city["practices"]["regions_with_grading"] == 1  # 台江 (鼓楼's enterprise a graded in 2026 only)
    assert city["practices"]["regions_with_commitments"] == 1  # 鼓楼
    assert nation["practices"]["regions_with_grading"] == 1  # 福建 (南昌's grade is of 2026)
    assert nation["practices"]["regions_with_exit_decision"] == 1  # 福建
    fujian = next(row for row in nation["by_subregion"] if row["region"]["code"] == "350000")
    assert fujian["practices"]["regions_with_exit_decision"] == 1  # the cities of 福建
    fuzhou = next(row for row in province["by_subregion"] if row["region"]["code"] == "350100")
    assert fuzhou["practices"]["regions_with_exit_decision"] == 2  # the counties of 福州
    assert set(fuzhou["practices"]) == set(PRACTICES)


def test_by_subregion_groups_per_city_of_a_province_and_per_province_of_the_nation(world):
    inspect(world.orgs["ti_a"], findings=1)  # 福州 鼓楼
    inspect(world.orgs["ti_b"], findings=2)  # 福州 台江
    inspect(world.orgs["ent_b"], findings=3)  # 厦门
    inspect(world.orgs["ti_c"], findings=4)  # 江西

    province = figures()
    nation = figures("000000")
    county = figures("350102")

    cities = {row["region"]["code"]: row for row in province["by_subregion"]}
    assert set(cities) == {"350100", "350200"}
    assert cities["350100"]["region"]["name"] == "福建省福州市"
    assert cities["350100"]["training_institutions"]["inspected"] == 2
    assert cities["350200"]["enterprises"]["problems"] == 3
    provinces = {row["region"]["code"]: row["training_institutions"]["problems"] for row in nation["by_subregion"]}
    assert provinces == {"350000": 3, "360000": 4}
    assert nation["training_institutions"]["problems"] == 7
    assert county["training_institutions"] | {"closed": 0} == {
        "inspected": 1,
        "problems": 1,
        "closed": 0,
        "suspended": 0,
        "ordered_to_rectify": 0,
    }
    assert county["by_subregion"] == []  # a county has no sub-region


def test_a_handful_of_queries_whatever_the_number_of_regions(world, django_assert_max_num_queries):
    for key in ("ti_a", "ti_b", "ent_b", "ti_c", "ent_a", "ep_a"):
        decide(inspect(world.orgs[key], findings=1), "warning")
    region = Region.objects.get(code="000000")
    with django_assert_max_num_queries(11):  # figures 5, practices 5, names of the regions 1
        notice_figures(user=None, region=region, period=YEAR)


def test_a_user_asks_for_its_own_region_and_below_only(world):
    county = world.users["county_inspector"]
    province = world.users["province_admin"]

    assert notice_region(user=county, code=None).code == "350102"  # its jurisdiction by default
    assert notice_region(user=province, code="350100").code == "350100"
    with pytest.raises(PermissionDenied):
        notice_region(user=county, code="350100")  # a county cannot ask for its city
    with pytest.raises(PermissionDenied):
        figures("350000", user=county)
    with pytest.raises(PermissionDenied):
        notice_region(user=province, code="360000")
    with pytest.raises(PermissionDenied):
        notice_region(user=world.users["ti_admin"], code="350102")  # an organisation is not a regulator
    assert notice_region(user=world.users["ministry_admin"], code="360000").code == "360000"
