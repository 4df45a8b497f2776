"""Adding an alert's subject to the next draw of a plan (a forced subject), through the page and the API: the alert
is confirmed with the plan, an event row and a change-log entry; refused for a drawn plan or a plan of another
region, and for a role that may not manage plans."""

from __future__ import annotations

import pytest

from peikao.core.models import ChangeLog, Region
from peikao.core.services import api_token_create
from peikao.enforcement.models import InspectionPlan
from peikao.oversight.choices import AlertState
from peikao.oversight.models import AlertEvent
from peikao.oversight.tests.alerts import make_alert
from peikao.registry.choices import OrganizationKind
from peikao.testing.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    county = Region.objects.get(code="350102")
    gulou = OrganizationFactory(kind=OrganizationKind.TRAINING_INSTITUTION, region=county)
    plan = InspectionPlan.objects.create(region=county, year=2027, name="鼓楼2027计划", subjects_wanted=3)
    other = InspectionPlan.objects.create(
        region=Region.objects.get(code="350103"), year=2027, name="台江2027计划", subjects_wanted=3
    )
    return {"world": world, "alert": make_alert(gulou), "plan": plan, "other": other}


def test_force_into_a_plan_through_the_page(client, scene):
    alert, plan = scene["alert"], scene["plan"]
    client.force_login(scene["world"].users["county_inspector"])
    body = client.get(f"/oversight/alerts/{alert.pk}/").content.decode()
    assert 'id="force-form"' in body and plan.name in body and scene["other"].name not in body
    response = client.post(f"/oversight/alerts/{alert.pk}/do/force/", {"force-plan": ""})
    assert response.status_code == 400 and response.context["force_form"].errors["plan"]
    response = client.post(f"/oversight/alerts/{alert.pk}/do/force/", {"force-plan": str(scene["other"].pk)})
    assert response.status_code == 400  # not a plan offered: another county's
    alert.refresh_from_db()
    assert alert.state == AlertState.NEW
    response = client.post(f"/oversight/alerts/{alert.pk}/do/force/", {"force-plan": str(plan.pk)})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.state, alert.forced_plan_id) == (AlertState.CONFIRMED, plan.pk)
    assert [e.new_status for e in AlertEvent.objects.filter(alert=alert).order_by("id")] == ["reviewing", "confirmed"]
    assert ChangeLog.objects.filter(content_type__model="alert", object_id=str(alert.pk)).exists()
    body = client.get(f"/oversight/alerts/{alert.pk}/").content.decode()
    assert 'id="alert-forced-plan"' in body and plan.name in body and 'id="force-form"' not in body


def test_force_into_a_plan_through_the_api(client, scene):
    alert, plan = scene["alert"], scene["plan"]
    raw = api_token_create(user=scene["world"].users["county_inspector"], name="api")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "content_type": "application/json"}
    url = f"/api/alerts/{alert.pk}/force"
    assert client.post(url, {}, **headers).status_code == 422  # no plan
    refused = client.post(url, {"plan_id": scene["other"].pk}, **headers)
    assert refused.status_code == 422 and refused.json()["message_zh"]
    plan.status = "drawn"
    plan.save()
    assert client.post(url, {"plan_id": plan.pk}, **headers).status_code == 422  # drawn: not a draft any more
    plan.status = "draft"
    plan.save()
    body = client.post(url, {"plan_id": plan.pk, "note": "投诉较多"}, **headers).json()
    assert (body["state"], body["forced_plan_id"]) == ("confirmed", plan.pk)
    assert body["events"][-1]["reason"] == "投诉较多"
    assert client.post(url, {"plan_id": plan.pk}, **headers).status_code == 409  # already confirmed


def test_an_analyst_may_not_force(client, scene):
    raw = api_token_create(user=scene["world"].users["province_analyst"], name="api")[1]
    response = client.post(
        f"/api/alerts/{scene['alert'].pk}/force",
        {"plan_id": scene["plan"].pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403 and response.json()["message_en"]
    scene["alert"].refresh_from_db()
    assert scene["alert"].state == AlertState.NEW
