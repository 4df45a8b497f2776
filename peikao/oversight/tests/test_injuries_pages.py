"""Pages of the injury analysis: the analysis with its chart data (json_script, no inline script), the review of
proposed links (accept / reject with events), regulators only; "raise inspection priority" makes a subject forced in
the next random draw of a plan, once."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from peikao.core.errors import Conflict, DomainError
from peikao.core.models import IdNumberView, Region
from peikao.core.privacy import mask_id_number
from peikao.enforcement import services as enforcement_services
from peikao.oversight.injuries import priorities, services
from peikao.oversight.injuries.models import InjuryCase, InjuryCaseEvent, InspectionPriority
from peikao.registry.models import OperationItem
from peikao.testing.factories import AssignmentFactory, OrganizationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    fuzhou = Region.objects.get(code="350100")
    works = OrganizationFactory(kind="enterprise")
    item = OperationItem.objects.get(code="1.2")
    people = [
        AssignmentFactory(
            organization=works, role="special_operator", operation_item=item, start_date=dt.date(2022, 1, 1)
        ).person
        for _ in range(6)
    ]
    for n, person in enumerate(people[:5]):
        InjuryCase.objects.create(
            case_no=f"C{n}", id_number=person.id_number, organization=works, person=person, link_status="exact",
            occurred_on=dt.date.today() - dt.timedelta(days=30), severity="minor",
        )  # fmt: skip
    stranger = PersonFactory(name="陈小明")
    proposed = InjuryCase.objects.create(
        case_no="R1", id_number=stranger.id_number[:17] + ("0" if stranger.id_number[17] != "0" else "1"), name="陈小明", organization=works, person=stranger,
        link_status="review", match_weight=12, occurred_on=dt.date.today() - dt.timedelta(days=10), severity="minor",
    )  # fmt: skip
    return {
        "works": works,
        "proposed": proposed,
        "inspector": UserFactory(username="fz-insp", role="inspector", region=fuzhou),
        "xiamen": UserFactory(username="xm-insp", role="inspector", region=Region.objects.get(code="350200")),
        "member": UserFactory(username="works-admin", role="org_admin", organization=works),
    }


def test_the_analysis_page_carries_its_chart_data_and_no_inline_script(client, city):
    client.force_login(city["inspector"])
    response = client.get("/oversight/injuries/?region=350100")
    assert response.status_code == 200
    html = response.content.decode()
    data = json.loads(
        re.search(r'<script id="injury-chart-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert {chart["id"] for chart in data["charts"]} >= {"chart-operation_item", "chart-enterprise"}
    assert "vendor/echarts-6.1.0.min.js" in html and "oversight/injuries/charts.js" in html
    # Every script is a static file or JSON data.
    assert all("src=" in tag or "application/json" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert 'id="dimension-enterprise"' in html
    # Each group's cases by training at the time: the five exact cases at the works hold no certificate.
    works_row = re.search(rf'<tr data-group="{city["works"].org_code}".*?</tr>', html, re.S).group(0)
    assert re.search(r'<span class="st st-none"[^>]*>5</span>', works_row)
    # The export link says its period and passes the period chosen on the page.
    response = client.get("/oversight/injuries/?region=350100&from=2025-01-01&to=2025-06-30")
    link = re.search(r'<a href="([^"]*)" id="export-analysis">([^<]*)</a>', response.content.decode())
    assert "date_from=2025-01-01" in link.group(1) and "date_to=2025-06-30" in link.group(1)
    assert "2025-01-01" in link.group(2) and "2025-06-30" in link.group(2)


def test_org_members_and_other_regions_are_kept_out(client, city):
    client.force_login(city["member"])
    assert client.get("/oversight/injuries/").status_code == 404
    assert client.get("/oversight/injuries/review/").status_code == 404
    client.force_login(city["xiamen"])
    assert client.get("/oversight/injuries/?region=350100").status_code == 404
    response = client.post(f"/oversight/injuries/{city['proposed'].pk}/accept/")
    assert response.status_code == 404
    assert InjuryCase.objects.get(pk=city["proposed"].pk).link_status == "review"


def test_a_clerk_accepts_or_rejects_a_proposed_link(client, city):
    client.force_login(city["inspector"])
    page = client.get("/oversight/injuries/review/?region=350100").content.decode()
    assert 'data-case="R1"' in page
    case = city["proposed"]
    # Both full numbers on the page are logged: the proposed person's and the number as given, whose characters
    # that differ from the proposed person's are marked (here the check character alone).
    assert re.sub(r"</?mark>", "", page).count(case.id_number) == 1 and case.person.id_number in page
    assert f"{case.id_number[:17]}<mark>{case.id_number[17]}</mark>" in page
    assert re.search(r'<li class="agrees">✓ [^<]*</li>', page)  # what the linkage compared, agreeing or not
    logged = IdNumberView.objects.filter(user=city["inspector"], purpose="injury link review")
    assert {(v.person_id, v.masked_id_number) for v in logged} == {
        (case.person_id, mask_id_number(case.person.id_number)),
        (case.person_id, mask_id_number(case.id_number)),
    }
    response = client.post(f"/oversight/injuries/{case.pk}/reject/", {"reason": ""})
    assert response.status_code == 302
    assert InjuryCase.objects.get(pk=case.pk).link_status == "review"  # a rejection says why
    client.post(f"/oversight/injuries/{case.pk}/reject/", {"reason": "出生日期不同"})
    assert InjuryCase.objects.get(pk=case.pk).link_status == "rejected"
    services.injury_link_reopen(actor=city["inspector"], case=InjuryCase.objects.get(pk=case.pk), reason="再核")
    client.post(f"/oversight/injuries/{case.pk}/accept/")
    case.refresh_from_db()
    assert case.link_status == "confirmed" and case.linked
    assert list(InjuryCaseEvent.objects.filter(case=case).values_list("transition", flat=True)) == [
        "reject",
        "reopen",
        "accept",
    ]
    with pytest.raises(Conflict):
        services.injury_link_accept(actor=city["inspector"], case=case)


def test_the_review_shows_a_regulator_without_the_right_to_full_numbers_only_masked_ones(client, city):
    """An analyst sees the queue with both numbers masked, nothing marked in them, nothing logged."""
    analyst = UserFactory(username="fz-analyst", role="analyst", region=Region.objects.get(code="350100"))
    client.force_login(analyst)
    response = client.get("/oversight/injuries/review/?region=350100")
    assert response.status_code == 200
    page = response.content.decode()
    case = city["proposed"]
    assert 'data-case="R1"' in page
    assert case.id_number not in page and case.person.id_number not in page and "<mark>" not in page
    assert mask_id_number(case.id_number) in page and mask_id_number(case.person.id_number) in page
    assert not IdNumberView.objects.filter(user=analyst).exists()


def test_raise_priority_forces_the_subject_into_the_next_draw_once(client, city):
    admin = UserFactory(username="fz-admin", role="regulator_admin", region=Region.objects.get(code="350100"))
    works = city["works"]
    client.force_login(admin)
    client.post("/oversight/injuries/priority/", {"organization": works.pk})
    assert InspectionPriority.objects.filter(organization=works).count() == 1
    with pytest.raises(Conflict):
        services.priority_raise(actor=admin, organization_id=works.pk)
    with pytest.raises(DomainError):
        services.priority_raise(actor=admin, organization_id=OrganizationFactory(kind="labor_dispatch").pk)
    for _n in range(12):
        OrganizationFactory(kind="enterprise")
    UserFactory(username="fz-2", role="inspector", region=Region.objects.get(code="350100"))
    plan = enforcement_services.plan_create(
        actor=admin, region=Region.objects.get(code="350100"), year=2026, name="", kinds=["enterprise"],
        subjects_wanted=2,
    )  # fmt: skip
    assert priorities.forced_subjects(plan=plan, organization_ids=[works.pk, 0]) == {works.pk}
    drawn = enforcement_services.plan_draw(actor=admin, plan=plan, seed=1)
    assert works.pk in set(drawn.subjects.values_list("organization_id", flat=True))  # forced: 2 of 13 drawn
    # Drawn once: the priority is spent; the next plan draws as usual.
    assert works.pk not in priorities.open_priority_ids(user=None)
    assert priorities.forced_subjects(plan=plan, organization_ids=[works.pk]) is None


def test_groups_without_an_injury_are_folded_under_the_table_not_ranked_in_it(client, city):
    quiet = OrganizationFactory(kind="enterprise", name="平安无事机械厂")
    item = OperationItem.objects.get(code="1.2")
    for _ in range(3):
        AssignmentFactory(
            organization=quiet, role="special_operator", operation_item=item, start_date=dt.date(2022, 1, 1)
        )
    client.force_login(city["inspector"])
    html = client.get("/oversight/injuries/?region=350100").content.decode()

    main = re.search(r'<table[^>]*id="dimension-enterprise".*?</table>', html, re.S).group(0)
    folded = re.search(r'<table[^>]*id="dimension-enterprise-quiet".*?</table>', html, re.S).group(0)
    assert city["works"].org_code in main and quiet.org_code not in main
    assert re.search(rf'<tr data-group="{quiet.org_code}"><td>平安无事机械厂</td><td>3</td></tr>', folded)
    assert city["works"].org_code not in folded
