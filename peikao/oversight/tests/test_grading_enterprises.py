"""Enterprises are graded high-risk industries first (issue 17): the platform's indicator set grades the enterprises of
the high-risk industries; a province's own version may widen it to every enterprise; an enterprise once graded stays
graded; the grades page counts, filters and lists the high-risk industries' enterprises first. And the inspection
priority raised from the injury analysis (issue 18) as an indicator on the grade page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peikao.oversight.grading import refdata
from peikao.oversight.grading.models import Grade, Indicator, IndicatorSet
from peikao.oversight.grading.services.grades import grades_recompute, indicator_set_on, subjects_of
from peikao.oversight.tests import grading_records as rec
from peikao.oversight.tests.helpers import institution, region
from peikao.registry.choices import OrganizationKind
from peikao.registry.models import Industry
from peikao.testing.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
AS_OF = rec.AS_OF


def enterprise(industry: str, name: str, code: str = "350102"):
    return OrganizationFactory(
        kind=OrganizationKind.ENTERPRISE, region=region(code), industry=Industry.objects.get(code=industry), name=name
    )


def widened(from_day: dt.date) -> IndicatorSet:
    """A province's own version from ``from_day``: the platform's indicators, every enterprise graded."""
    base = indicator_set_on(from_day)
    wide = IndicatorSet.objects.create(
        version="2099.1",
        name="全部企业分级（省级版本）",
        source="省级分级分类监管办法",
        valid_from=from_day,
        max_a=base.max_a,
        max_b=base.max_b,
        max_c=base.max_c,
        enterprises="all",
    )
    for ind in base.indicators.all():
        Indicator.objects.create(
            key=f"2099.1:{ind.code}",
            indicator_set=wide,
            code=ind.code,
            kinds=ind.kinds,
            points=ind.points,
            cap=ind.cap,
            threshold=ind.threshold,
            minimum=ind.minimum,
            months=ind.months,
            description=ind.description,
            position=ind.position,
        )
    return wide


def test_the_platform_set_grades_the_enterprises_of_high_risk_industries_first():
    assert indicator_set_on(AS_OF).enterprises == "high_risk"
    mine, chemicals = enterprise("coal_mine", "某煤矿"), enterprise("hazardous_chemicals", "某化工")
    shop = enterprise("general", "某商店")
    summary = grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    graded = set(Grade.objects.filter(kind="enterprise").values_list("organization_id", flat=True))
    assert graded == {mine.pk, chemicals.pk}
    assert sum(summary["enterprise"].values()) == 2
    assert shop.pk not in graded


def test_a_province_version_with_every_enterprise_grades_the_others_too():
    shop = enterprise("general", "某商店")
    mine = enterprise("coal_mine", "某煤矿")
    day = AS_OF + dt.timedelta(days=10)
    widened(day)
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    assert not Grade.objects.filter(organization=shop).exists()  # not yet: the platform's set that day
    grades_recompute(actor=None, region=region("350102"), as_of=day)
    assert Grade.objects.get(organization=shop).indicator_set_id == "2099.1"
    assert Grade.objects.get(organization=mine).indicator_set_id == "2099.1"


def test_an_enterprise_once_graded_stays_graded_and_up_to_date_when_it_leaves_the_scope():
    mine = enterprise("coal_mine", "某煤矿")
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    assert Grade.objects.get(organization=mine).computed == "A"
    mine.industry = Industry.objects.get(code="general")  # reclassified: no longer of a high-risk industry
    mine.save()
    rec.findings(mine, 3)
    grades_recompute(actor=None, region=region("350102"), as_of=AS_OF)
    grade = Grade.objects.get(organization=mine)
    assert (grade.computed, grade.score) == ("B", 6)  # recomputed, not left stale
    assert list(grade.events.values_list("old_status", "new_status")) == [("", "A"), ("A", "B")]
    set_on = indicator_set_on(AS_OF)
    assert mine in subjects_of("enterprise", region("350102"), set_on)


def test_the_yaml_names_which_enterprises_a_set_grades_and_refuses_anything_else():
    rows = refdata.grading_rows()
    assert {row["version"]: row["enterprises"] for row in rows["sets"]}["2026.1"] == "high_risk"
    with pytest.raises(ValueError, match="enterprises"):
        refdata._scope("some")
    assert refdata._scope("all") == "all"


def test_the_grades_page_counts_filters_and_lists_high_risk_enterprises_first(client, world):
    day = timezone.localdate()
    widened(day - dt.timedelta(days=1))
    shop = enterprise("general", "某商店")
    mine = enterprise("coal_mine", "某煤矿")
    rec.findings(shop, 5, day=day - dt.timedelta(days=10))  # the riskier of the two, 10 points
    grades_recompute(actor=None, region=region("350102"), as_of=day)
    client.force_login(world.users["province_admin"])
    url = reverse("grading:grade_list")
    listed = client.get(url, {"kind": "enterprise"}).content.decode()
    assert listed.index("某煤矿") < listed.index("某商店")  # high-risk industry first, though it scores less
    assert "高危行业" in listed  # its tag (the industry's name beside it)
    everything = client.get(url).content.decode()
    assert everything.index("某商店") < everything.index("某煤矿")  # all kinds: riskiest first
    only = client.get(url, {"industry": "high_risk"}).content.decode()
    assert "某煤矿" in only and "某商店" not in only
    others = client.get(url, {"industry": "other"}).content.decode()
    assert "某商店" in others and "某煤矿" not in others
    page = client.get(url).content.decode()
    row = page[page.index('id="grade-summary-high-risk"') :].split("</tr>")[0]
    assert "industry=high_risk" in row and ">1</a>" in row  # the coal mine, grade A
    assert Grade.objects.get(organization=mine).computed == "A"


def test_the_grade_page_shows_the_raised_priority_behind_its_points(client, world):
    school = world.orgs["ti_a"]
    day = timezone.localdate()
    rec.priority(school, day=day - dt.timedelta(days=3), reason="该机构培训的焊工工伤集中")
    grades_recompute(actor=None, region=region("350102"), as_of=day)
    grade = Grade.objects.get(organization=school)
    assert grade.details["INSPECTION_PRIORITY"] == {"n": 1, "points": "5.00"}
    client.force_login(world.users["county_inspector"])
    text = client.get(reverse("grading:grade_detail", args=[school.org_code])).content.decode()
    row = text[text.index('id="indicator-INSPECTION_PRIORITY"') :].split("</tr>")[0]
    assert "工伤事故与培训关联分析" in row and "该机构培训的焊工工伤集中" in row
    assert (day - dt.timedelta(days=3)).isoformat() in row and "<strong>5</strong>" in row
    quiet = institution()  # an institution without a priority: the indicator row says nothing was counted
    grades_recompute(actor=None, region=region("350102"), as_of=day)
    other = client.get(reverse("grading:grade_detail", args=[quiet.org_code])).content.decode()
    empty = other[other.index('id="indicator-INSPECTION_PRIORITY"') :].split("</tr>")[0]
    assert "<strong>0</strong>" in empty and "该机构培训" not in empty
