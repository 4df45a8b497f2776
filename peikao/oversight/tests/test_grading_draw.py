"""Grades drive the random draw (双随机): per-grade weights and minimum frequencies as data, answered through
enforcement's hooks; the plan page counts per grade what the rules ask for and what was drawn (issue 17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from peikao.enforcement import selectors as enforcement_selectors
from peikao.enforcement.services.plans import plan_create, plan_draw
from peikao.oversight.grading.models import Grade
from peikao.oversight.grading.services.grades import grades_recompute
from peikao.oversight.tests import grading_records as rec
from peikao.oversight.tests.helpers import institution, region

pytestmark = pytest.mark.django_db


def _plan(world, wanted: int = 1):
    return plan_create(
        actor=world.users["province_admin"],
        region=region("350102"),
        year=timezone.localdate().year,
        name="",
        kinds=["training_institution"],
        subjects_wanted=wanted,
    )


def _risky(org):
    rec.findings(org, 5, day=timezone.localdate() - dt.timedelta(days=400))
    rec.decision(org, "close", day=timezone.localdate() - dt.timedelta(days=400))
    rec.decision(org, "suspend", day=timezone.localdate() - dt.timedelta(days=400))


def test_a_grade_d_subject_below_its_minimum_is_drawn_first_whatever_the_seed(world):
    risky = institution()
    for _ in range(5):
        institution()
    _risky(risky)
    grades_recompute(actor=None, region=region("350102"))
    assert Grade.objects.get(organization=risky).computed == "D"
    for seed in (1, 2, 3, 42, 1234):
        plan = plan_draw(actor=world.users["province_admin"], plan=_plan(world), seed=seed)
        assert [s.organization_id for s in plan.subjects.all()] == [risky.pk]
        assert plan.draw_input["forced"] == [risky.pk]
        assert enforcement_selectors.plan_verify_draw(plan)


def test_weights_by_grade_and_an_a_inspected_within_three_years_is_left_out(world):
    calm, recent = institution(), institution()
    rec.inspection(recent, day=timezone.localdate() - dt.timedelta(days=300))  # no findings: still A
    grades_recompute(actor=None, region=region("350102"))
    weights = {pk: weight for pk, weight, _region in enforcement_selectors.plan_candidates(_plan(world))}
    assert weights[calm.pk] == Decimal("0.5")
    assert weights[recent.pk] == 0


def test_an_open_alert_keeps_a_recently_inspected_a_in_the_draw(world):
    from peikao.oversight.models import Alert

    recent = institution()
    day = timezone.localdate() - dt.timedelta(days=300)
    rec.inspection(recent, day=day)
    grades_recompute(actor=None, region=region("350102"))
    Alert.objects.create(
        fingerprint="f" * 64,
        detector_id="TRN-DAY-OVERLOAD",
        organization=recent,
        period_from=day,
        period_to=day,
        severity="high",
        state="new",
        explanation="说明",
    )
    weights = {pk: weight for pk, weight, _region in enforcement_selectors.plan_candidates(_plan(world))}
    assert weights[recent.pk] == Decimal("0.5")


def test_without_grades_the_simple_risk_weight_stays(world):
    org = institution()
    weights = {pk: weight for pk, weight, _region in enforcement_selectors.plan_candidates(_plan(world))}
    assert weights[org.pk] == 1


def test_the_plan_page_counts_per_grade_what_the_rules_ask_for_and_what_was_drawn(client, world):
    risky = institution()
    _risky(risky)
    grades_recompute(actor=None, region=region("350102"))
    plan = plan_draw(actor=world.users["province_admin"], plan=_plan(world, wanted=2), seed=7)
    client.force_login(world.users["province_admin"])
    text = client.get(reverse("enforcement:plan_detail", args=[plan.pk])).content.decode()
    assert 'id="plan-grades"' in text
    section = text[text.index('id="plan-grades"') :]
    row_d = section[section.index("<td>D</td>") :].split("</tr>")[0]
    assert row_d.count("<td>1</td>") == 3  # one candidate, asked for once, drawn
