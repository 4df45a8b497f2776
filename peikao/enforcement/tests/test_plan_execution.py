"""A plan drawn at a level can be carried out at that level (双随机): every subject drawn gets a team of inspectors
whose jurisdiction holds it, and the form of an inspection offers every inspector who may go."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from peikao.core.errors import DomainError
from peikao.core.models import Region
from peikao.enforcement import rules, selectors, services
from peikao.enforcement.models import Inspection
from peikao.testing.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def fuzhou(db):
    """Enterprises in 鼓楼 and 台江; inspectors of 福州 (one), 鼓楼 (two), 台江 (two) and 福建 (one)."""
    region = Region.objects.in_bulk(["350000", "350100", "350102", "350103"])
    return {
        "gulou": [OrganizationFactory(kind="enterprise", region=region["350102"]) for _ in range(4)],
        "taijiang": [OrganizationFactory(kind="enterprise", region=region["350103"]) for _ in range(4)],
        "city": UserFactory(username="fz-inspector", role="inspector", region=region["350100"]),
        "gl": UserFactory(username="gl-inspector", role="inspector", region=region["350102"]),
        "gl2": UserFactory(username="gl-inspector-2", role="inspector", region=region["350102"]),
        "tj": UserFactory(username="tj-inspector", role="inspector", region=region["350103"]),
        "tj2": UserFactory(username="tj-inspector-2", role="inspector", region=region["350103"]),
        "province": UserFactory(username="fj-inspector", role="inspector", region=region["350000"]),
        "region": region,
    }


def _open_every_subject(actor, plan) -> list[Inspection]:
    """What 检查 does on the plan's page for each drawn subject: open its inspection with its drawn team."""
    opened = []
    for subject in plan.subjects.select_related("organization").order_by("rank"):
        opened.append(
            services.inspection_create(
                actor=actor,
                organization=subject.organization,
                kind="routine",
                inspected_on=TODAY,
                inspectors=list(subject.inspectors.all()),
                plan_subject=subject,
            )
        )
    return opened


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_a_city_plan_sends_only_inspectors_whose_jurisdiction_holds_each_subject(fuzhou, seed):
    city = fuzhou["city"]
    plan = services.plan_create(
        actor=city, region=fuzhou["region"]["350100"], year=2026, name="", kinds=["enterprise"], subjects_wanted=5
    )
    plan = services.plan_draw(actor=city, plan=plan, seed=seed)
    assert plan.subjects.count() == 5
    for subject in plan.subjects.prefetch_related("inspectors"):
        for inspector in subject.inspectors.all():
            assert inspector.region.contains(subject.organization.region_id), (inspector, subject.organization)
    assert len(_open_every_subject(city, plan)) == 5  # every 检查 opens its inspection
    assert selectors.plan_verify_draw(plan)
    pool = {pk for pk, _prefix in plan.draw_input["inspectors"]}
    assert {fuzhou[k].pk for k in ("city", "gl", "gl2", "tj", "tj2", "province")} == pool


def test_a_county_plan_may_send_the_inspectors_above_it(fuzhou):
    """鼓楼's one inspector is not a team; the city's and the province's inspectors hold 鼓楼 too."""
    fuzhou["gl2"].is_active = False
    fuzhou["gl2"].save()
    plan = services.plan_create(
        actor=fuzhou["gl"], region=fuzhou["region"]["350102"], year=2026, name="", kinds=["enterprise"],
        subjects_wanted=3,
    )  # fmt: skip
    plan = services.plan_draw(actor=fuzhou["gl"], plan=plan, seed=11)
    assert plan.subjects.count() == 3
    sent = {user.pk for subject in plan.subjects.all() for user in subject.inspectors.all()}
    assert sent <= {fuzhou["gl"].pk, fuzhou["city"].pk, fuzhou["province"].pk}
    assert fuzhou["tj"].pk not in {pk for pk, _prefix in plan.draw_input["inspectors"]}
    assert len(_open_every_subject(fuzhou["gl"], plan)) == 3


