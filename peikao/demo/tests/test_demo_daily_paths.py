"""The daily paths of the demo's regulators work on the demo's own data: a plan drawn by a city inspector is
carried out subject by subject, a county inspector opens an inspection with a colleague, a spot exam finds a
bank for every worker on a demo roster."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from peikao.core.models import Region, User
from peikao.enforcement import rules
from peikao.enforcement.models import InspectionPlan
from peikao.exams.models import Question
from peikao.registry.models import Assignment, Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("demo", "--scale", "0.2", "--today", "2026-11-27", stdout=None)


def test_every_county_with_organisations_has_two_inspectors(demo):
    counties = Region.objects.filter(
        level="county", code__in=Organization.objects.values_list("region_id", flat=True)
    ).annotate(
        inspectors=Count("users", filter=Q(users__role="inspector", users__is_active=True))
    )  # fmt: skip
    assert counties.exists()
    short = {county.name: county.inspectors for county in counties if county.inspectors < 2}
    assert not short, f"counties with fewer than two inspectors: {short}"
    assert User.objects.filter(region_id="350102", role="inspector").count() >= 2
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "350102-inspector-2" in out.getvalue()  # the login list says where the county inspectors are


def test_a_city_plan_of_the_demo_is_carried_out_and_a_county_inspector_opens_an_inspection(demo, client):
    city = User.objects.get(username="fz-inspector")
    client.force_login(city)
    response = client.post(
        "/enforcement/plans/",
        {"year": 2026, "name": "福州市专项检查", "kinds": ["enterprise"], "subjects_wanted": 5,
         "inspectors_per_subject": 2},
    )  # fmt: skip
    plan = InspectionPlan.objects.get(name="福州市专项检查")
    assert response.status_code == 302
    client.post(f"/enforcement/plans/{plan.pk}/draw/")
    subjects = list(plan.subjects.select_related("organization").order_by("rank"))
    assert len(subjects) == 5
    for subject in subjects:
        opened = client.post(f"/enforcement/plans/{plan.pk}/subjects/{subject.organization.org_code}/start/")
        assert opened.status_code == 302
        assert "/enforcement/inspections/" in opened["Location"], client.get(f"/enforcement/plans/{plan.pk}/")
        assert subject.inspections.count() == 1

    county = User.objects.get(username="gl-inspector")
    client.force_login(county)
    org = Organization.objects.filter(region_id="350102", status="active").order_by("pk").first()
    page = client.get(f"/enforcement/inspections/new/?org={org.org_code}").content.decode()
    colleague = User.objects.filter(region_id="350102", role="inspector").exclude(pk=county.pk).first()
    assert f'value="{colleague.pk}"' in page and f'value="{city.pk}"' in page
    response = client.post(
        "/enforcement/inspections/new/",
        {"org_code": org.org_code, "kind": "routine", "inspected_on": "2026-11-27",
         "inspectors": [county.pk, colleague.pk]},
    )  # fmt: skip
    assert response.status_code == 302 and "/enforcement/inspections/JC" in response["Location"]


def test_every_worker_on_a_demo_roster_has_a_bank(demo):
    """Every operation item a demo roster holds has a bank of a full spot paper, and so has every trainee
    category a spot exam draws (principals, safety managers, employees)."""
    active = Question.objects.active()
    items = set(
        Assignment.objects.filter(role="special_operator").values_list("operation_item__code", flat=True).distinct()
    )
    counts = dict(
        active.filter(operation_item__code__in=items)
        .values_list("operation_item__code")
        .annotate(n=Count("id"))
        .values_list("operation_item__code", "n")
    )
    short = {code: counts.get(code, 0) for code in items if counts.get(code, 0) < rules.SPOT_QUESTIONS}
    assert not short, f"operation items on demo rosters without a full bank: {short}"
    for category in ("principal", "safety_manager", "employee"):
        assert active.filter(trainee_category=category).count() >= rules.SPOT_QUESTIONS, category


def test_the_demo_bank_file_covers_every_item_the_demo_rosters_can_hold():
    """Without a database: every operation item the demo gives its enterprises' special operators, and every
    trainee category, has a bank of a full spot paper in demo_bank.yaml."""
    import yaml

    from peikao.demo.exams import BANK_FILE, TRAINEE_BANKS
    from peikao.demo.registry import INDUSTRY_ITEMS

    banks = yaml.safe_load(BANK_FILE.read_text(encoding="utf-8"))
    size = {code: len(bank["judge"]) + len(bank["single"]) for code, bank in banks.items()}
    held = {code for items in INDUSTRY_ITEMS.values() for code in items} | set(TRAINEE_BANKS)
    assert not {code for code in held if size.get(code, 0) < rules.SPOT_QUESTIONS}