def test_a_subject_that_too_few_inspectors_hold_is_passed_over_and_named(fuzhou):
    for key in ("tj", "tj2", "city", "province"):
        fuzhou[key].is_active = False
        fuzhou[key].save()
    admin = UserFactory(username="fz-admin", role="regulator_admin", region=fuzhou["region"]["350100"])
    plan = services.plan_create(
        actor=admin, region=fuzhou["region"]["350100"], year=2026, name="", kinds=["enterprise"], subjects_wanted=8
    )
    plan = services.plan_draw(actor=admin, plan=plan, seed=3)
    drawn = {subject.organization for subject in plan.subjects.all()}
    assert drawn == set(fuzhou["gulou"])  # 台江 has nobody left to send
    assert set(selectors.plan_unstaffed(plan)) == set(fuzhou["taijiang"])
    assert selectors.plan_verify_draw(plan)
    for org in fuzhou["gulou"]:
        org.status = "suspended"
        org.save()
    empty = services.plan_create(
        actor=admin, region=fuzhou["region"]["350100"], year=2026, name="", kinds=["enterprise"], subjects_wanted=2
    )
    with pytest.raises(DomainError) as raised:
        services.plan_draw(actor=admin, plan=empty, seed=3)
    assert raised.value.code == "no_staffed_subject"


def test_a_draw_recorded_before_teams_by_jurisdiction_still_reproduces():
    candidates = [(pk, Decimal(1 + pk % 3)) for pk in range(1, 9)]
    old = rules.draw(candidates=candidates, inspectors=[7, 8, 9], wanted=4, per_subject=2, seed=5)
    assert old == rules.draw(candidates=candidates, inspectors=[9, 7, 8], wanted=4, per_subject=2, seed=5)
    assert [pk for pk, _w in old.subjects] == [
        pk
        for pk, _w in rules.draw(
            candidates=candidates,
            inspectors=[7, 8, 9],
            wanted=4,
            per_subject=2,
            seed=5,
            subject_regions=dict.fromkeys(range(1, 9), "350102"),
            inspector_prefixes={7: "3501", 8: "350102", 9: "35"},
        ).subjects
    ]  # the same subjects: only the teams follow the jurisdictions


def test_the_form_offers_every_inspector_who_may_go(fuzhou, client):
    gl = fuzhou["gl"]
    offered = set(selectors.inspector_choices(user=gl))
    assert {fuzhou["gl"], fuzhou["gl2"], fuzhou["city"], fuzhou["province"]} <= offered
    assert fuzhou["tj"] not in offered
    subject = fuzhou["taijiang"][0]
    for_subject = set(selectors.inspector_choices(user=fuzhou["city"], organization=subject))
    assert for_subject == {fuzhou["tj"], fuzhou["tj2"], fuzhou["city"], fuzhou["province"]}

    client.force_login(gl)
    org = fuzhou["gulou"][0]
    page = client.get(f"/enforcement/inspections/new/?org={org.org_code}").content.decode()
    for user in (fuzhou["gl2"], fuzhou["city"], fuzhou["province"]):
        assert f'value="{user.pk}"' in page
    response = client.post(
        "/enforcement/inspections/new/",
        {
            "org_code": org.org_code,
            "kind": "routine",
            "inspected_on": TODAY.isoformat(),
            "inspectors": [gl.pk, fuzhou["city"].pk],
        },
    )
    inspection = Inspection.objects.get(organization=org)
    assert response.status_code == 302 and response["Location"].endswith(f"/{inspection.code}/")
    refused = client.post(
        "/enforcement/inspections/new/",
        {
            "org_code": org.org_code,
            "kind": "routine",
            "inspected_on": (TODAY + dt.timedelta(days=1)).isoformat(),
            "inspectors": [gl.pk, fuzhou["tj"].pk],
        },
    )
    assert refused.status_code == 200 and Inspection.objects.filter(organization=org).count() == 1
